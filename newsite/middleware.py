"""A database outage answers 503 ("come back soon"), not a 500 with a traceback."""

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
