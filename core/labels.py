"""Labels for the code words stored in event rows (`action`, `from_state`, `to_state`): every page and API
display field shows the Chinese label, never the code. An unknown code is shown as-is (a newer event kind
on an older release must not raise), an empty one as "—"."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import models


def label(table: Mapping[str, str] | type[models.Choices], code: str | None, *, empty: str = "—") -> str:
    if not code:
        return empty
    if isinstance(table, type) and issubclass(table, models.Choices):
        table = dict(table.choices)
    return str(table.get(code, code))
