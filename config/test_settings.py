"""The settings pytest loads (pyproject's [tool.pytest.ini_options]): the one settings module in test mode.

Test mode is switched on by asking for it (DJANGO_TESTING=1), never by noticing that pytest is importable;
this module asks, so a bare `pytest` works without the variable. Everything else is config/settings.py.
"""

import os

os.environ.setdefault("DJANGO_TESTING", "1")

from .settings import *  # noqa: E402, F403
