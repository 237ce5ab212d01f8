import datetime as dt

import pytest

# The graph's "today" for these tests: figures must not drift with the wall clock.
TODAY = dt.date(2026, 11, 26)


@pytest.fixture
def today() -> dt.date:
    return TODAY
