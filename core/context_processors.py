"""`bell`: the unread count of the signed-in user's inbox, for the bell on every page (core/_bell.html).

Counted only when a template reads it, and once per request however many templates do (one
`SELECT COUNT(*)` on the (recipient, read_at) index)."""

from __future__ import annotations

from functools import cached_property

from . import notifications


class Bell:
    def __init__(self, request) -> None:
        self._request = request

    @cached_property
    def unread(self) -> int:
        user = getattr(self._request, "user", None)
        if user is None or not user.is_authenticated:
            return 0
        return notifications.request_unread_count(user)

    @property
    def label(self) -> str:
        return "99+" if self.unread > 99 else str(self.unread)


def bell(request) -> dict:
    cached = getattr(request, "_notification_bell", None)
    if cached is None:
        cached = Bell(request)
        request._notification_bell = cached
    return {"bell": cached}
