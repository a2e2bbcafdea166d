"""Fixtures of the volunteering tests, on top of the shared `cast` (tests/conftest.py)."""

import pytest

from .factories import register


@pytest.fixture
def registered(cast):
    """cast.member (马明, 北街) with a confirmed registration: may claim posts and sign up."""
    return register(cast.member_person, cast.beijie)
