from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.generic import DetailView, ListView

from articles import cache as page_cache
from articles import drawing
from articles.models import Article, Section


class FrontPageView(ListView):
    template_name = "articles/front_page.html"
    context_object_name = "articles"

    def get_paginate_by(self, queryset):
        return settings.ARTICLES_PER_PAGE

    def get_queryset(self):
        return Article.objects.published().for_list()


class SectionView(FrontPageView):
    template_name = "articles/section.html"

    def get_queryset(self):
        self.section = get_object_or_404(Section, slug=self.kwargs["slug"])
        return Article.objects.published().filter(section=self.section).for_list()

    def get_context_data(self, **kwargs):
        return super().get_context_data(section=self.section, **kwargs)


class ArticleDetailView(DetailView):
    template_name = "articles/article_detail.html"
    context_object_name = "article"

    def get_queryset(self):
        return Article.objects.visible_to(self.request.user).select_related("section")

    def get(self, request, *args, **kwargs):
        """Plain anonymous readers share one cached copy per article version (see
        ``articles.cache``): a hit costs the article's row and a cache read. Plain
        signed-in readers share another, with their own name, likes, stars and follow
        in its holes. ``X-Page-Cache`` says where the copy came from: ``hit``, ``miss``
        (drawn now), ``stale`` (the version before, while another request draws this
        one) or ``busy`` (a busy article's copy of the last redraw interval)."""
        # The one query of an anonymous hit; a miss renders from the same row.
        self.object = self.get_object()
        if self.object.is_outside:
            # Another site's page: its comments are read where they are embedded.
            return HttpResponseRedirect(self.object.external_url)
        if page_cache.page_cacheable(request):
            return self._shared(request, "", {})
        if page_cache.member_cacheable(request, self.object):
            return self._shared(request, page_cache.MEMBER, None)
        return self.render_to_response(self.get_context_data(object=self.object))

    def _shared(self, request, reader: str, values: dict | None):
        """The page from the shared copy for ``reader`` ("" anonymous, or
        ``page_cache.MEMBER``), drawn into it first if need be (or, while another
        request draws this version, the copy of the version before); ``values`` fills
        its holes (None: the signed-in reader's own, asked of the apps that wrote
        them)."""
        slot = page_cache.page_slot(request, self.object, reader=reader)
        key = page_cache.page_key(request, self.object, reader=reader)
        parts = page_cache.get_page(key)
        state = "hit"
        if parts is None:
            parts = drawing.busy_copy(slot)
            state = "busy"
        if parts is None and not drawing.claim_drawing(key):
            parts = drawing.latest_page(slot)
            state = "stale"
        if parts is None:
            state = "miss"
            try:
                response, parts = self._draw_shared(request, key, slot, reader)
            finally:
                drawing.drawing_done(key)
            if parts is None:
                return response
        if values is None:
            names = {name.decode() for name in parts[1::2]}
            values = page_cache.reader_values(request, self.object, names)
        response = HttpResponse(page_cache.fill_holes(parts, request, values))
        response["X-Page-Cache"] = state
        return response

    def _draw_shared(self, request, key: str, slot: str, reader: str):
        """``(response, parts)``: the copy drawn as a neutral reader and kept (parts to
        fill), or a response for this reader alone (parts None)."""
        if reader:
            page_cache.mark_member_copy(request)
        else:
            page_cache.mark_shared_copy(request)
        response = self.render_to_response(self.get_context_data(object=self.object))
        response.render()
        if page_cache.is_spoiled(request):
            # Something of this reader's own had no hole: their page, drawn anew.
            page_cache.unmark_shared_copy(request)
            return self.render_to_response(self.get_context_data(object=self.object)), None
        # Only a plain page is shared: nothing the render set for this one client.
        if response.status_code != 200 or response.cookies:
            return response, None
        html = response.content.decode()
        punched = page_cache.punch_holes(html, placed=page_cache.placed_holes(request))
        parts = page_cache.split_holes(html if punched is None else punched)
        if punched is not None:
            page_cache.set_page(key, parts)
            drawing.set_latest_page(slot, parts)
        # The reader's own values are theirs, not the neutral reader's just drawn.
        page_cache.unmark_shared_copy(request)
        return response, parts

    def get_context_data(self, **kwargs):
        latest = (
            Article.objects.published()
            .exclude(pk=self.object.pk)
            .for_list()
            .only("title", "slug", "published_at", "section__name", "section__slug")[:5]
        )
        return super().get_context_data(latest=latest, **kwargs)


class SearchView(FrontPageView):
    template_name = "articles/search.html"

    def get_queryset(self):
        self.query = self.request.GET.get("q", "").strip()
        return Article.objects.published().own().select_related("section").search(self.query)

    def get_context_data(self, **kwargs):
        return super().get_context_data(query=self.query, **kwargs)


@require_GET
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /api/",
        "Disallow: /accounts/",
        "Disallow: /search/",
        f"Sitemap: {request.build_absolute_uri('/sitemap.xml')}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


@never_cache
@require_GET
def healthz(request):
    """200 when the database answers a query, 503 otherwise (for load balancers)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "down"}, status=503)
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def livez(request):
    """200 "ok" while the process serves requests: no database, no session (liveness,
    where /healthz is readiness). Also the trivial view `make bench` measures against."""
    return HttpResponse("ok", content_type="text/plain")
