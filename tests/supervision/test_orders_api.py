"""督办单 one at a time: who answers, closes and escalates, through the services, the API and the pages."""

import pytest
import time_machine

from core.errors import DomainError, PermissionDenied
from supervision import services
from supervision.models import OrderLevel, OrderState, SupervisionOrder
from tests.supervision.support import D, at, promised_case

ISSUED_ON = D(2026, 9, 30)


@pytest.fixture
def order(cast):
    case = promised_case(cast.beijie, registered=D(2026, 9, 21), days=5, by=cast.secretary, worker=cast.staff)
    with time_machine.travel(at(ISSUED_ON), tick=False):
        services.issue_orders(today=ISSUED_ON)
    return SupervisionOrder.objects.get(case=case)


@pytest.fixture
def on_day():
    with time_machine.travel(at(D(2026, 10, 8), 10), tick=False):
        yield


def test_only_the_addressee_answers_a_community_order(cast, order, on_day):
    for someone in (cast.secretary, cast.staff, cast.town):
        with pytest.raises(PermissionDenied, match="只有督办单的承办人"):
            services.order_answer(order=order, answer="已督促办理", by=someone)
    services.order_answer(order=order, answer="已督促承办人本周办结", by=cast.director)
    order.refresh_from_db()
    assert order.state == OrderState.ANSWERED and order.answered_by == cast.director
    # an answer needs words
    with pytest.raises(DomainError) as refused:
        services.order_answer(order=order, answer=" ", by=cast.director)
    assert "answer" in refused.value.fields


def test_closing_an_order_whose_case_is_still_open_needs_a_reason(cast, order, on_day):
    with pytest.raises(DomainError) as refused:
        services.order_close(order=order, reason="", by=cast.town)
    assert "reason" in refused.value.fields
    order.refresh_from_db()
    assert order.state == OrderState.ISSUED  # nothing half-saved
    services.order_close(order=order, reason="承办人已落实措施，继续跟踪", by=cast.town)
    order.refresh_from_db()
    assert order.state == OrderState.CLOSED
    assert [e.action for e in order.events.all()] == ["issue", "close"]
    # a closed order is closed: no answer, no second close
    with pytest.raises(DomainError) as refused:
        services.order_answer(order=order, answer="补充答复内容", by=cast.director)
    assert refused.value.code == "illegal_transition"


def test_the_town_escalates_and_answers_at_its_level_and_cannot_go_past_the_committee(cast, order, on_day):
    with pytest.raises(PermissionDenied):
        services.order_escalate(order=order, by=cast.secretary)
    town_order = services.order_escalate(order=order, note="社区答复不及时", by=cast.town)
    assert town_order.level == OrderLevel.TOWN_OFFICE
    with pytest.raises(PermissionDenied, match="镇投诉监督室"):
        services.order_answer(order=town_order, answer="已约谈社区负责人", by=cast.director)
    services.order_answer(order=town_order, answer="已约谈社区负责人", by=cast.town)
    top = services.order_escalate(order=town_order, by=cast.town)
    with pytest.raises(DomainError, match="不能再升级"):
        services.order_escalate(order=top, by=cast.town)


# ----------------------------------------------------------------------------------------------- API

URL = "/api/v1/supervision/orders/"


def test_the_api_answers_for_the_addressee_and_refuses_others_clearly(cast, as_user, order, on_day):
    response = as_user("secretary").post(f"{URL}{order.pk}/answer/", {"answer": "已督促"}, format="json")
    assert response.status_code == 403
    assert "只有督办单的承办人" in response.json()["error"]["message"]
    response = as_user("director").post(
        f"{URL}{order.pk}/answer/", {"answer": "已督促承办人本周办结"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == "answered"
    assert [e["action"] for e in response.json()["events"]] == ["issue", "answer"]


@pytest.mark.parametrize("persona", ["other_secretary", "other_town", "liaison", "member", "outsider"])
def test_another_tenant_gets_a_404(as_user, order, persona, on_day):
    client = as_user(persona)
    assert client.get(f"{URL}{order.pk}/").status_code == 404
    assert client.post(f"{URL}{order.pk}/answer/", {"answer": "已督促办理"}, format="json").status_code == 404
    assert client.get(URL).json()["count"] == 0


@pytest.mark.parametrize("persona", ["secretary", "staff", "director", "town"])
def test_the_office_and_the_town_see_the_order(as_user, order, persona, on_day):
    assert as_user(persona).get(URL).json()["count"] == 1


def test_close_without_reason_is_a_400_naming_the_field(as_user, order, on_day):
    response = as_user("town").post(f"{URL}{order.pk}/close/", {}, format="json")
    assert response.status_code == 400
    assert "reason" in response.json()["error"]["fields"]


def test_filters_and_ordering(cast, as_user, order, on_day):
    client = as_user("director")
    assert client.get(URL, {"mine": "true"}).json()["count"] == 1
    assert client.get(URL, {"state": "closed"}).json()["count"] == 0
    assert client.get(URL, {"overdue": "true"}).json()["count"] == 0  # due 12 Oct, today 8 Oct
    assert client.get(URL, {"ordering": "-due_on"}).status_code == 200
    assert client.get(URL, {"state": "nonsense"}).status_code == 400


def test_the_list_costs_the_same_queries_for_2_and_for_9_orders(
    cast, as_user, django_assert_max_num_queries, on_day
):
    def make(n):
        for _ in range(n):
            promised_case(
                cast.beijie, registered=D(2026, 9, 21), days=5, by=cast.secretary, worker=cast.staff
            )
        with time_machine.travel(at(ISSUED_ON), tick=False):
            services.issue_orders(today=ISSUED_ON)

    client = as_user("town")
    make(2)
    # session/user, scope (roles, town's communities, person), count, page (joined case/community/addressee)
    with django_assert_max_num_queries(8):
        assert client.get(URL).json()["count"] == 2
    make(7)
    with django_assert_max_num_queries(8):
        assert client.get(URL).json()["count"] == 9


# --------------------------------------------------------------------------------------------- pages


def test_the_directors_list_and_the_answer_form(cast, client, order, on_day):
    client.force_login(cast.director)
    page = client.get("/supervision/orders/?mine=1")
    assert page.status_code == 200 and order.number in page.content.decode()
    detail = client.get(f"/supervision/orders/{order.pk}/")
    assert "提交答复" in detail.content.decode()
    response = client.post(
        f"/supervision/orders/{order.pk}/", {"do": "answer", "answer": "已督促承办人本周办结"}
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.state == OrderState.ANSWERED


def test_the_secretary_sees_the_order_without_the_answer_form(cast, client, order, on_day):
    client.force_login(cast.secretary)
    detail = client.get(f"/supervision/orders/{order.pk}/").content.decode()
    assert order.number in detail and "提交答复" not in detail


def test_the_town_office_page_lists_escalations(cast, client, order, on_day):
    services.order_escalate(order=order, by=cast.town)
    client.force_login(cast.town)
    page = client.get("/supervision/town/").content.decode()
    assert "镇投诉监督室" in page and "已升级：<strong>1</strong>" in page
    client.force_login(cast.secretary)
    assert client.get("/supervision/town/").status_code == 403


def test_another_communitys_order_page_is_a_404(cast, client, order, on_day):
    client.force_login(cast.other_secretary)
    assert client.get(f"/supervision/orders/{order.pk}/").status_code == 404
