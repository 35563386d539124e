from unittest import mock

import pytest
from allauth.account.models import EmailAddress
from django.core.management.base import CommandError

from articles.models import Article
from comments.models import Comment
from portability import importing
from portability.models import ImportedComment
from tests.comments.test_xss import assert_harmless
from tests.factories import make_article, make_user
from tests.portability.conftest import FIXTURES, run_import

pytestmark = pytest.mark.django_db


def by_source(source_id: str) -> Comment:
    return ImportedComment.objects.get(source="disqus", source_id=source_id).comment


def test_report_counts_imports_and_each_skip_reason(disqus_file):
    assert run_import("disqus", disqus_file) == [
        "imported 7 comments in 2 threads, skipped 4",
        "  deleted without replies: 1",
        "  empty body: 1",
        "  orphan post: 1",
        "  unknown parent: 1",
    ]


def test_nested_replies_keep_parents_times_and_paths(disqus_file):
    run_import("disqus", disqus_file)
    first, reply, deeper = by_source("1001"), by_source("1002"), by_source("1003")
    assert (reply.parent, deeper.parent, deeper.depth) == (first, reply, 2)
    assert deeper.path == f"{first.path}/{reply.thread_path()}/{deeper.thread_path()}"
    assert reply.created_at.isoformat() == "2019-05-01T10:00:00+00:00"


def test_deleted_post_with_a_reply_stays_as_placeholder(disqus_file):
    run_import("disqus", disqus_file)
    assert by_source("1004").status == Comment.Status.DELETED
    assert by_source("1005").parent == by_source("1004")


def test_spam_stays_spam_and_is_not_counted(disqus_file):
    run_import("disqus", disqus_file)
    assert by_source("1007").status == Comment.Status.SPAM
    article = by_source("1001").article
    assert article.comment_count == article.comments.filter(status="approved").count() == 4


def test_guest_without_email_gets_a_placeholder_address(disqus_file):
    run_import("disqus", disqus_file)
    ben = by_source("1002")
    assert (ben.guest_name, ben.guest_email) == ("Ben", importing.NO_EMAIL)


def test_ip_address_is_kept(disqus_file):
    run_import("disqus", disqus_file)
    assert by_source("1001").ip_address == "203.0.113.5"


def test_unknown_url_becomes_an_outside_page_even_without_thread_id_or_title(disqus_file):
    run_import("disqus", disqus_file)
    page = Article.objects.get(external_url="https://blog.elsewhere.example/a-page?id=3")
    assert page.comments.count() == 1


def test_thread_on_one_of_our_articles_is_matched_by_its_page(disqus_file, settings):
    article = make_article(slug="story-one")
    mapping = f"https://old.example.org/2019/05/story-one/={settings.SITE_URL}/articles/story-one/"
    run_import("disqus", disqus_file, "--url-map", mapping)
    assert by_source("1001").article == article
    assert not Article.objects.filter(external_url__contains="old.example.org").exists()


def test_url_map_rewrites_a_moved_site(disqus_file):
    run_import(
        "disqus", disqus_file, "--url-map", "https://old.example.org/=https://new.example.org/"
    )
    assert by_source("1001").article.external_url == "https://new.example.org/2019/05/story-one/"


def test_non_ascii_and_paragraphs_survive(disqus_file):
    run_import("disqus", disqus_file)
    body = by_source("1001").body
    assert body.startswith("First! Ça marche — 日本語 too.\n\nSecond paragraph\nwith a break")
    assert "[a link](https://example.com/x)" in body


def test_html_in_bodies_is_inert(disqus_file):
    run_import("disqus", disqus_file)
    comment = by_source("1009")
    assert_harmless(comment.body_html)
    assert "javascript" not in comment.body_html


def test_second_run_creates_nothing_and_says_so(disqus_file):
    run_import("disqus", disqus_file)
    count = Comment.objects.count()
    report = run_import("disqus", disqus_file)
    assert report[0] == "imported 0 comments in 0 threads, skipped 11"
    assert "  already imported: 7" in report
    assert Comment.objects.count() == count


def test_dry_run_writes_nothing(disqus_file):
    report = run_import("disqus", disqus_file, "--dry-run")
    assert "imported 7 comments in 2 threads, skipped 4" in report
    assert Comment.objects.count() == Article.objects.count() == 0


def test_status_option_holds_everything_for_review_but_spam(disqus_file):
    run_import("disqus", disqus_file, "--status", "pending")
    assert by_source("1001").status == "pending"
    assert by_source("1007").status == "spam"
    assert by_source("1001").article.comment_count == 0


def test_link_accounts_attaches_a_verified_email_only_when_asked(disqus_file):
    ana = make_user("ana", email="ana@example.org")
    EmailAddress.objects.create(user=ana, email="ana@example.org", verified=True)
    run_import("disqus", disqus_file)
    assert by_source("1001").user is None
    Comment.objects.all().delete()
    ImportedComment.objects.all().delete()
    run_import("disqus", disqus_file, "--link-accounts")
    assert by_source("1001").user == ana


def test_unverified_email_is_not_linked(disqus_file):
    cy = make_user("cy", email="cy@example.org")
    EmailAddress.objects.create(user=cy, email="cy@example.org", verified=False)
    run_import("disqus", disqus_file, "--link-accounts")
    assert by_source("1003").user is None


def test_a_crash_leaves_whole_threads_and_the_rerun_finishes(disqus_file):
    real = importing.article_for
    calls = []

    def second_thread_fails(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("power cut")
        return real(*args, **kwargs)

    with (
        mock.patch.object(importing, "article_for", second_thread_fails),
        pytest.raises(RuntimeError),
    ):
        run_import("disqus", disqus_file)
    assert Comment.objects.count() == 6  # thread one, whole; none of thread two
    assert run_import("disqus", disqus_file)[0].startswith("imported 1 comments in 1 threads")
    assert Comment.objects.count() == 7


@pytest.mark.parametrize("name", ["billion_laughs.xml", "xxe.xml"])
def test_entity_tricks_are_refused(name):
    with pytest.raises(CommandError, match="cannot import"):
        run_import("disqus", FIXTURES / name)
    assert Article.objects.count() == 0


def test_every_xss_payload_inside_an_export_stays_inert(tmp_path):
    from xml.sax.saxutils import escape

    from tests.comments.test_xss import PAYLOADS

    posts = "".join(
        f'<post dsq:id="x{n}"><message>{escape(payload)}</message>'
        f"<createdAt>2020-01-01T00:00:00Z</createdAt><author><name>X</name></author>"
        f'<thread dsq:id="1"/></post>'
        for n, payload in enumerate(PAYLOADS)
    )
    path = tmp_path / "xss.xml"
    path.write_text(
        '<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">'
        '<thread dsq:id="1"><link>https://x.example/p</link></thread>' + posts + "</disqus>"
    )
    report = run_import("disqus", path)
    for comment in Comment.objects.all():
        assert_harmless(comment.body_html)
    empty = int(next((r.split(": ")[1] for r in report if "empty body" in r), 0))
    assert Comment.objects.count() + empty == len(PAYLOADS) >= 52


def test_replies_below_the_display_cap_attach_as_comment_create_does(tmp_path, settings):
    settings.COMMENTS_MAX_DEPTH = 2
    posts = "".join(
        f'<post dsq:id="d{n}"><message>level {n}</message><author><name>A</name></author>'
        f'<createdAt>2020-01-01T00:0{n}:00Z</createdAt><thread dsq:id="1"/>'
        + (f'<parent dsq:id="d{n - 1}"/>' if n else "")
        + "</post>"
        for n in range(4)
    )
    path = tmp_path / "deep.xml"
    path.write_text(
        '<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">'
        '<thread dsq:id="1"><link>https://x.example/p</link></thread>' + posts + "</disqus>"
    )
    run_import("disqus", path)
    top, one, two, three = (by_source(f"d{n}") for n in range(4))
    assert [c.depth for c in (top, one, two, three)] == [0, 1, 1, 1]
    assert (two.parent, two.reply_to, three.parent, three.reply_to) == (top, one, top, two)
    assert three.path == f"{top.path}/{three.thread_path()}"
