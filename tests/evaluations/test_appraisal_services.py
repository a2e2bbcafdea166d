"""The democratic evaluation (民主评议): panel, ballots by link and on paper, the tally rule, reopening,
excellent members with their commendation notice, the officers' review and the cadres' published result."""

import datetime as dt

import pytest
import time_machine

from cases.models import Announcement, AnnouncementCategory
from core.errors import Conflict, DomainError, PermissionDenied
from evaluations import selectors, services
from evaluations.models import (
    Appraisal,
    AppraisalEvent,
    AppraisalKind,
    AppraisalState,
    Ballot,
    Commendation,
    EvaluatorGroup,
    Grade,
    OfficerOutcome,
)
from members.models import OfficerRecordKind
from tests.volunteering.factories import ItemFactory, RecordFactory, at, registered_member

from .appraisal_support import NOW, open_appraisal, vote

pytestmark = pytest.mark.django_db

E, C, B, U = Grade.EXCELLENT, Grade.COMPETENT, Grade.BASIC, Grade.INCOMPETENT


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def ev(cast):
    ev = open_appraisal(cast)
    ev.ma = cast.member_person
    ev.li = registered_member(cast.beijie, name="李华")
    return ev


# ----------------------------------------------------------------------------------------- tally rule


@pytest.mark.parametrize(
    ("totals", "expected"),
    [
        ({E: 3, C: 1, B: 0, U: 0}, E),  # most votes
        ({E: 2, C: 2, B: 1, U: 0}, C),  # tie 优秀/合格 → the lower, 合格
        ({E: 1, C: 1, B: 1, U: 1}, U),  # four-way tie → 不合格
        ({E: 0, C: 2, B: 0, U: 2}, U),  # tie across a gap → the lowest of the tied
        ({E: 0, C: 0, B: 0, U: 0}, None),  # no votes: no grade
    ],
)
def test_the_grade_is_the_most_voted_and_a_tie_goes_to_the_lower_grade(totals, expected):
    assert selectors.grade_by_rule(totals) == expected


def test_the_tally_counts_each_group_and_applies_the_rule(cast, ev):
    # Given three resident reps and two party-member reps grading 马明 and 李华
    r1, r2, r3 = ev.residents
    m1, m2 = ev.others
    vote(cast, r1, {ev.ma.pk: E, ev.li.pk: C})
    vote(cast, r2, {ev.ma.pk: E, ev.li.pk: B})
    vote(cast, r3, {ev.ma.pk: C, ev.li.pk: B})
    vote(cast, m1, {ev.ma.pk: C, ev.li.pk: C})
    vote(cast, m2, {ev.ma.pk: B, ev.li.pk: U})

    # When the tally is read
    results = selectors.tally(ev.appraisal)

    # Then 马明: 优秀 2, 合格 2, 基本合格 1 → a tie of 2 and 2 goes to 合格
    ma = results[ev.ma.pk]
    assert ma.counts == {
        "resident_rep": {"excellent": 2, "competent": 1, "basic": 0, "incompetent": 0},
        "member_rep": {"excellent": 0, "competent": 1, "basic": 1, "incompetent": 0},
    }
    assert (ma.grade, ma.grade_label, ma.votes) == (C, "合格", 5)
    # and 李华: 合格 2, 基本合格 2, 不合格 1 → 基本合格
    li = results[ev.li.pk]
    assert li.total == {"excellent": 0, "competent": 2, "basic": 2, "incompetent": 1}
    assert (li.grade, li.grade_label) == (B, "基本合格")
    assert not ma.final and not ma.excellent


def test_the_tally_takes_a_constant_number_of_queries(cast, ev, django_assert_num_queries):
    for evaluator in ev.panel:
        vote(cast, evaluator, {ev.ma.pk: E, ev.li.pk: C})
    for _ in range(5):
        registered_member(cast.beijie)
    # 1 the subjects, 2 the grouped ballot counts, 3 the excellent selections
    with django_assert_num_queries(3):
        results = selectors.tally(ev.appraisal)
    assert len(results) == 7


def test_results_for_gives_the_feedback_sheet_each_members_result(cast, ev):
    for evaluator in ev.panel:
        vote(cast, evaluator, {ev.ma.pk: E, ev.li.pk: C})
    results = selectors.results_for(community_id=cast.beijie.pk, year=2026)
    assert set(results) == {ev.ma.pk, ev.li.pk}
    assert results[ev.ma.pk].grade_label == "优秀"
    assert results[ev.ma.pk].counts["resident_rep"]["excellent"] == 3
    assert results[ev.ma.pk].counts["member_rep"]["excellent"] == 2
    assert selectors.results_for(community_id=cast.beijie.pk, year=2025) == {}


# -------------------------------------------------------------------------------------------- ballots


def test_a_link_is_usable_once(cast, ev):
    token = services.evaluator_issue_link(evaluator=ev.residents[0], by=cast.secretary)
    services.ballot_submit_by_link(
        token=token, grades={str(ev.ma.pk): {"grade": E, "comment": "热心"}, ev.li.pk: C}
    )
    assert Ballot.objects.filter(evaluator=ev.residents[0]).count() == 2

    with pytest.raises(PermissionDenied, match="无效或已失效"):
        services.ballot_submit_by_link(token=token, grades={ev.ma.pk: U, ev.li.pk: U})
    assert Ballot.objects.count() == 2
    assert Ballot.objects.get(subject=ev.ma).comment == "热心"


def test_a_paper_ballot_after_a_link_ballot_of_the_same_evaluator_is_refused(cast, ev):
    token = services.evaluator_issue_link(evaluator=ev.residents[0], by=cast.secretary)
    services.ballot_submit_by_link(token=token, grades={ev.ma.pk: E, ev.li.pk: C})
    with pytest.raises(Conflict) as exc:
        vote(cast, ev.residents[0], {ev.ma.pk: U, ev.li.pk: U})
    assert "evaluator" in exc.value.fields
    assert Ballot.objects.count() == 2


def test_reissuing_a_link_kills_the_old_one_and_only_the_hash_is_stored(cast, ev):
    evaluator = ev.residents[0]
    old = services.evaluator_issue_link(evaluator=evaluator, by=cast.secretary)
    new = services.evaluator_issue_link(evaluator=evaluator, by=cast.secretary)
    evaluator.refresh_from_db()
    assert evaluator.token_hash == services.hash_token(new) and new not in evaluator.token_hash
    assert services.evaluator_for_token(old) is None
    assert services.evaluator_for_token(new) == evaluator


def test_a_grade_outside_the_four_is_refused_naming_the_field_and_nothing_is_saved(cast, ev):
    with pytest.raises(DomainError) as exc:
        vote(cast, ev.residents[0], {ev.ma.pk: "good", ev.li.pk: E})
    assert exc.value.fields == {f"grades.{ev.ma.pk}": ["评议等次应为优秀、合格、基本合格或不合格"]}
    assert Ballot.objects.count() == 0
    ev.residents[0].refresh_from_db()
    assert ev.residents[0].voted_at is None


def test_a_ballot_missing_a_member_or_naming_a_stranger_is_refused(cast, ev):
    with pytest.raises(DomainError) as exc:
        vote(cast, ev.residents[0], {ev.ma.pk: E, cast.foreign_person.pk: E})
    assert exc.value.fields == {
        f"grades.{cast.foreign_person.pk}": ["不是本次评议的评议对象"],
        f"grades.{ev.li.pk}": ["请为李华选择评议等次"],
    }
    assert Ballot.objects.count() == 0


def test_a_ballot_after_the_closing_date_is_refused(cast, ev):
    token = services.evaluator_issue_link(evaluator=ev.residents[0], by=cast.secretary)
    with time_machine.travel(at(2026, 12, 16, 8), tick=False), pytest.raises(Conflict) as exc:
        services.ballot_submit_by_link(token=token, grades={ev.ma.pk: E, ev.li.pk: C})
    assert exc.value.code == "appraisal_closed"
    assert Ballot.objects.count() == 0


def test_a_closed_evaluation_is_read_only(cast, ev):
    services.appraisal_close(appraisal=ev.appraisal, by=cast.secretary)
    with pytest.raises(Conflict):
        vote(cast, ev.residents[0], {ev.ma.pk: E, ev.li.pk: C})
    with pytest.raises(Conflict):
        services.evaluator_add(
            appraisal=ev.appraisal, by=cast.secretary, name="新代表", group=EvaluatorGroup.RESIDENT_REP
        )
    with pytest.raises(Conflict):
        services.evaluator_issue_link(evaluator=ev.residents[0], by=cast.secretary)
    assert Ballot.objects.count() == 0


def test_one_evaluation_per_community_year_and_kind(cast, ev):
    with pytest.raises(Conflict) as exc:
        services.appraisal_create(
            community=cast.beijie, by=cast.secretary, year=2026, closes_on=dt.date(2026, 12, 20)
        )
    assert "year" in exc.value.fields
    services.appraisal_create(
        community=cast.beijie,
        by=cast.secretary,
        year=2026,
        closes_on=dt.date(2026, 12, 20),
        kind=AppraisalKind.CADRES,
    )


def test_only_the_community_office_opens_and_enters_ballots(cast, ev):
    for who in (cast.town, cast.member, cast.officer, cast.other_secretary, cast.liaison):
        with pytest.raises(PermissionDenied):
            services.appraisal_create(
                community=cast.beijie, by=who, year=2027, closes_on=dt.date(2027, 12, 1)
            )
        with pytest.raises(PermissionDenied):
            vote_as = services.ballot_enter_paper
            vote_as(evaluator=ev.residents[0], by=who, grades={ev.ma.pk: E, ev.li.pk: E})


# ------------------------------------------------------------------------------------------ reopening


def test_only_the_town_reopens_with_a_reason_and_leaves_an_event(cast, ev):
    services.appraisal_close(appraisal=ev.appraisal, by=cast.secretary)
    with pytest.raises(PermissionDenied):
        services.appraisal_reopen(appraisal=ev.appraisal, by=cast.secretary, reason="补录纸质选票")
    with pytest.raises(PermissionDenied):
        services.appraisal_reopen(appraisal=ev.appraisal, by=cast.other_town, reason="补录纸质选票")
    with pytest.raises(DomainError) as exc:
        services.appraisal_reopen(appraisal=ev.appraisal, by=cast.town, reason="  ")
    assert "reason" in exc.value.fields

    services.appraisal_reopen(appraisal=ev.appraisal, by=cast.town, reason="补录纸质选票")

    ev.appraisal.refresh_from_db()
    assert ev.appraisal.state == AppraisalState.OPEN
    event = AppraisalEvent.objects.filter(appraisal=ev.appraisal).last()
    assert (event.action, event.from_state, event.to_state, event.by, event.note) == (
        "reopen",
        "closed",
        "open",
        cast.town,
        "补录纸质选票",
    )
    assert list(AppraisalEvent.objects.filter(appraisal=ev.appraisal).values_list("action", flat=True)) == [
        "open",
        "close",
        "reopen",
    ]


def test_an_open_evaluation_cannot_be_reopened_and_the_refusal_names_the_legal_step(cast, ev):
    with pytest.raises(Conflict) as exc:
        services.appraisal_reopen(appraisal=ev.appraisal, by=cast.town, reason="x")
    assert exc.value.allowed == ["close"]


def test_the_nightly_sweep_closes_evaluations_past_their_date(cast, ev):
    assert services.close_past_due(today=dt.date(2026, 12, 15)) == 0
    assert services.close_past_due(today=dt.date(2026, 12, 16)) == 1
    assert Appraisal.objects.get().state == AppraisalState.CLOSED
    assert services.close_past_due(today=dt.date(2026, 12, 16)) == 0


# ----------------------------------------------------------------------------------- excellent members


@pytest.fixture
def closed(cast, ev):
    """马明 graded 优秀 by all and on track with one approved service item; 李华 graded 基本合格, no service."""
    item = ItemFactory(community=cast.beijie, starts_at=at(2026, 5, 9, 9))
    RecordFactory(item=item, person=ev.ma)
    for evaluator in ev.panel:
        vote(cast, evaluator, {ev.ma.pk: E, ev.li.pk: B})
    services.appraisal_close(appraisal=ev.appraisal, by=cast.secretary)
    return ev


def test_an_eligible_member_is_selected_without_a_reason_and_the_employer_gets_a_notice(cast, closed):
    services.excellent_select(appraisal=closed.appraisal, person=closed.ma, by=cast.secretary)

    notice = Commendation.objects.get()
    assert (notice.person, notice.employer, notice.year) == (closed.ma, cast.hospital, 2026)
    assert notice.number == "2026-beijie-001"
    assert "马明" in notice.body and "优秀党员" in notice.body
    result = selectors.results_for(community_id=cast.beijie.pk, year=2026)[closed.ma.pk]
    assert result.excellent and result.final
    assert list(Commendation.objects.visible_to(cast.liaison)) == [notice]
    assert list(Commendation.objects.visible_to(cast.other_liaison)) == []


def test_a_member_below_competent_and_behind_needs_a_reason(cast, closed):
    with pytest.raises(DomainError) as exc:
        services.excellent_select(appraisal=closed.appraisal, person=closed.li, by=cast.secretary)
    assert list(exc.value.fields) == ["reason"]
    assert "低于合格" in exc.value.message and "未完成本年度志愿服务要求" in exc.value.message
    assert Commendation.objects.count() == 0

    selection = services.excellent_select(
        appraisal=closed.appraisal, person=closed.li, by=cast.secretary, reason="抗洪救灾中表现突出"
    )
    assert selection.needed_reason and selection.reason == "抗洪救灾中表现突出"
    assert Commendation.objects.count() == 1


def test_a_member_graded_excellent_but_behind_the_requirement_needs_a_reason(cast, ev):
    for evaluator in ev.panel:
        vote(cast, evaluator, {ev.ma.pk: E, ev.li.pk: E})  # 李华 has no service item this year
    services.appraisal_close(appraisal=ev.appraisal, by=cast.secretary)
    with pytest.raises(DomainError) as exc:
        services.excellent_select(appraisal=ev.appraisal, person=ev.li, by=cast.secretary)
    assert exc.value.fields == {"reason": ["未完成本年度志愿服务要求，须填写理由"]}


def test_selecting_a_stranger_or_twice_is_refused(cast, ev, closed):
    with pytest.raises(DomainError) as exc:
        services.excellent_select(appraisal=closed.appraisal, person=cast.foreign_person, by=cast.secretary)
    assert list(exc.value.fields) == ["person"]
    services.excellent_select(appraisal=closed.appraisal, person=closed.ma, by=cast.secretary)
    with pytest.raises(Conflict):
        services.excellent_select(appraisal=closed.appraisal, person=closed.ma, by=cast.secretary)
    assert Commendation.objects.count() == 1


def test_selection_needs_a_closed_evaluation(cast, ev):
    with pytest.raises(Conflict) as exc:
        services.excellent_select(appraisal=ev.appraisal, person=ev.ma, by=cast.secretary)
    assert exc.value.code == "appraisal_not_closed"


# --------------------------------------------------------------------------------- the cadres' result


def test_the_cadres_evaluation_grades_the_office_and_is_published_on_the_disclosure_page(cast):
    from members.models import Person

    for user, name in ((cast.secretary, "艾书记"), (cast.staff, "鲍干事"), (cast.director, "戴主任")):
        Person.objects.create(community=cast.beijie, name=name, user=user)
    cadres = open_appraisal(cast, residents=2, members=1, kind=AppraisalKind.CADRES)
    people = {p.name: p.pk for p in selectors.subjects(cadres.appraisal)}
    assert set(people) == {"艾书记", "鲍干事", "戴主任"}
    assert [e.group for e in cadres.panel] == ["resident_rep", "resident_rep", "unit_rep"]
    with pytest.raises(DomainError):
        services.evaluator_add(
            appraisal=cadres.appraisal, by=cast.secretary, name="党员", group=EvaluatorGroup.MEMBER_REP
        )
    for evaluator, grade in zip(cadres.panel, (E, E, C), strict=True):
        vote(cast, evaluator, {pk: grade for pk in people.values()})
    with pytest.raises(Conflict):
        services.cadre_result_publish(appraisal=cadres.appraisal, by=cast.secretary)
    services.appraisal_close(appraisal=cadres.appraisal, by=cast.secretary)

    services.cadre_result_publish(appraisal=cadres.appraisal, by=cast.secretary)

    notice = Announcement.objects.get(community=cast.beijie)
    assert notice.category == AnnouncementCategory.PARTY
    assert notice.title == "2026年度社区干部述职述廉民主评议结果"
    assert "艾书记：优秀 2 票，合格 1 票，基本合格 0 票，不合格 0 票；评议结果：优秀" in notice.body
    with pytest.raises(Conflict):
        services.cadre_result_publish(appraisal=cadres.appraisal, by=cast.secretary)


# ------------------------------------------------------------------------------------- officer review


def test_the_officer_review_counts_the_year_and_applies_the_next_rung_of_the_ladder(cast):
    from cases.models import Case, DiaryEntry, Rating
    from members.models import OfficerRecord
    from tests.cases.factories import make_case

    officer = cast.officer_row
    # two visits that became cases: one registered the next working day, one a week later
    prompt = make_case(cast.beijie, by=cast.secretary, received_at=at(2026, 3, 3, 9))
    late = make_case(cast.beijie, by=cast.secretary, received_at=at(2026, 3, 12, 9))
    Case.objects.filter(pk__in=[prompt.pk, late.pk]).update(reported_by_officer=officer)
    DiaryEntry.objects.create(
        officer=officer, visited_on=dt.date(2026, 3, 2), household="张家", heard="路灯", case=prompt
    )
    DiaryEntry.objects.create(
        officer=officer, visited_on=dt.date(2026, 3, 5), household="李家", heard="漏水", case=late
    )
    DiaryEntry.objects.create(officer=officer, visited_on=dt.date(2026, 4, 1), household="王家", heard="无事")
    Case.objects.filter(pk=late.pk).update(rating=Rating.UNSATISFIED)  # a complaint about it
    # a case assigned to the officer, answered (feedback) on time
    make_case(cast.beijie, by=cast.secretary, state="feedback_given", worker=cast.officer)
    OfficerRecord.objects.create(
        officer=officer, kind=OfficerRecordKind.CRITICISM, on=dt.date(2026, 2, 1), reason="迟报"
    )

    figures = selectors.officer_figures(officer, 2026)
    assert figures.as_dict() == {
        "diary_entries": 3,
        "reports": 2,
        "reports_prompt": 1,
        "feedback_total": 1,
        "feedback_on_time": 1,
        "complaints": 1,
    }

    review = services.officer_review(
        officer=officer,
        by=cast.secretary,
        year=2026,
        outcome=OfficerOutcome.PENALTY,
        note="报告不及时，引起投诉",
    )
    assert review.record.kind == OfficerRecordKind.PUBLIC_CRITICISM  # the rung after 批评教育
    assert (review.reports, review.complaints) == (2, 1)
    with pytest.raises(Conflict):
        services.officer_review(officer=officer, by=cast.secretary, year=2026, outcome="none", note="重复")
    with pytest.raises(DomainError) as exc:
        services.officer_review(officer=officer, by=cast.secretary, year=2025, outcome="award", note="x")
    assert "outcome" in exc.value.fields
    with pytest.raises(PermissionDenied):
        services.officer_review(officer=officer, by=cast.member, year=2025, outcome="none", note="x")


def test_a_commended_officer_gets_a_commendation_record(cast):
    review = services.officer_review(
        officer=cast.officer_row,
        by=cast.secretary,
        year=2026,
        outcome=OfficerOutcome.COMMENDATION,
        note="走访勤勉",
    )
    assert review.record.kind == OfficerRecordKind.COMMENDATION
    assert review.record.reason == "2026年度考评：走访勤勉"


def test_the_nightly_task_closes_through_the_service(cast, ev):
    from evaluations.tasks import close_past_due_appraisals

    assert close_past_due_appraisals.delay("2026-12-16").get() == 1
    event = AppraisalEvent.objects.filter(appraisal=ev.appraisal).last()
    assert (event.action, event.by, event.note) == ("close", None, "截止日期已过，自动结束")


def test_the_ballot_shows_each_members_ledger_of_the_year(cast, ev):
    from tests.cases.factories import make_case

    item = ItemFactory(community=cast.beijie, starts_at=at(2026, 5, 9, 9))  # two hours
    RecordFactory(item=item, person=ev.ma)
    RecordFactory(
        item=ItemFactory(community=cast.beijie, starts_at=at(2025, 5, 9, 9)), person=ev.ma
    )  # last year
    make_case(cast.beijie, by=cast.secretary, state="in_progress", worker=cast.member)

    summaries = selectors.ledger_summaries(ev.appraisal)

    ma = summaries[ev.ma.pk]
    assert (ma.items, str(ma.hours), ma.cases, ma.registered_on) == (1, "2.0", 1, dt.date(2026, 1, 10))
    li = summaries[ev.li.pk]
    assert (li.items, li.cases, li.behind) == (0, 0, True)
