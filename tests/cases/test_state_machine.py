"""The one state machine: guarded services, refusals naming the legal next steps, append-only events,
and a property-based test that random sequences of actions never reach an illegal state."""

import datetime as dt

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from cases import services
from cases.models import Case, CaseEvent, FeedbackMethod, HandlingType, Rating
from cases.states import ALL_STATES, OPEN_STATES, TRANSITIONS, CaseState, allowed_actions
from core.errors import Conflict, DomainError
from members.services import PermissionDenied
from tests.cases.factories import make_case


def test_rating_a_case_that_was_never_answered_is_refused_with_the_next_steps(cast):
    case = make_case(cast.beijie, by=cast.secretary, state=CaseState.IN_PROGRESS)
    with pytest.raises(Conflict) as exc:
        services.case_rate(case=case, rating=Rating.SATISFIED)
    assert exc.value.code == "illegal_transition"
    assert set(exc.value.allowed) == {"assign", "request_documents", "escalate", "refer", "resolve"}
    case.refresh_from_db()
    assert case.state == CaseState.IN_PROGRESS and case.rating == ""


def test_escalating_a_closed_case_is_refused_over_the_api_with_allowed_steps(cast, as_user):
    case = make_case(cast.beijie, by=cast.secretary, state=CaseState.CLOSED)
    response = as_user("secretary").post(
        f"/api/v1/cases/{case.pk}/escalate/", {"to_unit": "镇政府"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "illegal_transition"
    assert response.json()["error"]["allowed"] == ["reopen"]
    assert case.events.count() == CaseEvent.objects.filter(case=case).count()


def test_every_move_writes_one_event_with_who_when_from_to(cast):
    case = make_case(cast.beijie, by=cast.secretary, state=CaseState.CLOSED, worker=cast.officer)
    events = list(case.events.order_by("at", "pk"))
    assert [e.to_state for e in events] == [
        "registered",
        "classified",
        "assigned",
        "in_progress",
        "resolved",
        "feedback_given",
        "rated",
        "closed",
    ]
    for before, after in zip(events, events[1:], strict=False):
        assert after.from_state == before.to_state
    assert events[3].by == cast.officer  # the assignee started it
    assert events[6].by is None and events[6].by_resident  # the resident rated it online


def test_events_are_append_only(cast):
    case = make_case(cast.beijie, by=cast.secretary)
    event = case.events.get()
    event.note = "changed"
    with pytest.raises(TypeError, match="append-only"):
        event.save()
    with pytest.raises(TypeError, match="append-only"):
        case.events.update(note="changed")
    with pytest.raises(TypeError, match="append-only"):
        case.events.all().delete()


def test_an_unsatisfied_rating_reopens_the_case_for_the_same_assignee(cast):
    case = make_case(cast.beijie, by=cast.secretary, state=CaseState.FEEDBACK_GIVEN, worker=cast.officer)
    services.case_rate(case=case, rating=Rating.UNSATISFIED, comment="灯还是不亮")
    case.refresh_from_db()
    assert case.state == CaseState.ASSIGNED
    assert case.assignee == cast.officer
    assert case.reopen_count == 1 and case.rating == "" and case.due_on is not None
    last_two = list(case.events.order_by("-pk")[:2])
    assert [e.action for e in last_two] == ["reopen", "rate"]
    assert last_two[1].data == {"rating": "unsatisfied"}
    assert cast.officer.notifications.filter(kind="case_reopened").exists()


def test_a_closed_case_can_be_reopened_by_the_office_with_a_reason(cast):
    case = make_case(cast.beijie, by=cast.secretary, state=CaseState.CLOSED, worker=cast.officer)
    with pytest.raises(DomainError):
        services.case_reopen(case=case, by=cast.secretary, reason=" ")
    services.case_reopen(case=case, by=cast.secretary, reason="居民再次反映")
    assert case.state == CaseState.ASSIGNED


def test_closing_without_a_rating_needs_a_note(cast):
    case = make_case(cast.beijie, by=cast.secretary, state=CaseState.FEEDBACK_GIVEN)
    with pytest.raises(DomainError):
        services.case_close(case=case, by=cast.secretary)
    services.case_close(case=case, by=cast.secretary, note="居民未评价，电话回访表示认可")
    assert case.state == CaseState.CLOSED


def test_the_assignee_works_only_their_own_case_and_cannot_classify(cast):
    mine = make_case(cast.beijie, by=cast.secretary, state=CaseState.ASSIGNED, worker=cast.officer)
    other = make_case(cast.beijie, by=cast.secretary, state=CaseState.ASSIGNED, worker=cast.staff)
    services.case_start(case=mine, by=cast.officer)
    with pytest.raises(PermissionDenied):
        services.case_start(case=other, by=cast.officer)
    with pytest.raises(PermissionDenied):
        services.case_escalate(case=mine, by=cast.officer, to_unit="镇政府")


def test_assignment_only_to_people_of_the_community_and_notifies_them(cast):
    case = make_case(cast.beijie, by=cast.secretary, state=CaseState.CLASSIFIED)
    with pytest.raises(DomainError):
        services.case_assign(case=case, by=cast.secretary, assignee=cast.other_secretary)
    with pytest.raises(DomainError):
        services.case_assign(case=case, by=cast.secretary, assignee=cast.outsider)
    services.case_assign(case=case, by=cast.secretary, assignee=cast.member)
    assert case.assignee_kind == "member"
    note = cast.member.notifications.get(kind="case_assigned")
    assert case.tracking_no in note.title


def test_home_visit_feedback_needs_an_agreed_time_which_appears_on_the_assignees_list(cast):
    from cases.selectors import my_work

    case = make_case(
        cast.beijie, by=cast.secretary, state=CaseState.RESOLVED, worker=cast.officer, needs_home_visit=True
    )
    with pytest.raises(DomainError) as exc:
        services.case_give_feedback(
            case=case, by=cast.officer, method=FeedbackMethod.HOME_VISIT, text="上门告知"
        )
    assert exc.value.allowed == ["schedule_visit"]
    visit_at = timezone.now() + dt.timedelta(days=2)
    services.case_schedule_visit(case=case, by=cast.officer, visit_at=visit_at, address="2号楼3单元")
    assert case.state == CaseState.RESOLVED
    assert [c.pk for c in my_work(cast.officer)["visits"]] == [case.pk]
    services.case_give_feedback(
        case=case, by=cast.officer, method=FeedbackMethod.HOME_VISIT, text="上门送达材料"
    )
    assert case.state == CaseState.FEEDBACK_GIVEN


def test_report_back_reaches_the_officer_who_brought_the_concern(cast):
    from cases.models import DiaryEntry

    entry = services.diary_add(
        by=cast.officer,
        visited_on=timezone.localdate(),
        household="2号楼101 李家",
        heard="下水道堵塞",
        building=cast.b2,
    )
    case = services.diary_to_case(entry=entry, by=cast.officer, category="property")
    assert DiaryEntry.objects.get(pk=entry.pk).case == case
    services.case_classify(case=case, by=cast.secretary, handling_type=HandlingType.PROMISED)
    services.case_assign(case=case, by=cast.secretary, assignee=cast.staff)
    services.case_start(case=case, by=cast.staff)
    services.case_resolve(case=case, by=cast.staff, resolution="已疏通")
    services.case_give_feedback(case=case, by=cast.staff, method=FeedbackMethod.FACE_TO_FACE, text="已疏通")
    titles = list(cast.officer.notifications.filter(kind="case_report_back").values_list("title", flat=True))
    assert len(titles) == 2 and all(case.tracking_no in t for t in titles)


def test_transition_table_only_names_known_states():
    for table in TRANSITIONS.values():
        for source, targets in table.items():
            assert source in ALL_STATES and targets <= set(ALL_STATES)
    assert allowed_actions(CaseState.CLOSED) == ["reopen"]


# --------------------------------------------------------------------------------- property-based test

ACTIONS = [
    "classify",
    "assign",
    "start",
    "request_documents",
    "documents_received",
    "escalate",
    "higher_reply",
    "refer",
    "resolve",
    "schedule_visit",
    "give_feedback",
    "rate",
    "reopen",
    "close",
]


class CaseMachine(RuleBasedStateMachine):
    """Random actions by random people on a few cases. Whatever happens, the case is in a known state,
    its events form an unbroken chain ending in that state, and a refused action changes nothing."""

    cast = None

    @initialize()
    def setup(self):
        self.cases = [
            make_case(self.cast.beijie, by=self.cast.secretary, content=f"测试问题{i}") for i in range(2)
        ]

    def _perform(self, case, name, actor, choice):
        c = self.cast
        today = timezone.localdate()
        if name == "classify":
            return services.case_classify(
                case=case, by=actor, handling_type=list(HandlingType.values)[choice % 5]
            )
        if name == "assign":
            return services.case_assign(
                case=case, by=actor, assignee=[c.officer, c.staff, c.member][choice % 3]
            )
        if name == "start":
            return services.case_start(case=case, by=actor)
        if name == "request_documents":
            return services.case_request_documents(case=case, by=actor, missing=["证明"])
        if name == "documents_received":
            return services.case_documents_received(case=case, by=actor)
        if name == "escalate":
            return services.case_escalate(case=case, by=actor, to_unit="镇政府")
        if name == "higher_reply":
            return services.case_record_higher_reply(case=case, by=actor, reply="同意", replied_on=today)
        if name == "refer":
            return services.case_refer(case=case, by=actor, department="县民政局", explanation="不属社区")
        if name == "resolve":
            return services.case_resolve(case=case, by=actor, resolution="已办")
        if name == "schedule_visit":
            return services.case_schedule_visit(
                case=case, by=actor, visit_at=timezone.now() + dt.timedelta(days=1)
            )
        if name == "give_feedback":
            method = [FeedbackMethod.PHONE, FeedbackMethod.HOME_VISIT, FeedbackMethod.LETTER][choice % 3]
            return services.case_give_feedback(case=case, by=actor, method=method, text="已答复")
        if name == "rate":
            rating = list(Rating.values)[choice % 3]
            return services.case_rate(case=case, rating=rating, by=None if choice % 2 else actor)
        if name == "reopen":
            return services.case_reopen(case=case, by=actor, reason="复查")
        if name == "close":
            return services.case_close(case=case, by=actor, note="归档")
        raise AssertionError(name)

    @rule(
        index=st.integers(0, 1),
        name=st.sampled_from(ACTIONS),
        who=st.sampled_from(["secretary", "officer", "staff", "member"]),
        choice=st.integers(0, 5),
    )
    def act(self, index, name, who, choice):
        case = Case.objects.get(pk=self.cases[index].pk)
        before_state, before_events = case.state, case.events.count()
        try:
            self._perform(case, name, getattr(self.cast, who), choice)
        except DomainError:
            # refused: nothing changed, not even half
            fresh = Case.objects.get(pk=case.pk)
            assert fresh.state == before_state
            assert fresh.events.count() == before_events

    @invariant()
    def every_case_is_in_a_legal_state_with_a_consistent_timeline(self):
        for case in getattr(self, "cases", []):
            fresh = Case.objects.get(pk=case.pk)
            assert fresh.state in ALL_STATES
            moves = [
                e
                for e in fresh.events.order_by("at", "pk")
                if e.from_state != e.to_state or e.action != "group"
            ]
            assert moves[0].action == "register" and moves[0].from_state == ""
            for before, after in zip(moves, moves[1:], strict=False):
                assert after.from_state == before.to_state
                if after.from_state != after.to_state:
                    assert after.to_state in TRANSITIONS[after.action][after.from_state]
            assert moves[-1].to_state == fresh.state
            if fresh.state != CaseState.REGISTERED:
                assert fresh.handling_type
            if fresh.state in (CaseState.ASSIGNED, CaseState.IN_PROGRESS):
                assert fresh.assignee_id is not None
            if fresh.state in (CaseState.WAITING_DOCUMENTS, CaseState.ESCALATED):
                assert fresh.due_on is None
            if fresh.state == CaseState.RATED:
                assert fresh.rating in (Rating.SATISFIED, Rating.BASICALLY)
            if fresh.state in OPEN_STATES:
                assert fresh.rating == ""


def test_random_action_sequences_never_reach_an_illegal_state(cast):
    CaseMachine.cast = cast
    CaseMachine.TestCase.settings = settings(
        max_examples=30,
        stateful_step_count=25,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    from hypothesis.stateful import run_state_machine_as_test

    run_state_machine_as_test(CaseMachine, settings=CaseMachine.TestCase.settings)
