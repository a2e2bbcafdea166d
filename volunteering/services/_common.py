"""Helpers every service module shares: the event log, state changes through `core.transitions`, row locks,
checks."""

import datetime as dt

from django.db import connection
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from core.errors import Conflict, DomainError, PermissionDenied
from core.notifications import notify
from core.transitions import apply_transition, table_targets
from members.models import Person

from ..access import (
    is_registered_member,
)
from ..models import (
    ServiceItem,
    ServicePost,
    VolunteerEvent,
)

# Hours entered by the organiser more than this long after the item ended are back-filled (事后补录):
# they wait for approval and are marked as such.
BACKFILL_AFTER = dt.timedelta(hours=48)


# ------------------------------------------------------------------------------------------- helpers


def _event(
    *,
    community_id: int,
    action: str,
    by,
    note: str = "",
    from_status: str = "",
    to_status: str = "",
    **subject,
):
    VolunteerEvent.objects.create(
        community_id=community_id,
        action=action,
        by=by if by and by.is_authenticated else None,
        note=note[:300],
        from_status=from_status,
        to_status=to_status,
        **subject,
    )


def _refused(table: dict):
    """The refusal of every volunteering machine: the current state, and the legal next steps (`allowed`)."""

    def refused(locked) -> Conflict:
        return Conflict(
            f"当前状态为「{locked.get_status_display()}」，不能执行此操作",
            code="illegal_transition",
            allowed=sorted(table.get(locked.status, ())),
        )

    return refused


def _transition(
    obj, to: str, *, table: dict, by, action: str, community_id: int, note: str = "", subject: str, **fields
):
    """Move `obj`'s `status` to `to` along `table` through `core.transitions` (row lock, table check, the
    status and `fields` saved, a `VolunteerEvent` naming `subject` appended); returns the locked row."""

    def record_event(locked, from_status: str, to_status: str) -> None:
        _event(
            community_id=community_id,
            action=action,
            by=by,
            note=note,
            from_status=from_status,
            to_status=to_status,
            **{subject: locked},
        )

    return apply_transition(
        obj,
        to=to,
        targets=table_targets(table),
        refused=_refused(table),
        record_event=record_event,
        fields=fields,
    )


def _lock_item(item_id: int) -> ServiceItem:
    """Row-lock the item for the rest of the transaction. On SQLite (no row locks) a no-op UPDATE takes the
    database write lock instead, which serialises writers just the same."""
    if connection.vendor == "sqlite":
        ServiceItem.objects.filter(pk=item_id).update(capacity=F("capacity"))
    return ServiceItem.objects.select_for_update().get(pk=item_id)


def _lock_post(post_id: int) -> ServicePost:
    if connection.vendor == "sqlite":
        ServicePost.objects.filter(pk=post_id).update(capacity=F("capacity"))
    return ServicePost.objects.select_for_update().get(pk=post_id)


def _clean_list(values) -> list[str]:
    seen, out = set(), []
    for value in values or []:
        value = str(value).strip()
        if value and value not in seen:
            seen.add(value)
            out.append(value)
    return out


def _require_text(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(message, fields={field: [message]})
    return value


def _belongs_to(person: Person, community_id: int) -> bool:
    return person.community_id == community_id or is_registered_member(person.pk, community_id)


def _require_member_of(person: Person, community_id: int, *, acting_self: bool, what: str) -> None:
    """Claims and sign-ups are for in-service members with a confirmed registration (已报到) here."""
    if is_registered_member(person.pk, community_id):
        return
    if acting_self:
        raise PermissionDenied(f"只有已在本社区报到（已确认）的在职党员可以{what}")
    raise DomainError(
        f"{person.name}未在本社区报到（或报到尚未确认），不能{what}", fields={"person": ["未在本社区报到"]}
    )


def _item_url(item) -> str:
    return reverse("volunteering:item_detail", args=[item.pk])


def _when(item) -> str:
    start = timezone.localtime(item.starts_at)
    end = timezone.localtime(item.ends_at)
    return f"{start:%m月%d日 %H:%M}–{end:%H:%M}"


def _tell(
    person: Person, item: ServiceItem, *, kind: str, title: str, body: str, dedupe_key: str | None = None
):
    user = person.user if person.user_id else None
    return notify(
        recipient=user, kind=kind, title=title, body=body, url=_item_url(item), dedupe_key=dedupe_key
    )
