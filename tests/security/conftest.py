import io
import logging

import pytest

from core.security import RequestIdLogFilter


@pytest.fixture
def log_output():
    """What the configured console handler (LOGGING's formatter and request-id filter) prints."""
    handler = next(
        h for h in logging.getLogger().handlers if any(isinstance(f, RequestIdLogFilter) for f in h.filters)
    )
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    try:
        yield buffer
    finally:
        handler.setStream(previous)
