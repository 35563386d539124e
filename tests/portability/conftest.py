from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

FIXTURES = Path(__file__).parent / "fixtures"


def run_import(fmt: str, path, *args) -> list[str]:
    """``import_comments``'s report lines."""
    out = StringIO()
    call_command(
        "import_comments", "--format", fmt, str(path), *args, stdout=out, stderr=StringIO()
    )
    return out.getvalue().splitlines()


@pytest.fixture
def disqus_file():
    return FIXTURES / "disqus.xml"
