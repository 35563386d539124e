"""The catalogues: Serbian Cyrillic is the Latin transliterated (same ids, each string
letter for letter, placeholders and markup kept), nothing left untranslated."""

import pytest

from articles import catalogues
from articles.catalogues import catalogue_path, read_po, transliterate


@pytest.mark.parametrize(
    ("latin", "cyrillic"),
    [
        ("Komentari (%(count)s)", "Коментари (%(count)s)"),
        ("Ljubljana i Njegoš, džem", "Љубљана и Његош, џем"),
        ("API token i RSS", "API токен и RSS"),
        ("nadživeti", "надживети"),
        (
            '<a href="%(front)s">Idite na naslovnu stranu</a>',
            '<a href="%(front)s">Идите на насловну страну</a>',
        ),
        ("[linkovi](https://example.com)", "[линкови](https://example.com)"),
        (
            "<code>Authorization: Token &lt;key&gt;</code> zaglavlje",
            "<code>Authorization: Token &lt;key&gt;</code> заглавље",
        ),
        ("JPEG ili WebP slika, PDF", "JPEG или WebP слика, PDF"),
        ("{name} i %s", "{name} и %s"),
        (
            'Pošaljite "Bearer" i "slug" preko "http(s)"',
            'Пошаљите "Bearer" и "slug" преко "http(s)"',
        ),
    ],
)
def test_transliteration_keeps_what_is_not_serbian(latin, cyrillic):
    assert transliterate(latin) == cyrillic


@pytest.mark.parametrize("domain", catalogues.DOMAINS)
def test_the_cyrillic_catalogue_is_the_latin_one_transliterated(domain):
    latin = {e.key: e for e in read_po(catalogue_path("sr_Latn", domain))}
    cyrillic = {e.key: e for e in read_po(catalogue_path("sr", domain))}
    assert cyrillic.keys() == latin.keys()
    for key, entry in latin.items():
        if key != (None, "", None):
            want = [transliterate(text) for text in entry.translations]
            assert cyrillic[key].translations == want, key


@pytest.mark.parametrize("locale", catalogues.LOCALES)
@pytest.mark.parametrize("domain", catalogues.DOMAINS)
def test_every_string_is_translated(locale, domain):
    assert catalogues.incomplete(catalogue_path(locale, domain)) == []


@pytest.mark.parametrize("locale", catalogues.LOCALES)
def test_plural_forms_are_declared(locale):
    header = read_po(catalogue_path(locale, "django"))[0].msgstr
    assert "Plural-Forms: nplurals=3;" in header


def test_the_compiled_catalogues_are_current():
    assert catalogues.stale_compiled(catalogue_path("es", "django").parents[2]) == []


def test_a_po_file_reads_back_as_written(tmp_path):
    path = catalogue_path("sr_Latn", "django")
    entries = read_po(path)
    catalogues.write_po(tmp_path / "copy.po", entries)
    again = read_po(tmp_path / "copy.po")
    assert [(e.key, e.translations, e.flags) for e in again] == [
        (e.key, e.translations, e.flags) for e in entries
    ]
