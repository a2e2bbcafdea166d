"""Each handling type's deadline on real calendar dates (Asia/Shanghai), through the services."""

import datetime as dt
import zoneinfo

import time_machine
from django.utils import timezone

from cases import services
from cases.models import Case, HandlingType
from cases.states import CaseState
from members.models import WorkdayOverride
from tests.cases.factories import make_case

SH = zoneinfo.ZoneInfo("Asia/Shanghai")
D = dt.date


def at(y, m, d, h=10):
    return dt.datetime(y, m, d, h, 0, tzinfo=SH)


@time_machine.travel(at(2026, 9, 30), tick=False)
def test_promised_case_of_five_working_days_registered_30_september_is_due_13_october(cast):
    # Given a 承诺件 registered on Wednesday 30 September 2026
    case = make_case(cast.beijie, by=cast.secretary)
    # When it is classified with a promise of 5 working days
    services.case_classify(
        case=case, by=cast.secretary, handling_type=HandlingType.PROMISED, time_limit_days=5
    )
    # Then it is due on 13 October: 1–7 Oct National Day, 10 Oct (Saturday) a make-up working day
    assert case.due_on == D(2026, 10, 13)


def test_promised_case_uses_the_communitys_published_limit(cast):
    services.time_limit_set(
        community=cast.beijie, by=cast.secretary, handling_type="promised", working_days=3
    )
    with time_machine.travel(at(2026, 9, 30), tick=False):
        case = make_case(cast.beijie, by=cast.secretary)
        services.case_classify(case=case, by=cast.secretary, handling_type=HandlingType.PROMISED)
    assert case.time_limit_days == 3
    assert case.due_on == D(2026, 10, 10)


def test_escalated_case_is_due_three_working_days_after_the_higher_levels_reply(cast):
    # Given an escalated case
    with time_machine.travel(at(2026, 2, 2), tick=False):
        case = make_case(cast.beijie, by=cast.secretary, state=CaseState.ESCALATED)
        assert case.due_on is None  # the community's clock waits for the higher level
    # When the higher level's reply of Friday 13 February 2026 is recorded
    with time_machine.travel(at(2026, 2, 14), tick=False):
        services.case_record_higher_reply(
            case=case, by=cast.secretary, reply="同意维修", replied_on=D(2026, 2, 13)
        )
    # Then the resident must be answered by 25 February (14 Feb make-up day, 15–23 Feb Spring Festival)
    assert case.due_on == D(2026, 2, 25)
    assert case.state == CaseState.IN_PROGRESS


def test_immediate_case_is_due_the_same_day(cast):
    with time_machine.travel(at(2026, 10, 10), tick=False):  # a make-up Saturday
        case = services.case_register(
            community=cast.beijie,
            by=cast.staff,
            channel="hall_window",
            content="开具居住证明",
            settle_on_spot=True,
            resolution="当场开具",
        )
    case.refresh_from_db()
    assert case.handling_type == HandlingType.IMMEDIATE
    assert case.due_on == D(2026, 10, 10)
    assert case.state == CaseState.FEEDBACK_GIVEN
    assert [e.action for e in case.events.all()] == [
        "register",
        "classify",
        "assign",
        "start",
        "resolve",
        "give_feedback",
    ]


def test_pending_documents_clock_waits_until_the_documents_arrive(cast):
    with time_machine.travel(at(2026, 9, 28), tick=False):
        case = make_case(
            cast.beijie, by=cast.secretary, state=CaseState.WAITING_DOCUMENTS, worker=cast.officer
        )
        assert case.due_on is None
    # Documents arrive on 30 September; the community's limit for 补办件 (default 5) counts from then.
    with time_machine.travel(at(2026, 9, 30), tick=False):
        services.case_documents_received(case=case, by=cast.officer)
    assert case.due_on == D(2026, 10, 13)
    # a month later nothing of the waiting time counts against the community
    with time_machine.travel(at(2026, 10, 13, 23), tick=False):
        assert not Case.objects.overdue(timezone.localdate()).filter(pk=case.pk).exists()
    with time_machine.travel(at(2026, 10, 14, 8), tick=False):
        assert Case.objects.overdue(timezone.localdate()).filter(pk=case.pk).exists()


def test_referral_case_is_due_after_the_referral_limit(cast):
    with time_machine.travel(at(2026, 9, 30), tick=False):
        case = make_case(cast.beijie, by=cast.secretary)
        services.case_classify(case=case, by=cast.secretary, handling_type=HandlingType.REFERRAL)
    assert case.due_on == D(2026, 10, 8)


def test_a_date_in_a_year_the_library_does_not_know_follows_the_towns_table(cast):
    # Given the town entered its 2027 Spring Festival: 8–14 Feb off, Sunday 7 Feb a working day
    for day in range(8, 15):
        WorkdayOverride.objects.create(
            date=D(2027, 2, day), is_working_day=False, name="春节", town=cast.town_obj
        )
    WorkdayOverride.objects.create(
        date=D(2027, 2, 7), is_working_day=True, name="春节调休", town=cast.town_obj
    )
    # When a 承诺件 of 3 working days is registered on Friday 5 February 2027
    with time_machine.travel(at(2027, 2, 5), tick=False):
        case = make_case(cast.beijie, by=cast.secretary)
        services.case_classify(
            case=case, by=cast.secretary, handling_type=HandlingType.PROMISED, time_limit_days=3
        )
    # Then 7 Feb (1), 15 Feb (2), 16 Feb (3)
    assert case.due_on == D(2027, 2, 16)


def test_an_unknown_year_without_a_table_uses_weekends_and_warns_on_the_case(cast, as_user):
    with time_machine.travel(at(2027, 3, 5), tick=False):
        case = make_case(cast.beijie, by=cast.secretary)
        services.case_classify(
            case=case, by=cast.secretary, handling_type=HandlingType.PROMISED, time_limit_days=2
        )
        assert case.due_on == D(2027, 3, 9)
        body = as_user("secretary").get(f"/api/v1/cases/{case.pk}/").json()
    assert "2027" in body["calendar_warning"]


def test_overdue_filter_is_a_query_across_states(cast, as_user):
    with time_machine.travel(at(2026, 9, 1), tick=False):
        late = make_case(cast.beijie, by=cast.secretary, state=CaseState.IN_PROGRESS)
        done = make_case(cast.beijie, by=cast.secretary, state=CaseState.RESOLVED)
    with time_machine.travel(at(2026, 11, 2), tick=False):
        fresh = make_case(cast.beijie, by=cast.secretary, state=CaseState.ASSIGNED)
        client = as_user("town")
        overdue = {c["id"] for c in client.get("/api/v1/cases/?overdue=true").json()["results"]}
        not_overdue = {c["id"] for c in client.get("/api/v1/cases/?overdue=false").json()["results"]}
    assert overdue == {late.pk}
    assert {done.pk, fresh.pk} <= not_overdue and late.pk not in not_overdue


def test_every_case_list_marks_an_overdue_case_by_the_one_rule(cast, client):
    # The case rows partial asked the views for `today` and the open states; the thematic-group page
    # passed neither, so its cases were never marked 超期. Now the rows ask the case (Case.overdue).
    import datetime as dt

    from django.utils import timezone

    from cases import services as case_services
    from cases.models import Case
    from tests.cases.factories import make_case

    late = make_case(cast.beijie, by=cast.secretary, content="楼顶漏水三天了")
    closed = make_case(cast.beijie, by=cast.secretary, content="路灯已修好")
    Case.objects.filter(pk=late.pk).update(due_on=timezone.localdate() - dt.timedelta(days=2))
    Case.objects.filter(pk=closed.pk).update(
        due_on=timezone.localdate() - dt.timedelta(days=2), state="closed", handling_type="immediate"
    )
    group = case_services.group_create(community=cast.beijie, by=cast.secretary, title="漏水", cases=[late])
    client.force_login(cast.secretary)

    page = client.get(f"/cases/groups/{group.pk}/").content.decode()

    assert '<span class="badge bad">超期</span>' in page
    assert Case.objects.get(pk=late.pk).overdue and not Case.objects.get(pk=closed.pk).overdue
