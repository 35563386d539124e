"""Error pages: JSON under /api/, the site's own HTML everywhere else."""

from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader


def _wants_json(request) -> bool:
    return request.path.startswith("/api/")


def not_found(request, exception=None):
    if _wants_json(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    return render(request, "404.html", status=404)


def server_error(request):
    if _wants_json(request):
        return JsonResponse({"detail": "Server error."}, status=500)
    # Rendered without a request context: the database may be what failed, and the
    # context processors query it.
    return HttpResponseServerError(loader.get_template("500.html").render())
