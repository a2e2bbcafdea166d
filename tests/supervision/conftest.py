import pytest

from core import workdays


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    """The calendar table is cached in-process; a rolled-back test must not leave its rows behind."""
    workdays.clear_cache()
    yield
    workdays.clear_cache()
