"""八小时以外: the branch's dated notes on members' conduct outside working hours (office only)."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from core.errors import DomainError
from members.models import Community, Person, User
from members.permissions import require_office

from ..models import (
    ConductKind,
    ConductNote,
)
from ._common import (
    _belongs_to,
    _require_text,
)

# -------------------------------------------------------------------------------------- conduct notes


@transaction.atomic
def conduct_note_add(
    *,
    community: Community,
    person: Person,
    by: User,
    noted_on: dt.date,
    note: str,
    kind: str = ConductKind.NOTE,
) -> ConductNote:
    """八小时以外: the branch notes a member's conduct outside working hours (office only, dated)."""
    require_office(by, community.pk)
    note = _require_text(note, "note", "请填写情况")
    if kind not in ConductKind.values:
        raise DomainError("未知的类别", fields={"kind": ["未知的类别"]})
    if noted_on > timezone.localdate():
        raise DomainError("日期不能晚于今天", fields={"noted_on": ["日期不能晚于今天"]})
    if not _belongs_to(person, community.pk):
        raise DomainError("该党员不在本社区居住或报到", fields={"person": ["不属于本社区"]})
    return ConductNote.objects.create(
        community=community, person=person, noted_on=noted_on, kind=kind, note=note, recorded_by=by
    )
