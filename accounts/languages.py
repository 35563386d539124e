"""A signed-in reader's language: their profile's setting, carried in their session.

The order a page's language is chosen in: the profile setting (a signed-in reader), the
footer switcher's cookie (Django's ``set_language``), the browser's ``Accept-Language``,
the site's ``LANGUAGE_CODE``. ``LocaleMiddleware`` does the last three; the profile's
choice is copied into the session when the reader signs in or changes it, so that
``ProfileLanguageMiddleware`` can apply it without loading the account on every request
(the live-update poll loads neither, and the session comes from the cache).
"""

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils import translation

SESSION_KEY = "accounts_language"


def supported(code: str | None) -> str | None:
    """``code`` when it is one of the site's languages, else None."""
    return code if code in dict(settings.LANGUAGES) else None


def remember(request, code: str) -> None:
    """This session's reader chose ``code`` in their profile (empty: no choice)."""
    if supported(code):
        request.session[SESSION_KEY] = code
    else:
        request.session.pop(SESSION_KEY, None)


@receiver(user_logged_in)
def _remember_on_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        remember(request, getattr(user, "language", ""))


class ProfileLanguageMiddleware:
    """Activates a signed-in reader's profile language over the cookie and the header.
    Goes after ``LocaleMiddleware`` (whose response step then names it in
    ``Content-Language``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Only a request that carries a session cookie can have one: others (most
        # anonymous readers) never touch the session store.
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            code = supported(request.session.get(SESSION_KEY))
            if code and code != request.LANGUAGE_CODE:
                translation.activate(code)
                request.LANGUAGE_CODE = code
        return self.get_response(request)
