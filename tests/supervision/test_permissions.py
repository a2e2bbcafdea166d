"""Every API route of supervision × every persona of the cast, with the exact status expected.

Reading the table: a community-level order about 北街 is addressed to its office director (dora); she
alone answers it; she or the town's supervision office (tom) close it; only the town escalates it. The
rest of 北街's office reads it (403 on the acts). A complaint about 北街's staff member bob is the town
office's alone: everyone else, 北街's office included, gets 404. Every persona of another community or
town gets 404 on 北街's objects (400 when naming 北街 in a body).

Each persona's request runs in a savepoint that is rolled back, so all of them meet the same world.
"""

import re
from types import SimpleNamespace

import pytest
import time_machine
from django.db import transaction
from rest_framework.test import APIClient

from supervision import services
from supervision.models import SupervisionOrder
from tests.conftest import ROLE_NAMES
from tests.supervision.support import D, at, promised_case

pytestmark = pytest.mark.django_db

NOW = at(D(2026, 10, 8), 10)
API = "/api/v1/supervision/"
OFFICE = ("secretary", "staff", "director")
READERS = ("officer", "member", "deputy", "liaison")
STRANGERS = ("other_secretary", "other_town", "other_liaison", "outsider")


def E(office, town, readers, strangers, anonymous=403, **overrides) -> dict:
    expected = {name: office for name in OFFICE}
    expected.update(town=town, anonymous=anonymous)
    expected.update({name: readers for name in READERS})
    expected.update({name: strangers for name in STRANGERS})
    expected.update(overrides)
    assert set(expected) == set(ROLE_NAMES)
    return expected


LIST = E(200, 200, 200, 200)
ORDER = E(200, 200, 404, 404)
TOWN_ONLY = E(404, 200, 404, 404)


@pytest.fixture
def world(cast):
    case = promised_case(cast.beijie, registered=D(2026, 9, 21), days=5, by=cast.secretary, worker=cast.staff)
    with time_machine.travel(at(D(2026, 9, 30)), tick=False):
        services.issue_orders(today=D(2026, 9, 30))
    complaint = services.complaint_receive(
        community=cast.beijie, staff=cast.staff, content="窗口办事态度生硬", by=cast.town
    )
    return SimpleNamespace(
        order=SupervisionOrder.objects.get(case=case).pk,
        complaint=complaint.pk,
        beijie=cast.beijie.pk,
        staff_user=cast.staff.pk,
        director_user=cast.director.pk,
    )


ROUTES = [
    ("get", "orders/", None, LIST),
    ("get", "orders/{order}/", None, ORDER),
    (
        "post",
        "orders/{order}/answer/",
        {"answer": "已督促承办人本周办结"},
        E(403, 403, 404, 404, director=200),
    ),
    ("post", "orders/{order}/close/", {"reason": "继续跟踪办理情况"}, E(403, 200, 404, 404, director=200)),
    ("post", "orders/{order}/escalate/", {}, E(403, 201, 404, 404)),
    ("get", "staff-complaints/", None, LIST),
    ("get", "staff-complaints/{complaint}/", None, TOWN_ONLY),
    ("get", "staff-complaints/{complaint}/history/", None, TOWN_ONLY),
    (
        "post",
        "staff-complaints/{complaint}/conclude/",
        {"finding": "unfounded", "findings": "经查不实"},
        TOWN_ONLY,
    ),
    (
        "post",
        "staff-complaints/",
        lambda w: {"community": w.beijie, "staff": w.director_user, "content": "有意拖延办事时限"},
        # the office and the town register (the director cannot complain about herself: 400);
        # officers, members and deputies see 北街 but run no office (403); the others do not see it (400)
        E(201, 201, 403, 400, director=400, liaison=400),
    ),
]


def _id(route):
    method, path, _, _ = route
    return f"{method.upper()} {path}"


def covered_operations() -> set[tuple[str, str]]:
    """(METHOD, OpenAPI path) of every route in the table, for tests/security/test_matrix_coverage.py."""
    return {
        (method.upper(), API + re.sub(r"\{\w+\}", "{id}", path.split("?")[0]))
        for method, path, _, _ in ROUTES
    }


@pytest.mark.parametrize("route", ROUTES, ids=[_id(r) for r in ROUTES])
def test_supervision_route_answers_each_persona_as_expected(cast, world, route):
    method, path, body, expected = route
    url = API + path.format(**vars(world))
    data = body(world) if callable(body) else body
    actual = {}
    with time_machine.travel(NOW, tick=False):
        for name in ROLE_NAMES:
            client = APIClient()
            if name != "anonymous":
                client.force_authenticate(getattr(cast, name))
            with transaction.atomic():
                response = (
                    getattr(client, method)(url, data, format="json")
                    if data is not None
                    else getattr(client, method)(url)
                )
                transaction.set_rollback(True)
            actual[name] = response.status_code
    assert actual == expected
