from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    """`{count, next, previous, results}` with an optional `?page_size=` up to 100.

    Lives in its own module because REST_FRAMEWORK settings import it while API
    modules that import DRF's generics are still loading.
    """

    page_size_query_param = "page_size"
    max_page_size = 100
