"""Attachments through the page's comment and edit forms (JavaScript off)."""

import pytest

from comments import attachments
from comments.models import Attachment, Comment
from tests.comments import files
from tests.factories import make_article, make_comment

pytestmark = pytest.mark.django_db

GUEST = {"name": "Ada", "email": "ada@example.com", "body": "See the files."}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.COMMENTS_MODERATION = "none"
    return tmp_path


def stored_files(media):
    return [p for p in media.rglob("*") if p.is_file()]


def post_comment(client, article, *uploads, **data):
    return client.post(
        f"/articles/{article.slug}/comments/post/",
        {**GUEST, **data, "attachments": list(uploads)},
    )


def png(name="chart.png"):
    return files.upload(files.png_with_text(), name, "image/png")


def pdf(name="report.pdf"):
    return files.upload(files.PDF, name, "application/pdf")


def prepared(n):
    return [attachments.prepare(png(f"p{i}.png")) for i in range(n)]


def edit(client, comment, *uploads, **data):
    return client.post(
        f"/comments/{comment.pk}/edit/",
        {"body": comment.body, **data, "attachments": list(uploads)},
        headers={"X-Comment-Token": comment.edit_token},
    )


def test_form_shows_the_counter_the_file_inputs_and_the_limits(client):
    html = client.get(make_article().get_absolute_url()).content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert "Attachments (<span data-attachments-count>0</span> / 3)" in html
    assert html.count('type="file" name="attachments"') == 3
    assert 'accept="image/jpeg,image/png,image/gif,image/webp,application/pdf,text/plain"' in html
    assert "up to 5 MB each" in html


def test_guest_posts_an_image_and_a_pdf_with_the_comment(client):
    article = make_article()
    response = post_comment(client, article, png(), pdf())
    assert response.status_code == 303
    comment = Comment.objects.get()
    image, document = comment.attachments.all()
    html = client.get(article.get_absolute_url()).content.decode()
    assert f'<a class="attachment__thumb" href="{image.get_absolute_url()}"' in html
    assert f'<img src="{image.get_thumbnail_url()}" alt="chart.png" width="40" height="30"' in html
    assert 'loading="lazy"' in html
    assert f'href="{document.get_absolute_url()}">report.pdf</a>' in html
    assert "PDF · 136\xa0bytes" in html


def test_html_renamed_png_is_a_form_error_naming_the_file(client, media):
    response = post_comment(client, make_article(), files.upload(files.HTML, "innocent.png"))
    html = response.content.decode()
    assert response.status_code == 400
    assert (
        'id="id_attachments_error"' in html
        and "innocent.png: Web pages, SVG and scripts are not allowed." in html
    )
    assert "Please choose your files again." in html
    assert "See the files.</textarea>" in html and 'value="Ada"' in html
    assert Comment.objects.count() == 0 and stored_files(media) == []


def test_a_bad_file_among_good_ones_saves_nothing(client, media):
    response = post_comment(client, make_article(), png(), files.upload(files.SVG, "logo.svg"))
    assert response.status_code == 400
    assert Comment.objects.count() == 0 and Attachment.objects.count() == 0
    assert stored_files(media) == []


def test_four_files_are_a_form_error_and_nothing_is_saved(client, media):
    response = post_comment(client, make_article(), png("a.png"), png("b.png"), pdf(), pdf())
    assert response.status_code == 400
    assert "A comment can have at most 3 attachments." in response.content.decode()
    assert Comment.objects.count() == 0 and stored_files(media) == []


def test_oversize_file_is_413_with_a_friendly_error(client, settings, media):
    settings.COMMENTS_ATTACHMENT_MAX_BYTES = 1024 * 1024
    big = files.PDF[:-6] + b" " * (1024 * 1024) + b"%%EOF\n"
    response = post_comment(client, make_article(), files.upload(big, "huge.pdf"))
    html = response.content.decode()
    assert response.status_code == 413
    assert "huge.pdf is too large. Files can be at most 1.0 MB." in html
    assert "See the files.</textarea>" in html
    assert Comment.objects.count() == 0 and stored_files(media) == []


def test_other_errors_ask_for_the_files_again(client):
    response = post_comment(client, make_article(), png(), body=" ")
    assert response.status_code == 400
    assert "Please choose your files again." in response.content.decode()


def test_edit_page_lists_attachments_with_a_remove_box(client):
    comment = make_comment(attachments=prepared(2))
    headers = {"X-Comment-Token": comment.edit_token}
    html = client.get(f"/comments/{comment.pk}/edit/", headers=headers).content.decode()
    assert "Attachments (2 / 3)" in html
    assert html.count('name="remove_attachments"') == 2
    assert html.count('type="file" name="attachments"') == 1


def test_edit_removes_an_attachment_and_its_files_after_commit(
    client, media, django_capture_on_commit_callbacks
):
    comment = make_comment(attachments=prepared(2))
    first, second = comment.attachments.all()
    with django_capture_on_commit_callbacks(execute=True):
        response = edit(client, comment, remove_attachments=[first.pk])
    assert response.status_code == 303
    assert list(comment.attachments.all()) == [second]
    assert not (media / first.file.name).exists() and not (media / first.thumbnail.name).exists()
    assert (media / second.file.name).exists()


def test_edit_adds_files_up_to_the_cap(client):
    comment = make_comment(attachments=prepared(1))
    response = edit(client, comment, png("b.png"), pdf())
    assert response.status_code == 303
    assert [a.name for a in comment.attachments.all()] == ["p0.png", "b.png", "report.pdf"]


def test_edit_refuses_files_beyond_the_cap(client, media):
    comment = make_comment(attachments=prepared(2))
    response = edit(client, comment, png("b.png"), pdf())
    assert response.status_code == 400
    assert "A comment can have at most 3 attachments" in response.content.decode()
    assert comment.attachments.count() == 2 and len(stored_files(media)) == 4


def test_edit_can_swap_a_file_when_full(client):
    comment = make_comment(attachments=prepared(3))
    first = comment.attachments.first()
    response = edit(client, comment, pdf(), remove_attachments=[first.pk])
    assert response.status_code == 303
    names = sorted(a.name for a in comment.attachments.all())
    assert names == ["p1.png", "p2.png", "report.pdf"]


def test_edit_that_loses_the_race_for_the_last_slot_is_a_form_error(client, monkeypatch, media):
    """Another upload took the free slot after the form counted: the service refuses,
    the text change is rolled back and no file is left behind."""
    comment = make_comment(attachments=prepared(2), body="Old text.")
    monkeypatch.setattr(
        "comments.forms.CommentEditForm.attachment_room", lambda self: 3, raising=True
    )
    response = edit(client, comment, png("b.png"), pdf(), body="New text.")
    assert response.status_code == 400
    assert "A comment can have at most 3 attachments." in response.content.decode()
    comment.refresh_from_db()
    assert comment.body == "Old text." and comment.attachments.count() == 2
    assert len(stored_files(media)) == 4


def test_deleted_placeholder_shows_no_attachments(client):
    from comments import services

    article = make_article()
    parent = make_comment(article, attachments=prepared(1))
    make_comment(article, parent=parent)
    services.comment_delete(comment=parent)
    html = client.get(article.get_absolute_url()).content.decode()
    assert "[deleted]" in html and "attachment__thumb" not in html


@pytest.mark.parametrize("comments", [1, 20])
def test_article_page_query_count_does_not_grow_with_attachments(
    client, django_assert_num_queries, comments
):
    article = make_article()
    for _ in range(comments):
        make_comment(article, attachments=prepared(3))
    assert Attachment.objects.count() == 3 * comments
    # 1. the article with its section, 2. the sidebar's latest articles, 3. navigation
    # sections, 4. the rating's distribution and the reader's vote, 5. count of threads,
    # 6. the page's thread roots, 7. every public comment of those threads with its
    # author, 8. their attachments, 9. the newsroom's picks, 10. the newsletter box's
    # lists, 11. the social box's posts (both cached after the first view). No likes: a
    # plain reader's page is the copy every reader is served.
    with django_assert_num_queries(11):
        response = client.get(article.get_absolute_url())
    assert response.content.decode().count('class="attachment__thumb"') == 3 * comments
