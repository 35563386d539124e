import pytest

_USER_PROPERTY = "fuzz_cases"


class _Counter:
    def __init__(self):
        self.cases = 0

    def count(self):
        self.cases += 1


@pytest.fixture
def fuzz_counter(record_property):
    """Counts generated cases; the number is reported at the end of the run (it travels
    with the test report, so it adds up across xdist workers too)."""
    counter = _Counter()
    yield counter
    record_property(_USER_PROPERTY, counter.cases)


def pytest_terminal_summary(terminalreporter):
    total = tests = 0
    for reports in terminalreporter.stats.values():
        for report in reports:
            if getattr(report, "when", None) != "teardown":
                continue
            for name, value in getattr(report, "user_properties", []):
                if name == _USER_PROPERTY:
                    total += value
                    tests += 1
    if tests:
        terminalreporter.write_line(f"API fuzz: {total} generated cases in {tests} tests")
