"""The embedding API: a page's thread by its address, comment counts for listing pages,
and the single sign-on exchange."""

import re

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, ParseError, Throttled, ValidationError
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from articles import cache as page_cache
from articles import ratelimit
from articles.api import RatingSummarySerializer
from articles.models import Article
from embedding import counts, origins, sso
from embedding.models import EmbedSite
from embedding.services import EmbedError, outside_page_get_or_create, sso_login

MAX_COUNTS = 50
_OWN_ARTICLE = re.compile(r"^/articles/(?P<slug>[-a-zA-Z0-9_]+)/$")


class ThreadSerializer(serializers.Serializer):
    slug = serializers.CharField()
    url = serializers.CharField()
    title = serializers.CharField()
    comment_count = serializers.IntegerField()
    rating = RatingSummarySerializer()
    comments_open = serializers.BooleanField(help_text="Whether a new comment is taken now.")
    ratings_enabled = serializers.BooleanField()
    edit_window = serializers.IntegerField(
        help_text="Seconds within which an author may change or delete a new comment."
    )


class CountSerializer(serializers.Serializer):
    url = serializers.CharField(allow_null=True)
    slug = serializers.CharField(allow_null=True)
    comment_count = serializers.IntegerField()
    rating = RatingSummarySerializer()


class CountsSerializer(serializers.Serializer):
    results = CountSerializer(many=True)


def _page_url(request, article: Article) -> str:
    return article.external_url or request.build_absolute_uri(article.get_absolute_url())


def _summary(request, article: Article) -> dict:
    return {
        "url": _page_url(request, article),
        "slug": article.slug,
        "comment_count": article.comment_count,
        "rating": {"average": article.rating_average, "count": article.rating_count},
    }


def _own_slug(request, url: str) -> str | None:
    """The slug when ``url`` is one of newsite's own article pages."""
    if origins.origin_of(url) != origins.normalise_origin(request.build_absolute_uri("/")):
        return None
    match = _OWN_ARTICLE.match(url.split("?", 1)[0][len(origins.origin_of(url)) :])
    return match["slug"] if match else None


def _sender_origin(request) -> str | None:
    try:
        return origins.normalise_origin(request.headers["Origin"])
    except (KeyError, ValueError):
        return None


class ThreadView(APIView):
    """A page's thread by its address: one of newsite's articles, or another site's page
    (made on first use when that site may embed newsite). The comment and rating
    endpoints then work by its ``slug``."""

    @extend_schema(
        parameters=[
            OpenApiParameter("url", str, required=True, description="The page's address."),
            OpenApiParameter(
                "title", str, description="The page's title, for a page seen the first time."
            ),
        ],
        responses=ThreadSerializer,
    )
    def get(self, request):
        raw = request.query_params.get("url", "")
        try:
            url = origins.normalise_page_url(raw)
        except ValueError:
            raise ValidationError(
                {"url": [_("Send the page's absolute http(s) address.")]}
            ) from None
        slug = _own_slug(request, url)
        if slug is not None:
            article = Article.objects.published().filter(slug=slug).first()
        else:
            try:
                article, _created = outside_page_get_or_create(
                    url=url,
                    title=request.query_params.get("title", ""),
                    origin=_sender_origin(request),
                    ip_address=ratelimit.client_ip(request),
                )
            except EmbedError as error:
                raise NotFound(str(error)) from None
            except ratelimit.RateLimited as error:
                raise Throttled(
                    wait=error.retry_after,
                    detail=_("Too many new pages were started from here; try again later."),
                ) from None
            article = article if article.is_public else None
        if article is None:
            raise NotFound(_("No such page."))
        data = _summary(request, article)
        data.update(
            title=article.title,
            comments_open=article.accepting_comments,
            ratings_enabled=article.ratings_enabled,
            edit_window=settings.COMMENTS_EDIT_WINDOW,
        )
        return Response(data)


class CountsView(APIView):
    """Comment counts and ratings for up to 50 pages (``url=`` and ``slug=``, repeated),
    in one query, kept in the cache by the site's engagement generation
    (``embedding.counts``): a repeat costs no query, a change shows at once. A page
    newsite does not know yet counts zero (``slug`` null). The answer is the same for
    everyone, so no credentials are read."""

    authentication_classes = []

    @extend_schema(
        parameters=[
            OpenApiParameter("url", str, many=True, description="Pages' addresses."),
            OpenApiParameter("slug", str, many=True, description="Articles' slugs."),
        ],
        responses=CountsSerializer,
    )
    def get(self, request):
        urls = request.query_params.getlist("url")
        slugs = request.query_params.getlist("slug")
        if not urls and not slugs:
            raise ValidationError({"url": [_("Send at least one url or slug.")]})
        if len(urls) + len(slugs) > MAX_COUNTS:
            raise ValidationError({"url": [_("Ask for at most 50 pages at a time.")]})
        wanted = []  # (what was asked, normalised url or None, slug or None)
        for raw in urls:
            try:
                url = origins.normalise_page_url(raw)
            except ValueError:
                raise ValidationError({"url": [_("Send absolute http(s) addresses.")]}) from None
            wanted.append((raw, url, _own_slug(request, url)))
        wanted += [(None, None, slug) for slug in slugs]
        asked = (request.scheme, request.get_host(), tuple(wanted))
        results = counts.cached_counts(asked, lambda: _counts(request, wanted))
        response = Response({"results": results})
        response["ETag"] = page_cache.make_etag("counts", asked, results)
        response["Cache-Control"] = f"public, max-age={settings.EMBED_COUNTS_MAX_AGE}"
        return response


def _counts(request, wanted: list[tuple]) -> list[dict]:
    by_url = {url for _raw, url, slug in wanted if url and not slug}
    by_slug = {slug for _raw, _url, slug in wanted if slug}
    # One query, however many pages.
    found = list(
        Article.objects.published()
        .filter(Q(external_url__in=by_url) | Q(slug__in=by_slug))
        .only("slug", "external_url", "comment_count", "rating_count", "rating_sum")
    )
    articles = {a.external_url: a for a in found if a.external_url}
    articles.update({a.slug: a for a in found})
    results = []
    for raw, url, slug in wanted:
        article = articles.get(slug or url)
        if article is not None:
            results.append(_summary(request, article))
        else:
            empty = {"average": 0, "count": 0}
            results.append({"url": url or raw, "slug": None, "comment_count": 0, "rating": empty})
    return results


class SsoInputSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=4096, help_text="The JWT your site signed.")
    url = serializers.CharField(
        required=False,
        max_length=500,
        help_text="The page's address; names the site when no Origin header is sent.",
    )


class SsoSessionSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send as `Authorization: Bearer <token>`.")
    expires_in = serializers.IntegerField(help_text="Seconds.")
    name = serializers.CharField()


class SsoExchangeView(APIView):
    """Exchange the host's signed token (single sign-on) for a newsite session token.
    The site is the request's ``Origin`` (or the ``url``'s origin without one)."""

    authentication_classes = []
    parser_classes = [JSONParser]

    @extend_schema(request=SsoInputSerializer, responses={200: SsoSessionSerializer})
    def post(self, request):
        data = SsoInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        origin = _sender_origin(request)
        if origin is None and data.validated_data.get("url"):
            try:
                origin = origins.origin_of(origins.normalise_page_url(data.validated_data["url"]))
            except ValueError:
                raise ParseError(_("Send the page's absolute http(s) address.")) from None
        site = EmbedSite.objects.filter(origin=origin, active=True).first() if origin else None
        if site is None:
            return _unauthorized(_("This site may not sign readers in here."))
        try:
            sub, reader = sso.sso_reader_from_token(site=site, token=data.validated_data["token"])
        except sso.SsoError as error:
            return _unauthorized(str(error))
        identity = sso_login(site=site, sub=sub, reader=reader)
        return Response(
            {
                "token": sso.session_token(identity),
                "expires_in": sso.session_max_age(),
                "name": identity.user.public_name,
            },
            status=status.HTTP_200_OK,
        )


def _unauthorized(message: str) -> Response:
    response = Response({"detail": message}, status=status.HTTP_401_UNAUTHORIZED)
    response["WWW-Authenticate"] = sso.KEYWORD
    return response
