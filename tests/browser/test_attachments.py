"""Attachments in the comment form: "Add file" with JavaScript, plain inputs without."""

import pytest
from playwright.sync_api import expect

from comments.models import Comment
from tests.comments import files
from tests.factories import make_article


@pytest.fixture(autouse=True)
def _setup(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.COMMENTS_MODERATION = "none"


@pytest.fixture
def chosen(tmp_path):
    """Two images and a PDF, written to disk for the file picker."""
    paths = {
        "photo.jpg": files.jpeg_with_gps(),
        "chart.png": files.png_with_text(),
        "report.pdf": files.PDF,
    }
    for name, data in paths.items():
        (tmp_path / name).write_bytes(data)
    return [str(tmp_path / name) for name in paths]


def fill_guest_form(page, body):
    page.get_by_label("Name", exact=True).fill("Ada Guest")
    page.get_by_label("Email", exact=True).fill("ada@example.com")
    page.get_by_label("Comment", exact=True).fill(body)


def test_guest_attaches_two_images_and_a_pdf_and_sees_them_without_a_reload(
    page, transactional_db, chosen
):
    article = make_article()
    page.goto(article.get_absolute_url())
    page.evaluate("window.__marker = 1")
    fill_guest_form(page, "Three files")
    add = page.get_by_role("button", name="Add file")
    expect(page.get_by_text("Attachments (0 / 3)")).to_be_visible()

    with page.expect_file_chooser() as chooser:
        add.click()
    chooser.value.set_files(chosen[:2])
    expect(page.get_by_text("Attachments (2 / 3)")).to_be_visible()
    page.locator("[data-attachments-picker]").set_input_files(chosen[2])

    expect(page.get_by_text("Attachments (3 / 3)")).to_be_visible()
    expect(add).to_be_disabled()
    expect(page.locator(".attachments__item")).to_have_count(3)
    expect(page.locator(".attachments__preview")).to_have_count(2)
    page.get_by_role("button", name="Submit").click()

    comment = page.locator("article.comment", has_text="Three files")
    expect(comment.locator(".attachment__thumb img")).to_have_count(2)
    expect(comment.get_by_role("img", name="photo.jpg")).to_be_visible()
    expect(comment.get_by_role("link", name="report.pdf")).to_be_visible()
    expect(comment.locator(".attachment__meta")).to_have_text("PDF · 136\xa0bytes")
    loaded = "els => els.length === 2 && els.every(img => img.complete && img.naturalWidth > 0)"
    page.wait_for_function(f"() => ({loaded})([...document.querySelectorAll('.comment--new img')])")
    expect(page.get_by_text("Attachments (0 / 3)")).to_be_visible()
    assert page.evaluate("window.__marker") == 1
    assert Comment.objects.get().attachments.count() == 3


def test_removing_a_chosen_file_frees_the_add_button(page, transactional_db, chosen):
    page.goto(make_article().get_absolute_url())
    page.locator("[data-attachments-picker]").set_input_files(chosen)
    add = page.get_by_role("button", name="Add file")
    expect(add).to_be_disabled()

    page.get_by_role("button", name="Remove chart.png").click()

    expect(page.get_by_text("Attachments (2 / 3)")).to_be_visible()
    expect(add).to_be_enabled()
    expect(page.locator(".attachments__name")).to_have_text(["photo.jpg", "report.pdf"])


def test_a_refused_file_is_shown_next_to_the_files(page, transactional_db, tmp_path):
    (tmp_path / "innocent.png").write_bytes(files.HTML)
    page.goto(make_article().get_absolute_url())
    fill_guest_form(page, "Sneaky")
    page.locator("[data-attachments-picker]").set_input_files(str(tmp_path / "innocent.png"))
    page.get_by_role("button", name="Submit").click()

    error = page.locator("#id_attachments_error")
    expect(error).to_contain_text("innocent.png: Web pages, SVG and scripts are not allowed.")
    expect(page.get_by_label("Comment", exact=True)).to_have_value("Sneaky")
    assert Comment.objects.count() == 0


def test_files_post_with_javascript_off(browser, live_server, transactional_db, chosen):
    article = make_article()
    context = browser.new_context(java_script_enabled=False, base_url=live_server.url)
    page = context.new_page()
    page.goto(article.get_absolute_url())

    fill_guest_form(page, "Posted with files and JavaScript off")
    for n, path in enumerate(chosen, start=1):
        page.get_by_label(f"File {n}", exact=True).set_input_files(path)
    page.get_by_role("button", name="Submit").click()

    expect(page.get_by_text("Your comment has been posted.")).to_be_visible()
    comment = page.locator("article.comment", has_text="Posted with files and JavaScript off")
    expect(comment.locator(".attachment__thumb img")).to_have_count(2)
    expect(comment.get_by_role("link", name="report.pdf")).to_be_visible()
    assert Comment.objects.get().attachments.count() == 3
    context.close()


def refusals(page):
    return page.locator("[data-attachments]").get_by_role("status")


def test_fourth_file_is_refused_at_once_with_the_reason(page, transactional_db, chosen, tmp_path):
    (tmp_path / "fourth.txt").write_text("One too many")
    page.goto(make_article().get_absolute_url())

    page.locator("[data-attachments-picker]").set_input_files(
        [*chosen, str(tmp_path / "fourth.txt")]
    )

    expect(page.get_by_text("Attachments (3 / 3)")).to_be_visible()
    expect(refusals(page)).to_contain_text(
        "fourth.txt was not added. A comment can have at most 3 attachments."
    )


def test_a_file_type_the_server_refuses_is_refused_at_once(page, transactional_db, tmp_path):
    (tmp_path / "evil.exe").write_bytes(b"MZ\x90\x00" * 64)
    page.goto(make_article().get_absolute_url())

    page.locator("[data-attachments-picker]").set_input_files(str(tmp_path / "evil.exe"))

    expect(page.get_by_text("Attachments (0 / 3)")).to_be_visible()
    expect(refusals(page)).to_contain_text(
        "evil.exe was not added. This type of file is not allowed. Attach a JPEG, PNG, GIF"
    )
    expect(page.locator(".attachments__item")).to_have_count(0)


def test_a_file_over_the_size_limit_is_refused_at_once(page, transactional_db, tmp_path, settings):
    settings.COMMENTS_ATTACHMENT_MAX_BYTES = 2048
    (tmp_path / "long.txt").write_text("a" * 4096)
    page.goto(make_article().get_absolute_url())

    page.locator("[data-attachments-picker]").set_input_files(str(tmp_path / "long.txt"))

    expect(refusals(page)).to_contain_text(
        "long.txt is too large and was not added. Files can be at most 2.0 KB."
    )
    expect(page.locator(".attachments__item")).to_have_count(0)
