"""Retention of residents' personal data outside cases (cases.retention.anonymise_unlinked_visits,
volunteering.retention), run nightly by core.retention.purge_all:

- a diary entry or forum matter that never became a case: the community's period after the visit / forum;
- a love supermarket hand-out's recipient and a good's donor: HANDOUT_RETENTION_DAYS after it;
- an ended pairing's household: PAIRING_RETENTION_DAYS after the end;
- a withdrawn skills-directory listing's phone: SKILL_PHONE_RETENTION_DAYS after the withdrawal.

Data past its period is removed, newer data stays, a rerun changes nothing, and the number of queries does
not depend on the number of rows.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import DiaryEntry, Forum, ForumItem, RetentionPolicy
from cases.states import CaseState
from core import retention
from core.models import AuditEvent
from core.tasks import purge_expired_personal_data
from tests import factories as f
from tests.cases.factories import make_case
from tests.volunteering.factories import GoodFactory, PairingFactory, ProgrammeFactory, SkillFactory
from volunteering import services as volunteering_services
from volunteering.models import GoodHandout, PairingStatus, ProgrammeKind, SkillListing

SH = ZoneInfo("Asia/Shanghai")
TODAY = dt.date(2026, 11, 26)


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=SH)


def ago(n: int) -> dt.date:
    return TODAY - dt.timedelta(days=n)


@pytest.fixture(autouse=True)
def _on_today():
    with time_machine.travel(at(TODAY, 3), tick=False):
        yield


def diary(officer, *, visited_on: dt.date, resident=None, case=None) -> DiaryEntry:
    return DiaryEntry.objects.create(
        officer=officer,
        visited_on=visited_on,
        household="3号楼王家",
        resident=resident,
        heard="楼道灯坏了",
        case=case,
    )


def forum_item(community, *, held_on: dt.date, case=None) -> ForumItem:
    forum = Forum.objects.create(
        community=community,
        held_on=held_on,
        title="月度恳谈会",
        attendees=[{"name": "周书记", "role": "书记"}],
    )
    if case is None:
        return ForumItem.objects.create(
            forum=forum, raised_by="李大爷", content="健身器材", answered_on_spot=True, answer="下月安装"
        )
    return ForumItem.objects.create(forum=forum, raised_by="李大爷", content="健身器材", case=case)


def supermarket(community):
    return ProgrammeFactory(community=community, kind=ProgrammeKind.LOVE_SUPERMARKET)


def handout(good, *, on: dt.date, recipient=None) -> GoodHandout:
    return GoodHandout.objects.create(
        good=good,
        recipient_name="困难户张某",
        recipient=recipient,
        quantity=1,
        handed_out_on=on,
        note="低保户",
    )


def ended_pairing(programme, *, ended_on: dt.date, **extra):
    return PairingFactory(
        programme=programme,
        household="王奶奶（空巢老人）",
        address="2单元301",
        note="行动不便",
        status=PairingStatus.ENDED,
        started_on=dt.date(2020, 1, 6),
        ended_on=ended_on,
        **extra,
    )


# ------------------------------------------------------------------------ diary entries and forum matters


def test_a_diary_entry_that_never_became_a_case_loses_the_household_after_the_communitys_period(cast):
    # Given a visit 27 Sep 2024 (before the National Day holiday) not linked to any case
    entry = diary(cast.officer_row, visited_on=dt.date(2024, 9, 27), resident=cast.member_person)

    # When the nightly purge runs on the last day of the default 730 days, nothing happens yet
    assert retention.purge_all(today=dt.date(2026, 9, 27))["diary_entries"] == 0
    entry.refresh_from_db()
    assert (entry.household, entry.resident_id) == ("3号楼王家", cast.member_person.pk)

    # Then the next night the household and roster link go; what was heard stays
    assert retention.purge_all(today=dt.date(2026, 9, 28))["diary_entries"] == 1
    entry.refresh_from_db()
    assert (entry.household, entry.resident_id, entry.heard) == ("", None, "楼道灯坏了")


def test_a_forum_matter_answered_on_the_spot_loses_who_raised_it_after_the_communitys_period(cast):
    old = forum_item(cast.beijie, held_on=ago(731))
    recent = forum_item(cast.beijie, held_on=ago(729))

    assert retention.purge_all(today=TODAY)["forum_items"] == 1

    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.raised_by, old.content, old.answer) == ("", "健身器材", "下月安装")
    assert recent.raised_by == "李大爷"


def test_lines_linked_to_a_case_wait_for_the_case(cast):
    # An old visit and an old forum matter whose cases are still open are not this purge's business.
    open_case = make_case(cast.beijie, by=cast.secretary, state=CaseState.ASSIGNED, worker=cast.staff)
    other_case = make_case(cast.beijie, by=cast.secretary, state=CaseState.ASSIGNED, worker=cast.staff)
    entry = diary(cast.officer_row, visited_on=ago(1000), case=open_case)
    matter = forum_item(cast.beijie, held_on=ago(1000), case=other_case)

    result = retention.purge_all(today=TODAY)

    assert (result["diary_entries"], result["forum_items"]) == (0, 0)
    entry.refresh_from_db()
    matter.refresh_from_db()
    assert (entry.household, matter.raised_by) == ("3号楼王家", "李大爷")


def test_each_community_keeps_its_lines_for_its_own_period(cast):
    RetentionPolicy.objects.create(community=cast.changcheng, retention_days=90)
    RetentionPolicy.objects.create(community=cast.dongguan, retention_days=730)  # the default, written out
    changcheng_officer = f.OfficerFactory(community=cast.changcheng)
    dongguan_officer = f.OfficerFactory(community=cast.dongguan)
    beijie = diary(cast.officer_row, visited_on=ago(100))
    changcheng = diary(changcheng_officer, visited_on=ago(100))
    dongguan = diary(dongguan_officer, visited_on=ago(731))
    changcheng_matter = forum_item(cast.changcheng, held_on=ago(91))
    beijie_matter = forum_item(cast.beijie, held_on=ago(91))

    result = retention.purge_all(today=TODAY)

    assert (result["diary_entries"], result["forum_items"]) == (2, 1)
    households = {e.pk: e.household for e in DiaryEntry.objects.all()}
    assert households == {beijie.pk: "3号楼王家", changcheng.pk: "", dongguan.pk: ""}
    raised = dict(ForumItem.objects.values_list("pk", "raised_by"))
    assert raised == {changcheng_matter.pk: "", beijie_matter.pk: "李大爷"}


# ------------------------------------------------------------------------------------ love supermarket


def test_a_hand_out_older_than_two_years_loses_the_recipients_name_the_good_and_count_stay(cast, settings):
    settings.HANDOUT_RETENTION_DAYS = 730
    good = GoodFactory(programme=supermarket(cast.beijie), donor="热心居民刘某", received_on=ago(731))
    old = handout(good, on=ago(731), recipient=cast.member_person)
    recent = handout(good, on=ago(729))

    result = retention.purge_all(today=TODAY)

    assert (result["handouts"], result["donors"]) == (1, 1)
    old.refresh_from_db()
    recent.refresh_from_db()
    good.refresh_from_db()
    assert (old.recipient_name, old.recipient_id, old.note) == ("", None, "")
    assert (old.good_id, old.quantity, old.handed_out_on) == (good.pk, 1, ago(731))
    assert (recent.recipient_name, recent.note) == ("困难户张某", "低保户")
    assert (good.donor, good.quantity_received) == ("", 10)


def test_a_donor_received_less_than_two_years_ago_stays(cast):
    good = GoodFactory(programme=supermarket(cast.beijie), donor="热心居民刘某", received_on=ago(729))

    assert retention.purge_all(today=TODAY)["donors"] == 0

    good.refresh_from_db()
    assert good.donor == "热心居民刘某"


# ------------------------------------------------------------------------------------------- pairings


def test_an_ended_pairing_loses_the_household_two_years_after_the_end_active_ones_stay(cast, settings):
    settings.PAIRING_RETENTION_DAYS = 730
    programme = ProgrammeFactory(community=cast.beijie)
    old = ended_pairing(programme, ended_on=ago(731), recipient=cast.foreign_person)
    recent = ended_pairing(programme, ended_on=ago(729))
    active = PairingFactory(programme=programme, household="李爷爷", address="1单元1", started_on=ago(3000))

    member = old.person_id

    assert retention.purge_all(today=TODAY)["pairings"] == 1

    old.refresh_from_db()
    recent.refresh_from_db()
    active.refresh_from_db()
    assert (old.household, old.recipient_id, old.address, old.note) == ("", None, "", "")
    assert member is not None
    assert (old.person_id, old.status, old.started_on, old.ended_on) == (
        member,
        PairingStatus.ENDED,
        dt.date(2020, 1, 6),
        ago(731),
    )
    assert (recent.household, recent.address, recent.note) == ("王奶奶（空巢老人）", "2单元301", "行动不便")
    assert (active.household, active.address) == ("李爷爷", "1单元1")


# ----------------------------------------------------------------------------------- skills directory


def test_a_withdrawn_listing_loses_its_phone_thirty_days_after_the_withdrawal(cast, settings):
    settings.SKILL_PHONE_RETENTION_DAYS = 30
    programme = supermarket(cast.beijie)
    old = SkillFactory(programme=programme, person=cast.member_person, skill="维修电器")
    recent = SkillFactory(programme=programme, person=cast.member_person, skill="理发")
    listed = SkillFactory(programme=programme, person=cast.member_person, skill="法律咨询")
    with time_machine.travel(at(ago(31)), tick=False):
        volunteering_services.skill_withdraw(listing=old, by=cast.member)
    with time_machine.travel(at(ago(29)), tick=False):
        volunteering_services.skill_withdraw(listing=recent, by=cast.member)

    assert retention.purge_all(today=TODAY)["skill_phones"] == 1

    for listing in (old, recent, listed):
        listing.refresh_from_db()
    assert old.withdrawn_at == at(ago(31))
    assert (old.contact_phone, old.skill, old.person_id) == ("", "维修电器", cast.member_person.pk)
    assert recent.contact_phone == listed.contact_phone == "13900000000"


def test_a_listing_switched_off_before_withdrawals_were_recorded_counts_from_its_creation(cast):
    programme = supermarket(cast.beijie)
    with time_machine.travel(at(ago(40)), tick=False):
        old = SkillFactory(programme=programme, is_active=False)
    with time_machine.travel(at(ago(10)), tick=False):
        recent = SkillFactory(programme=programme, is_active=False)
    SkillListing.objects.filter(pk__in=[old.pk, recent.pk]).update(withdrawn_at=None)  # rows from before

    assert retention.purge_all(today=TODAY)["skill_phones"] == 1

    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.withdrawn_at, old.contact_phone, recent.contact_phone) == (None, "", "13900000000")


# ------------------------------------------------------------------------------- every rule, together


def fill(cast, n: int, *, programme, good):
    """n rows past their period of every kind above."""
    for _ in range(n):
        diary(cast.officer_row, visited_on=ago(800), resident=cast.member_person)
        forum_item(cast.changcheng, held_on=ago(200))
        handout(good, on=ago(800), recipient=cast.member_person)
        GoodFactory(programme=good.programme, donor="刘某", received_on=ago(800))
        ended_pairing(programme, ended_on=ago(800))
        with time_machine.travel(at(ago(60)), tick=False):
            SkillFactory(programme=good.programme, is_active=False)


KINDS = ("diary_entries", "forum_items", "handouts", "donors", "pairings", "skill_phones")


def test_a_rerun_changes_nothing_and_writes_no_second_summary(cast):
    RetentionPolicy.objects.create(community=cast.changcheng, retention_days=180)
    good = GoodFactory(programme=supermarket(cast.beijie))
    fill(cast, 2, programme=ProgrammeFactory(community=cast.beijie), good=good)

    first = retention.purge_all(today=TODAY)
    summaries = AuditEvent.objects.filter(action__startswith="bulk_").count()
    second = retention.purge_all(today=TODAY)

    assert [first[k] for k in KINDS] == [2, 2, 2, 2, 2, 2]
    assert [second[k] for k in KINDS] == [0, 0, 0, 0, 0, 0]
    assert AuditEvent.objects.filter(action__startswith="bulk_").count() == summaries
    assert set(AuditEvent.objects.filter(action__startswith="bulk_").values_list("action", flat=True)) >= {
        "bulk_unlinked_visits_anonymised",
        "bulk_handout_names_purged",
        "bulk_pairings_anonymised",
        "bulk_skill_phones_purged",
    }
    assert "13900000000" not in str(list(AuditEvent.objects.values_list("extra", flat=True)))


def _queries() -> int:
    with CaptureQueriesContext(connection) as ctx:
        retention.purge_all(today=TODAY)
    return len(ctx)


def test_the_number_of_queries_does_not_depend_on_the_number_of_rows(cast):
    RetentionPolicy.objects.create(community=cast.changcheng, retention_days=180)
    programme, good = ProgrammeFactory(community=cast.beijie), GoodFactory(programme=supermarket(cast.beijie))

    fill(cast, 1, programme=programme, good=good)
    one = _queries()
    fill(cast, 8, programme=programme, good=good)
    many = _queries()

    assert one == many
    assert DiaryEntry.objects.exclude(household="").count() == 0
    assert GoodHandout.objects.exclude(recipient_name="").count() == 0


def test_the_nightly_task_runs_the_new_purges(cast):
    RetentionPolicy.objects.create(community=cast.changcheng, retention_days=180)
    good = GoodFactory(programme=supermarket(cast.beijie))
    fill(cast, 1, programme=ProgrammeFactory(community=cast.beijie), good=good)

    result = purge_expired_personal_data.delay().get()  # eager in unit tests; today is TODAY

    assert [result[k] for k in KINDS] == [1, 1, 1, 1, 1, 1]


def test_a_listing_switched_off_in_the_admin_counts_from_then(cast):
    # the admin saves the model: the withdrawal time is recorded there, not only by the service, so an
    # old listing switched off today keeps its phone for the whole period (time to undo a mistake)
    programme = supermarket(cast.beijie)
    with time_machine.travel(at(ago(400)), tick=False):
        listing = SkillFactory(programme=programme, person=cast.member_person)
    with time_machine.travel(at(ago(1)), tick=False):
        listing.is_active = False
        listing.save(update_fields=["is_active"])

    assert retention.purge_all(today=TODAY)["skill_phones"] == 0
    listing.refresh_from_db()
    assert (listing.withdrawn_at, listing.contact_phone) == (at(ago(1)), "13900000000")
    listing.is_active = True
    listing.save(update_fields=["is_active"])
    listing.refresh_from_db()
    assert listing.withdrawn_at is None
