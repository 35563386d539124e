"""The export's lines, shared by writing and restoring: one JSON object a line, read
and written in chunks."""

import json
from collections.abc import Iterable, Iterator
from datetime import datetime
from itertools import islice

from django.utils.dateparse import parse_datetime

CHUNK = 1000


def json_line(row: dict) -> str:
    return json.dumps(row, ensure_ascii=False)


def chunks(rows: Iterable, size: int = CHUNK) -> Iterator[list]:
    rows = iter(rows)
    while chunk := list(islice(rows, size)):
        yield chunk


def reader_id(voter: str) -> int | None:
    """The account id in a reader's voter key ``u:<id>``; None for a guest's."""
    return int(voter[2:]) if voter.startswith("u:") and voter[2:].isdigit() else None


def username(user) -> str | None:
    """How a line names an account (its id means nothing on another database)."""
    return user.get_username() if user is not None else None


def parse_time(value) -> datetime | None:
    """A time as the export writes it (ISO 8601); None when missing or unreadable."""
    try:
        return parse_datetime(value) if isinstance(value, str) else None
    except ValueError:  # well formed but impossible, e.g. month 13
        return None


def keep_time(model, pk: int, field: str, value) -> None:
    """A row's own time, for a field the database sets on insert (``auto_now_add``)."""
    when = parse_time(value)
    if when is not None:
        model.objects.filter(pk=pk).update(**{field: when})
