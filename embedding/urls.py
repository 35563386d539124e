"""The scripts other sites include (see ``embedding.scripts``)."""

from django.urls import path, re_path

from embedding import scripts, views

urlpatterns = [
    path("embed.js", scripts.latest, {"name": "embed.js"}, name="embed-js"),
    path("count.js", scripts.latest, {"name": "count.js"}, name="count-js"),
    path("embed/login/", views.popup_login, name="embed-login"),
    re_path(
        r"^embed/(?P<version>[0-9a-f]{12})/(?P<name>embed\.js|count\.js)$",
        scripts.versioned,
        name="embed-script",
    ),
]
