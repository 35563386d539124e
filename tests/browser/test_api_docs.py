from urllib.parse import urlsplit

from playwright.sync_api import expect


def test_api_docs_render_without_asking_any_other_host(page, live_server, transactional_db):
    hosts = set()
    page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))
    page.goto("/api/docs/")
    expect(page.get_by_text("/api/v1/articles/", exact=True).first).to_be_visible()
    assert hosts == {urlsplit(live_server.url).netloc}
