from collections import Counter

import pytest

_USER_PROPERTY = "fuzz_statuses"


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
    record_property(_USER_PROPERTY, dict(counter.statuses))


def pytest_terminal_summary(terminalreporter):
    statuses, tests = Counter(), 0
    for reports in terminalreporter.stats.values():
        for report in reports:
            if getattr(report, "when", None) != "teardown":
                continue
            for name, value in getattr(report, "user_properties", []):
                if name == _USER_PROPERTY:
                    statuses.update({int(k): v for k, v in value.items()})
                    tests += 1
    if tests:
        answers = ", ".join(f"{code}: {n}" for code, n in sorted(statuses.items()))
        terminalreporter.write_line(
            f"API fuzz: {statuses.total()} generated cases in {tests} tests ({answers})"
        )
