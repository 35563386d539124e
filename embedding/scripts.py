"""``/embed.js`` and ``/count.js``: the scripts other sites include.

Each is served at a versioned address, ``/embed/<hash>/embed.js`` (the hash is of its
content), cached for a year and immutable, so a host may pin it with Subresource
Integrity. The plain ``/embed.js`` a host pastes is a short-cached redirect to the
current version: an update reaches every host within five minutes, and a browser
downloads the script itself once per version.
"""

import base64
import hashlib
from functools import cache
from pathlib import Path

from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.http import require_GET

SCRIPTS = ("embed.js", "count.js")
_DIR = Path(__file__).resolve().parent / "static" / "embedding"
REDIRECT_MAX_AGE = 300
YEAR = 365 * 24 * 3600


@cache
def script(name: str) -> tuple[bytes, str, str]:
    """``(content, version, integrity)`` of one of ``SCRIPTS``, read once per process."""
    content = (_DIR / name).read_bytes()
    version = hashlib.sha256(content).hexdigest()[:12]
    integrity = "sha384-" + base64.b64encode(hashlib.sha384(content).digest()).decode()
    return content, version, integrity


def versioned_url(name: str) -> str:
    return reverse("embed-script", kwargs={"version": script(name)[1], "name": name})


@require_GET
def latest(request, name: str):
    response = HttpResponseRedirect(versioned_url(name))
    response["Cache-Control"] = f"public, max-age={REDIRECT_MAX_AGE}"
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def versioned(request, version: str, name: str):
    if name not in SCRIPTS:
        raise Http404
    content, current, integrity = script(name)
    if version != current:
        # An old version's page asks for a script that has changed: the newest one.
        return latest(request, name)
    response = HttpResponse(content, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    # Public script: any page may load it, with integrity= and crossorigin= too.
    response["Access-Control-Allow-Origin"] = "*"
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    response["X-Integrity"] = integrity
    return response
