"""The "Log in with newsite" popup the widget opens for a reader with a newsite account.

The popup is a first-party window on newsite's origin, so the reader logs in with
allauth's own log-in (its form, its brute-force limits) whatever the browser does with
third-party cookies. Once signed in, the reader confirms which site's comments they
sign in to, and the page hands a session token (the kind single sign-on issues,
``embedding.sso.account_session_token``) to the window that opened it with
``postMessage`` addressed to that site's origin alone, an active embed site checked
here (never ``*``). The page's script is a static file (the CSP allows no inline
script); the token travels in a ``data-`` attribute of a page that is never cached.

Every response carries ``Cross-Origin-Opener-Policy: unsafe-none`` instead of the
site's ``same-origin``: a popup that loads a ``same-origin`` page loses its opener for
good, and the token could not be handed back.
"""

from allauth.account.views import LoginView
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from embedding import origins, sso
from embedding.authentication import account_may_embed

OPENER_POLICY = "unsafe-none"


class PopupLoginView(LoginView):
    """allauth's log-in in the popup's page; back to the popup's address after it."""

    template_name = "embedding/login.html"

    def get_success_url(self):
        return self.request.get_full_path()

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, origin=self.kwargs["origin"])


@never_cache
def popup_login(request):
    """``/embed/login/?origin=<the host page's origin>``: log in, confirm, hand over."""
    try:
        origin = origins.normalise_origin(request.GET.get("origin", ""))
    except ValueError:
        origin = None
    site = origins.active_sites().get(origin) if origin else None
    if site is None:
        response = render(
            request,
            "embedding/login_refused.html",
            {"message": _("This site may not sign readers in here.")},
            status=400,
        )
    elif not request.user.is_authenticated:
        response = PopupLoginView.as_view()(request, origin=origin)
    elif not account_may_embed(request.user):
        message = _("Staff accounts sign in on newsite itself, not on other sites' pages.")
        response = render(request, "embedding/login_refused.html", {"message": message})
    elif request.method == "POST" and "continue" in request.POST:
        token = sso.account_session_token(request.user, site_id=site["id"])
        context = {
            "origin": origin,
            "token": token,
            "expires_in": sso.session_max_age(),
            "name": request.user.public_name,
        }
        response = render(request, "embedding/login_done.html", context)
    else:
        response = render(request, "embedding/login_confirm.html", {"origin": origin})
    response["Cross-Origin-Opener-Policy"] = OPENER_POLICY
    return response
