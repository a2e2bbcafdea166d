"""A known ledger for the feedback-sheet tests: 马明 (cast.member_person) of 北街社区, works at 县人民医院.

2026: three approved items (2 h, 1.5 h, 3 h → 6.5 h), one pending and one rejected record (not counted),
one claimed post, one zone, one case assigned to him, and a conduct note that must never leave the branch.
2025: one approved item of 100 h (so cumulative hours are 106.5 → 1★).
"""

import datetime as dt
from types import SimpleNamespace

from cases.states import CaseState
from members.models import ZoneAssignment
from tests import factories as f
from tests.cases.factories import make_case
from tests.volunteering.factories import (
    ClaimFactory,
    ItemFactory,
    PostFactory,
    RecordFactory,
    at,
    register,
)
from volunteering.models import ClaimStatus, ConductNote, RecordStatus

CONDUCT_SECRET = "深夜在烧烤摊与人争执"


def build_ledger(cast) -> SimpleNamespace:
    person = cast.member_person
    beijie = cast.beijie
    register(person, beijie)
    post = PostFactory(community=beijie, name="法律咨询岗")
    ClaimFactory(post=post, person=person, status=ClaimStatus.APPROVED, year=2026)
    zone = f.ZoneFactory(community=beijie, name="东片责任区")
    ZoneAssignment.objects.create(zone=zone, person=person)
    items = [
        ("义诊进社区", at(2026, 3, 14, 9), 120),
        ("法律咨询日", at(2026, 5, 20, 14), 90),
        ("垃圾分类宣传", at(2026, 9, 6, 8), 180),
    ]
    for title, start, minutes in items:
        item = ItemFactory(
            community=beijie, title=title, starts_at=start, ends_at=start + dt.timedelta(hours=4)
        )
        RecordFactory(
            item=item, person=person, minutes=minutes, ended_at=start + dt.timedelta(minutes=minutes)
        )
    pending = ItemFactory(community=beijie, title="待审核的活动", starts_at=at(2026, 10, 8, 9))
    RecordFactory(item=pending, person=person, status=RecordStatus.PENDING, minutes=60)
    rejected = ItemFactory(community=beijie, title="未通过的活动", starts_at=at(2026, 10, 9, 9))
    RecordFactory(item=rejected, person=person, status=RecordStatus.REJECTED, minutes=60)
    old = ItemFactory(
        community=beijie, title="往年活动", starts_at=at(2025, 6, 1, 8), ends_at=at(2025, 6, 30, 8)
    )
    RecordFactory(item=old, person=person, minutes=6000)
    ConductNote.objects.create(
        community=beijie,
        person=person,
        noted_on=dt.date(2026, 8, 1),
        note=CONDUCT_SECRET,
        recorded_by=cast.secretary,
    )
    case = make_case(
        beijie,
        by=cast.secretary,
        worker=cast.member,
        state=CaseState.ASSIGNED,
        received_at=at(2026, 4, 2, 10),
    )
    return SimpleNamespace(person=person, case=case, post=post, zone=zone)
