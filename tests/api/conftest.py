from collections import Counter

import pytest

from tests.conftest import FUZZ_PROPERTY


class _Counter:
    def __init__(self):
        self.statuses = Counter()

    def count(self, response):
        self.statuses[response.status_code] += 1


@pytest.fixture
def fuzz_counter(record_property):
    """Counts the generated cases by the status they got; the numbers are reported at
    the end of the run (they travel with the test report, so they add up across xdist
    workers too)."""
    counter = _Counter()
    yield counter
    record_property(FUZZ_PROPERTY, dict(counter.statuses))
