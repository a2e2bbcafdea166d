"""The morning 督办 sweep on the real 2026 calendar: Mid-Autumn (25 Sep) with its make-up Sunday (20 Sep),
National Day 1–7 Oct with its make-up Saturday (10 Oct)."""

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases import services as case_services
from cases.states import CaseState
from core.models import Notification
from supervision import services
from supervision.models import OrderLevel, OrderState, SupervisionOrder, SupervisionOrderEvent
from tests.supervision.support import D, at, promised_case


def sweep(day):
    with time_machine.travel(at(day), tick=False):
        return services.daily_sweep(today=day)


def test_a_case_past_its_deadline_gets_an_order_for_the_office_director_on_the_next_working_morning(cast):
    # Given a 承诺件 of 5 working days registered Mon 21 Sep: due Tue 29 Sep (Fri 25 Sep is Mid-Autumn)
    case = promised_case(cast.beijie, registered=D(2026, 9, 21), days=5, by=cast.secretary, worker=cast.staff)
    assert case.due_on == D(2026, 9, 29)
    # When the sweep runs on its last day, nothing; the next working morning (Wed 30 Sep), one order
    assert sweep(D(2026, 9, 29))["issued"] == 0
    result = sweep(D(2026, 9, 30))
    assert result["issued"] == 1
    order = SupervisionOrder.objects.get(case=case)
    # Then it is addressed to 北街's office director, due 3 working days later: 8, 9 and Sat 10 Oct (调休)
    assert order.addressee == cast.director
    assert order.level == OrderLevel.COMMUNITY and order.state == OrderState.ISSUED
    assert (order.issued_on, order.due_on, order.case_due_on) == (
        D(2026, 9, 30),
        D(2026, 10, 10),
        D(2026, 9, 29),
    )
    assert [e.action for e in order.events.all()] == ["issue"]
    # ... and the director is told once, with the case's tracking number
    note = Notification.objects.get(recipient=cast.director, kind="supervision_order")
    assert case.tracking_no in note.body and note.url == "/supervision/orders/?mine=1"


def test_nothing_is_issued_on_a_holiday_and_the_first_working_day_after_catches_up(cast):
    case = promised_case(cast.beijie, registered=D(2026, 9, 21), days=5, by=cast.secretary, worker=cast.staff)
    # National Day: Sat 3 Oct and Mon 5 Oct are holidays
    assert sweep(D(2026, 10, 3)) == {
        "skipped": "not a working day",
        "issued": 0,
        "escalated": 0,
        "closed": 0,
        "notified": 0,
    }
    assert sweep(D(2026, 10, 5))["issued"] == 0
    assert not SupervisionOrder.objects.exists()
    # Thu 8 Oct, the first working day: issued, due Mon 12 Oct (9, Sat 10 make-up, 12)
    assert sweep(D(2026, 10, 8))["issued"] == 1
    assert SupervisionOrder.objects.get(case=case).due_on == D(2026, 10, 12)


def test_the_sweep_runs_on_a_make_up_saturday(cast):
    # Given a case promised in 3 working days on Tue 29 Sep: 30 Sep, 8 Oct, 9 Oct → due Fri 9 Oct
    case = promised_case(cast.beijie, registered=D(2026, 9, 29), days=3, by=cast.secretary, worker=cast.staff)
    assert case.due_on == D(2026, 10, 9)
    # Sat 10 Oct is a working day (调休): the order is issued that morning
    assert sweep(D(2026, 10, 10))["issued"] == 1
    # Sun 11 Oct is not
    assert sweep(D(2026, 10, 11)).get("skipped")


def test_twice_on_a_day_issues_nothing_new_and_notifies_nobody_again(cast):
    promised_case(cast.beijie, registered=D(2026, 9, 21), days=5, by=cast.secretary, worker=cast.staff)
    promised_case(
        cast.changcheng,
        registered=D(2026, 9, 21),
        days=5,
        by=cast.other_secretary,
        worker=cast.other_secretary,
    )
    first = sweep(D(2026, 9, 30))
    second = sweep(D(2026, 9, 30))
    assert (first["issued"], first["notified"]) == (2, 2)
    assert (second["issued"], second["notified"]) == (0, 0)
    assert SupervisionOrder.objects.count() == 2
    assert SupervisionOrderEvent.objects.count() == 2
    # 长城 has no office director: its secretary gets the order
    assert SupervisionOrder.objects.get(community=cast.changcheng).addressee == cast.other_secretary
    # ... and the next working day: the open order stands, no second order for the same case
    assert sweep(D(2026, 10, 8))["issued"] == 0


def test_an_order_left_unanswered_climbs_to_the_town_office_and_then_to_the_party_committee(cast):
    case = promised_case(cast.beijie, registered=D(2026, 9, 21), days=5, by=cast.secretary, worker=cast.staff)
    sweep(D(2026, 9, 30))
    first = SupervisionOrder.objects.get(case=case)
    # Due Sat 10 Oct: that day it is not yet late, Sun 11 Oct is a holiday
    assert sweep(D(2026, 10, 10))["escalated"] == 0
    assert sweep(D(2026, 10, 11)).get("skipped")
    # Mon 12 Oct: escalated to 镇投诉监督室, due Thu 15 Oct, and the town's supervisor is told
    assert sweep(D(2026, 10, 12))["escalated"] == 1
    first.refresh_from_db()
    assert first.state == OrderState.ESCALATED
    town_order = SupervisionOrder.objects.get(parent=first)
    assert (town_order.level, town_order.state, town_order.addressee) == (
        OrderLevel.TOWN_OFFICE,
        OrderState.ISSUED,
        None,
    )
    assert town_order.due_on == D(2026, 10, 15)
    assert Notification.objects.filter(recipient=cast.town, kind="supervision_order").count() == 1
    assert not Notification.objects.filter(recipient=cast.other_town, kind="supervision_order").exists()
    assert [e.action for e in first.events.all()] == ["issue", "escalate"]
    # Fri 16 Oct: still unanswered → 镇党委会议, the top: it stays there however late it gets
    assert sweep(D(2026, 10, 16))["escalated"] == 1
    top = SupervisionOrder.objects.get(parent=town_order)
    assert top.level == OrderLevel.TOWN_COMMITTEE
    assert sweep(D(2026, 10, 26))["escalated"] == 0
    # one open order per case all along, and no new level-1 order for the same deadline
    assert SupervisionOrder.objects.filter(case=case, state__in=["issued", "answered"]).count() == 1
    assert SupervisionOrder.objects.filter(case=case, level=OrderLevel.COMMUNITY).count() == 1


def test_an_answered_order_does_not_escalate_by_itself(cast):
    case = promised_case(cast.beijie, registered=D(2026, 9, 21), days=5, by=cast.secretary, worker=cast.staff)
    sweep(D(2026, 9, 30))
    order = SupervisionOrder.objects.get(case=case)
    services.order_answer(order=order, answer="已督促承办人本周办结", by=cast.director)
    assert sweep(D(2026, 10, 12))["escalated"] == 0


def test_an_order_is_closed_by_the_sweep_once_its_case_is_resolved(cast):
    case = promised_case(cast.beijie, registered=D(2026, 9, 21), days=5, by=cast.secretary, worker=cast.staff)
    sweep(D(2026, 9, 30))
    with time_machine.travel(at(D(2026, 10, 8), 10), tick=False):
        case_services.case_start(case=case, by=cast.staff)
        case_services.case_resolve(case=case, by=cast.staff, resolution="已修好楼道灯")
    assert sweep(D(2026, 10, 9))["closed"] == 1
    order = SupervisionOrder.objects.get(case=case)
    assert order.state == OrderState.CLOSED and order.close_reason
    assert [e.action for e in order.events.all()] == ["issue", "close"]


def test_the_sweep_costs_the_same_queries_for_3_and_for_12_overdue_cases(cast):
    def run(n, community, by, day):
        for _ in range(n):
            promised_case(community, registered=D(2026, 9, 21), days=5, by=by, worker=by)
        with CaptureQueriesContext(connection) as captured, time_machine.travel(at(day), tick=False):
            services.issue_orders(today=day)
        return len(captured.captured_queries)

    # the same day, two communities: the second run finds only its own new cases
    small = run(3, cast.beijie, cast.secretary, D(2026, 9, 30))
    SupervisionOrder.objects.all().delete()  # a fresh start for the second batch
    large = run(12, cast.changcheng, cast.other_secretary, D(2026, 9, 30))
    assert SupervisionOrder.objects.count() == 15
    assert small == large
    assert CaseState.ASSIGNED  # (cases stay assigned: the sweep never touches a case)
