"""The activity ledger (活动台账): content per member and year, conduct notes for the branch only, the
hook other apps (cases) use to add sections, and the community's Excel export."""

import datetime as dt
import io

import pytest
import time_machine
from openpyxl import load_workbook

from core.errors import DomainError
from members.services import PermissionDenied
from volunteering import ledger as ledger_registry
from volunteering import selectors, services
from volunteering.ledger import LedgerSection, register_ledger_section, unregister_ledger_section
from volunteering.models import (
    ClaimStatus,
    ConductKind,
    ConductNote,
    RecordSource,
    RecordStatus,
    SignUpStatus,
)

from .factories import (
    ClaimFactory,
    ItemFactory,
    PairingFactory,
    PostFactory,
    ProgrammeFactory,
    RecordFactory,
    SignUpFactory,
    at,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _december_2026():
    with time_machine.travel(at(2026, 12, 1, 10), tick=False):
        yield


@pytest.fixture
def history(cast, registered):
    """马明's 2026: a claimed post, two items with hours (one self-reported and pending), one upcoming
    sign-up, a pairing, a conduct note; and one item in 2025."""
    person = cast.member_person
    post = PostFactory(community=cast.beijie, name="法律服务岗")
    ClaimFactory(post=post, person=person, status=ClaimStatus.APPROVED, year=2026)
    services.team_join(community=cast.beijie, person=person, by=cast.member)
    patrol = ItemFactory(
        community=cast.beijie,
        title="夜间巡逻",
        post=post,
        starts_at=at(2026, 4, 2, 19),
        ends_at=at(2026, 4, 2, 21),
    )
    SignUpFactory(item=patrol, person=person)
    RecordFactory(
        item=patrol,
        person=person,
        minutes=120,
        content="巡逻两小时",
        evaluation="excellent",
        recorded_by=cast.staff,
    )
    talk = ItemFactory(
        community=cast.beijie, title="法律讲座", starts_at=at(2026, 6, 6, 9), ends_at=at(2026, 6, 6, 10)
    )
    RecordFactory(item=talk, person=person, status=RecordStatus.PENDING, source=RecordSource.SELF_REPORTED)
    future = ItemFactory(community=cast.beijie, title="年终慰问", starts_at=at(2026, 12, 20, 9))
    SignUpFactory(item=future, person=person, status=SignUpStatus.WAITLISTED)
    old = ItemFactory(community=cast.beijie, title="去年的活动", starts_at=at(2025, 5, 1, 9))
    RecordFactory(item=old, person=person, minutes=120)
    PairingFactory(
        programme=ProgrammeFactory(community=cast.beijie, name="空巢老人爱心服务站"),
        person=person,
        household="王奶奶（3号楼）",
    )
    services.conduct_note_add(
        community=cast.beijie,
        person=person,
        by=cast.secretary,
        noted_on=dt.date(2026, 11, 3),
        note="积极参与邻里调解",
        kind=ConductKind.PRAISE,
    )
    return person


def test_the_ledger_lists_registration_post_items_hours_and_pairings(cast, history):
    ledger = selectors.member_ledger(person=history, year=2026, viewer=cast.secretary)
    assert ledger.registration.status == "confirmed" and ledger.community == cast.beijie
    assert [c.post.name for c in ledger.claims] == ["法律服务岗"]
    assert ledger.team_joined_on == dt.date(2026, 12, 1)
    assert [e.item.title for e in ledger.entries] == ["夜间巡逻", "法律讲座", "年终慰问"]
    patrol, talk, future = ledger.entries
    assert patrol.counts and patrol.record.get_evaluation_display() == "优秀"
    assert patrol.record.recorded_by == cast.staff
    assert not talk.counts and talk.record.source == RecordSource.SELF_REPORTED
    assert future.record is None and future.signup.status == SignUpStatus.WAITLISTED
    assert (ledger.items_done, ledger.minutes_done) == (1, 120)
    assert ledger.cumulative_hours == 4  # 2025 counts toward the star level
    assert ledger.stars == 0
    assert [p.household for p in ledger.pairings] == ["王奶奶（3号楼）"]
    assert ledger.progress["behind"] is False


def test_conduct_notes_are_for_the_communitys_office_only(cast, history):
    for who in ("secretary", "staff", "director"):
        ledger = selectors.member_ledger(person=history, year=2026, viewer=getattr(cast, who))
        assert [n.note for n in ledger.conduct_notes] == ["积极参与邻里调解"]
    for who in ("town", "member", "liaison", "other_secretary"):
        assert (
            selectors.member_ledger(person=history, year=2026, viewer=getattr(cast, who)).conduct_notes
            is None
        )


def test_conduct_notes_cannot_be_written_by_others_or_dated_ahead(cast, registered):
    with pytest.raises(PermissionDenied):
        services.conduct_note_add(
            community=cast.beijie,
            person=cast.member_person,
            by=cast.town,
            noted_on=dt.date(2026, 11, 1),
            note="x",
        )
    with pytest.raises(DomainError):
        services.conduct_note_add(
            community=cast.beijie,
            person=cast.member_person,
            by=cast.secretary,
            noted_on=dt.date(2026, 12, 2),
            note="明天的事",
        )
    with pytest.raises(DomainError):
        services.conduct_note_add(
            community=cast.beijie,
            person=cast.foreign_person,
            by=cast.secretary,
            noted_on=dt.date(2026, 11, 1),
            note="别的社区的人",
        )
    assert not ConductNote.objects.exists()


def test_conduct_notes_are_invisible_through_querysets_except_to_the_office(cast, history):
    assert ConductNote.objects.visible_to(cast.secretary).count() == 1
    for who in ("town", "member", "liaison", "officer", "deputy", "other_secretary", "outsider"):
        assert not ConductNote.objects.visible_to(getattr(cast, who)).exists()


def test_who_may_open_a_ledger(cast, history):
    for who in ("secretary", "staff", "director", "town", "member"):
        assert selectors.ledger_subjects(getattr(cast, who)).filter(pk=history.pk).exists(), who
    for who in ("officer", "deputy", "liaison", "other_secretary", "other_town", "other_liaison", "outsider"):
        assert not selectors.ledger_subjects(getattr(cast, who)).filter(pk=history.pk).exists(), who


def test_other_apps_add_sections_through_the_registry_and_the_extra_argument(cast, history, monkeypatch):
    # an empty registry for this test; the apps' own sections (cases, evaluations) are back after it
    monkeypatch.setattr(ledger_registry, "_providers", {})
    calls = []

    def cases_section(*, person, year, viewer):
        calls.append((person.pk, year, viewer.pk))
        return LedgerSection(
            key="cases", title="承办的民情事项", columns=["编号", "事项"], rows=[["MQ-1", "路灯"]]
        )

    register_ledger_section("cases", cases_section)
    extra = LedgerSection(key="note", title="附记", columns=["内容"], rows=[["手工附记"]], order=200)
    ledger = selectors.member_ledger(person=history, year=2026, viewer=cast.secretary, extra_sections=[extra])
    unregister_ledger_section("cases")
    assert [s.title for s in ledger.sections] == ["承办的民情事项", "附记"]
    assert calls == [(history.pk, 2026, cast.secretary.pk)]
    assert selectors.member_ledger(person=history, year=2026, viewer=cast.secretary).sections == []


def test_the_excel_export_has_the_whole_community_and_notes_only_for_the_office(cast, history):
    data = selectors.ledger_workbook(community=cast.beijie, year=2026, viewer=cast.secretary)
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["台账汇总", "服务记录", "结对帮扶", "八小时以外（仅党总支）"]
    summary = list(wb["台账汇总"].values)
    assert summary[0][:3] == ("姓名", "工作单位", "报到确认日期")
    row = summary[1]
    assert row[0] == "马明" and row[1] == "县人民医院" and row[3] == "法律服务岗（已认领）"
    assert row[5] == 1 and row[6] == 2.0 and row[8] == "已达标"
    records = list(wb["服务记录"].values)
    assert [r[1] for r in records[1:]] == ["夜间巡逻", "法律讲座"]
    assert records[1][10] == "优秀" and records[2][11] == "本人申报" and records[2][12] == "待审核"
    assert list(wb["八小时以外（仅党总支）"].values)[1][3] == "积极参与邻里调解"

    town = load_workbook(
        io.BytesIO(selectors.ledger_workbook(community=cast.beijie, year=2026, viewer=cast.town))
    )
    assert "八小时以外（仅党总支）" not in town.sheetnames


def test_star_levels_follow_cumulative_hours():
    assert [selectors.star_level(h) for h in (99, 100, 299, 300, 600, 1000, 1500, 4000)] == [
        0,
        1,
        1,
        2,
        3,
        4,
        5,
        5,
    ]
