"""Guards in front of every view: a database outage answers 503 ("come back soon"), not
a 500 with a traceback; a query string with a NUL character answers 400 before it can
reach a query."""

from newsite import errors


class DatabaseUnavailableMiddleware:
    """Turn a database connection failure raised by a view (or while its template
    renders) into the 503 page or ``503 {"detail": ...}``.

    Failures raised by other middleware (the session being loaded or saved) reach
    ``handler500`` instead, which gives the same answer (``errors.server_error``). First
    in ``MIDDLEWARE`` so that it sees what every view raises."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if errors.is_database_unavailable(exception):
            return errors.database_unavailable(request, exception)
        return None


class NulInQueryMiddleware:
    """Refuse (400) a request whose query string carries a NUL character in a name or a
    value: PostgreSQL cannot store or compare one and raises (a 500 on ``?q=%00``), while
    SQLite accepts it, so no view may see one. One guard for search, filters, ordering,
    ids and pages alike. Form bodies are left to the forms and serializers, which refuse
    NUL in text fields already."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for name, values in request.GET.lists():
            if "\x00" in name or any("\x00" in value for value in values):
                return errors.bad_query(request, name.replace("\x00", ""))
        return self.get_response(request)
