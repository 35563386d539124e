"""The site's translation catalogues (``locale/``): reading and writing PO files, the
Serbian Cyrillic catalogue made from the Latin one, and the checks ``make lint`` runs.

Serbian is written in two alphabets that map letter for letter, so ``sr`` (Cyrillic)
is never edited by hand: ``manage.py translit_catalog`` writes it from ``sr_Latn``, and
a test holds the two in step. Placeholders (``%(count)s``, ``{name}``), HTML tags and
entities, URLs, ``<code>`` and acronyms (PDF, RSS) are kept as written.

A small PO reader and writer of our own (the standard library has none, and the site
needs nothing beyond what ``makemessages`` writes).
"""

import gettext
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

DOMAINS = ("django", "djangojs")
# The languages with a catalogue, as directories under locale/ (English is the source).
LOCALES = ("sr_Latn", "sr", "es")
CYRILLIC_FROM = "sr_Latn"
CYRILLIC_TO = "sr"


# --- PO files -----------------------------------------------------------------------------
@dataclass
class Entry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: str = ""
    msgstr_plural: dict[int, str] = field(default_factory=dict)
    comments: list[str] = field(default_factory=list)  # "#." "#:" "#|" "# " lines as read
    flags: list[str] = field(default_factory=list)
    obsolete: bool = False

    @property
    def key(self) -> tuple:
        return (self.msgctxt, self.msgid, self.msgid_plural)

    @property
    def translations(self) -> list[str]:
        if self.msgid_plural is not None:
            return [self.msgstr_plural[n] for n in sorted(self.msgstr_plural)]
        return [self.msgstr]

    @property
    def is_translated(self) -> bool:
        return all(self.translations) and bool(self.translations)


_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "r": "\r"}


def _unquote(text: str) -> str:
    text = text.strip()
    if not (text.startswith('"') and text.endswith('"')):
        raise ValueError(f"not a PO string: {text!r}")
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), text[1:-1])


def _quote(text: str) -> str:
    body = text.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t")
    lines = body.split("\n")
    parts = [line + "\\n" for line in lines[:-1]] + ([lines[-1]] if lines[-1] else [])
    if len(parts) <= 1 and len(body) < 70:
        return f'"{parts[0] if parts else ""}"'
    return '""\n' + "\n".join(f'"{part}"' for part in parts)


def read_po(path: Path) -> list[Entry]:
    """Every entry of a PO file (entries are separated by blank lines, as
    ``makemessages`` and ``write_po`` write them), the header (msgid "") first."""
    entries = []
    for block in re.split(r"\n\s*\n", Path(path).read_text(encoding="utf-8")):
        entry, target, plural_n = Entry(), None, 0
        for raw in block.splitlines():
            line = raw
            if line.startswith("#~"):
                entry.obsolete, line = True, line[2:].lstrip()
                if not line:
                    continue
            if line.startswith("#,"):
                entry.flags += [f.strip() for f in line[2:].split(",") if f.strip()]
                continue
            if line.startswith("#"):
                entry.comments.append(line)
                continue
            if line.startswith('"'):
                if target == "msgstr_plural":
                    entry.msgstr_plural[plural_n] += _unquote(line)
                else:
                    setattr(entry, target, (getattr(entry, target) or "") + _unquote(line))
                continue
            keyword, _space, rest = line.partition(" ")
            match = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
            if match:
                target, plural_n = "msgstr_plural", int(match.group(1))
                entry.msgstr_plural[plural_n] = _unquote(rest)
            elif keyword in ("msgid", "msgctxt", "msgid_plural", "msgstr"):
                target = keyword
                setattr(entry, keyword, _unquote(rest))
            else:
                raise ValueError(f"{path}: cannot read {raw!r}")
        if target is not None:
            entries.append(entry)
    return entries


def write_po(path: Path, entries: list[Entry]) -> None:
    out = []
    for entry in entries:
        # Comments, then flags, then the previous msgid of a fuzzy entry ("#|").
        lines = [c for c in entry.comments if not c.startswith("#|")]
        if entry.flags:
            lines.append("#, " + ", ".join(entry.flags))
        lines += [c for c in entry.comments if c.startswith("#|")]
        prefix = "#~ " if entry.obsolete else ""
        if entry.msgctxt is not None:
            lines.append(prefix + "msgctxt " + _quote(entry.msgctxt))
        lines.append(prefix + "msgid " + _quote(entry.msgid))
        if entry.msgid_plural is not None:
            lines.append(prefix + "msgid_plural " + _quote(entry.msgid_plural))
            for n in sorted(entry.msgstr_plural):
                lines.append(prefix + f"msgstr[{n}] " + _quote(entry.msgstr_plural[n]))
        else:
            lines.append(prefix + "msgstr " + _quote(entry.msgstr))
        out.append("\n".join(lines))
    Path(path).write_text("\n\n".join(out) + "\n", encoding="utf-8")


def catalogue_path(locale: str, domain: str, root: Path | None = None) -> Path:
    root = Path(root or settings.LOCALE_PATHS[0])
    return root / locale / "LC_MESSAGES" / f"{domain}.po"


# --- Serbian: Latin to Cyrillic -----------------------------------------------------------
_LATIN = {
    "lj": "љ", "nj": "њ", "dž": "џ", "Lj": "Љ", "LJ": "Љ", "Nj": "Њ", "NJ": "Њ", "Dž": "Џ",
    "DŽ": "Џ", "a": "а", "b": "б", "c": "ц", "č": "ч", "ć": "ћ", "d": "д", "đ": "ђ",
    "e": "е", "f": "ф", "g": "г", "h": "х", "i": "и", "j": "ј", "k": "к", "l": "л",
    "m": "м", "n": "н", "o": "о", "p": "п", "r": "р", "s": "с", "š": "ш", "t": "т",
    "u": "у", "v": "в", "z": "з", "ž": "ж", "A": "А", "B": "Б", "C": "Ц", "Č": "Ч",
    "Ć": "Ћ", "D": "Д", "Đ": "Ђ", "E": "Е", "F": "Ф", "G": "Г", "H": "Х", "I": "И",
    "J": "Ј", "K": "К", "L": "Л", "M": "М", "N": "Н", "O": "О", "P": "П", "R": "Р",
    "S": "С", "Š": "Ш", "T": "Т", "U": "У", "V": "В", "Z": "З", "Ž": "Ж",
}  # fmt: skip
_LETTERS = re.compile("|".join(sorted(map(re.escape, _LATIN), key=len, reverse=True)))
# Where two letters that look like a digraph belong to two parts of a word.
_SPLIT_DIGRAPHS = {"nadž": "надж", "podž": "подж", "injek": "инјек", "konjunk": "конјунк"}
# Kept as written: placeholders, tags (and <code>…</code>), entities, URLs and e-mail
# addresses, acronyms, words with letters Serbian does not have (WebP, Markdown), and
# a name from a protocol or an API quoted in ASCII double quotes ("Bearer", "slug").
_KEEP = re.compile(
    r"<code>.*?</code>|<[^>]*>|&[#\w]+;|%\(\w+\)[sd]|%[sd%]|\{\w*\}|\"[A-Za-z0-9_.:/() -]+\""
    r"|https?://[^\s<>\"')]+|[\w.+-]+@[\w.-]+\w|\b[A-ZČĆŽŠĐ]{2,}\w*|\b\w*[qwxyQWXY]\w*\b",
    re.DOTALL,
)


def _letters(text: str) -> str:
    for latin, cyrillic in _SPLIT_DIGRAPHS.items():
        text = re.sub(latin, lambda m, c=cyrillic: _case_like(m.group(0), c), text, flags=re.I)
    return _LETTERS.sub(lambda m: _LATIN[m.group(0)], text)


def _case_like(original: str, cyrillic: str) -> str:
    return (
        cyrillic.upper()
        if original.isupper()
        else cyrillic.capitalize()
        if original[0].isupper()
        else cyrillic
    )


def transliterate(text: str) -> str:
    """Serbian Latin → Cyrillic, leaving what is not Serbian words as it is."""
    out, last = [], 0
    for match in _KEEP.finditer(text):
        out.append(_letters(text[last : match.start()]))
        out.append(match.group(0))
        last = match.end()
    out.append(_letters(text[last:]))
    return "".join(out)


def cyrillic_entries(latin: list[Entry]) -> list[Entry]:
    """The ``sr`` catalogue's entries from ``sr_Latn``'s: the same ids, every
    translation transliterated, the header naming the language ``sr``."""
    result = []
    for entry in latin:
        copy = Entry(
            msgid=entry.msgid,
            msgctxt=entry.msgctxt,
            msgid_plural=entry.msgid_plural,
            comments=[c for c in entry.comments if not c.startswith("# ")],
            flags=list(entry.flags),
            obsolete=entry.obsolete,
        )
        if entry.msgid == "" and entry.msgctxt is None:
            copy.msgstr = re.sub(r"Language: sr_Latn", "Language: sr", entry.msgstr)
            copy.comments = [
                "# Serbian (Cyrillic). Generated from sr_Latn: manage.py translit_catalog"
            ]
        else:
            copy.msgstr = transliterate(entry.msgstr)
            copy.msgstr_plural = {n: transliterate(s) for n, s in entry.msgstr_plural.items()}
        result.append(copy)
    return result


def write_cyrillic(root: Path | None = None) -> list[Path]:
    written = []
    for domain in DOMAINS:
        source = catalogue_path(CYRILLIC_FROM, domain, root)
        target = catalogue_path(CYRILLIC_TO, domain, root)
        target.parent.mkdir(parents=True, exist_ok=True)
        write_po(target, cyrillic_entries(read_po(source)))
        written.append(target)
    return written


# --- Checks (make lint) -------------------------------------------------------------------
def incomplete(path: Path) -> list[str]:
    """Entries of a catalogue that are untranslated or fuzzy (the header aside)."""
    problems = []
    for entry in read_po(path):
        if entry.obsolete or (entry.msgid == "" and entry.msgctxt is None):
            continue
        if "fuzzy" in entry.flags:
            problems.append(f"{path}: fuzzy: {entry.msgid!r}")
        elif not entry.is_translated:
            problems.append(f"{path}: untranslated: {entry.msgid!r}")
    return problems


_SKIP_COPY = shutil.ignore_patterns(
    ".git", ".venv", "__pycache__", "*.pyc", "media", "staticfiles", "node_modules",
    "*.sqlite3*", "bench", "docs", ".ci",
)  # fmt: skip


def fresh_catalogues(base: Path, workdir: Path) -> Path:
    """Copies the project into ``workdir`` and runs ``makemessages`` there (never on the
    tracked ``locale/``); returns the copy's ``locale`` directory."""
    copy = workdir / "project"
    shutil.copytree(base, copy, ignore=_SKIP_COPY, symlinks=True)
    for domain in DOMAINS:
        command = [sys.executable, "manage.py", "makemessages", "--domain", domain]
        command += [f"--locale={locale}" for locale in LOCALES]
        command += ["--ignore=tests/*", "--ignore=static/vendor/*", "--add-location=file"]
        if domain == "djangojs":
            command += ["--ignore=staticfiles/*", "--ignore=static/swagger*"]
        subprocess.run(command, cwd=copy, check=True, capture_output=True)  # noqa: S603
    return copy / "locale"


def missing_from_catalogues(base: Path) -> list[str]:
    """Strings marked in the code but not in a catalogue, and catalogue entries whose
    string is no longer in the code."""
    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        fresh = fresh_catalogues(base, Path(tmp))
        for locale in LOCALES:
            for domain in DOMAINS:
                wanted = {e.key for e in read_po(catalogue_path(locale, domain, fresh))}
                tracked_path = catalogue_path(locale, domain, base / "locale")
                have = {e.key for e in read_po(tracked_path) if not e.obsolete}
                problems += [
                    f"{tracked_path}: missing: {k[1]!r}" for k in sorted(wanted - have, key=str)
                ]
                problems += [
                    f"{tracked_path}: no longer used: {k[1]!r}"
                    for k in sorted(have - wanted, key=str)
                ]
    return problems


def stale_compiled(root: Path) -> list[str]:
    """Compiled catalogues (.mo) that do not say what their .po says."""
    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        for locale in LOCALES:
            for domain in DOMAINS:
                po = catalogue_path(locale, domain, root)
                mo = po.with_suffix(".mo")
                fresh = Path(tmp) / f"{locale}-{domain}.mo"
                subprocess.run(["msgfmt", "-o", str(fresh), str(po)], check=True)  # noqa: S603, S607
                if not mo.exists():
                    problems.append(f"{mo}: missing (run manage.py compilemessages)")
                    continue
                with mo.open("rb") as have, fresh.open("rb") as want:
                    if (
                        gettext.GNUTranslations(have)._catalog
                        != gettext.GNUTranslations(want)._catalog
                    ):
                        problems.append(f"{mo}: stale (run manage.py compilemessages)")
    return problems
