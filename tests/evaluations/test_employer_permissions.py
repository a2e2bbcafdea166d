"""Every API route of the employer half of evaluations (sheets, batches, consultations, certificates) ×
every persona of the cast, with the exact status expected.

Reading the table: the community office (secretary, staff, director) generates, writes the opinion,
issues and answers; the town supervisor reads, generates (for the town too) and regenerates but writes
no opinion, issues nothing and answers nothing (403); the hospital's liaison reads its member's sheet once
sent, acknowledges it, asks and withdraws; the member reads their own sent sheet and certificate; every
persona of another community, town or employer gets 404 on 北街's objects (400 when naming one in a body).

Each persona's request runs in a savepoint that is rolled back, so all of them meet the same world.
"""

from types import SimpleNamespace

import pytest
import time_machine
from rest_framework.test import APIClient

from evaluations import services
from evaluations.models import FeedbackSheet, SheetBatch
from tests import matrix
from tests.conftest import ROLE_NAMES
from tests.evaluations.employer_world import build_ledger
from tests.volunteering.factories import at, registered_member

pytestmark = pytest.mark.django_db

NOW = at(2026, 12, 10, 10)
API = "/api/v1/evaluations/"

OFFICE = ("secretary", "staff", "director")
STRANGERS = ("other_secretary", "other_town", "other_liaison", "outsider")


def E(office, town, member, liaison, reader, strangers, anonymous=403, **overrides) -> dict:
    """Expected status per persona: `reader` is the officer and the deputy of 北街 (no business here);
    `strangers` every persona of another community, town or employer, or none."""
    expected = {name: office for name in OFFICE}
    expected.update(town=town, member=member, liaison=liaison, officer=reader, deputy=reader)
    expected.update({name: strangers for name in STRANGERS}, anonymous=anonymous)
    expected.update(overrides)
    assert set(expected) == set(ROLE_NAMES)
    return expected


LIST = E(200, 200, 200, 200, 200, 200)
SENT_SHEET = E(200, 200, 200, 200, 404, 404)  # the member's own, sent: office, town, member, employer
DRAFT_SHEET = E(200, 200, 404, 404, 404, 404)  # not sent: office and town only
OFFICE_ACT = E(200, 403, 404, 404, 404, 404)  # the branch's own act on a draft
COMMUNITY_ROW = E(200, 200, 404, 404, 404, 404)
CONSULTATION = E(200, 200, 404, 200, 404, 404, other_liaison=404)
CERTIFICATE = E(200, 200, 200, 404, 404, 404)


@pytest.fixture
def world(cast):
    """北街 on 10 December 2026: 马明's sheet issued, another member's still a draft, an open consultation,
    a certificate."""
    with time_machine.travel(NOW, tick=False):
        build_ledger(cast)
        other = registered_member(cast.beijie, employer=cast.finance, name="赵静")
        batch = services.sheet_batch_start(community=cast.beijie, year=2026, by=cast.secretary)
        services.sheet_batch_run(batch_id=batch.pk)
        issued = FeedbackSheet.objects.get(person=cast.member_person, is_current=True)
        services.sheet_issue(sheet=issued, by=cast.secretary)
        draft = FeedbackSheet.objects.get(person=other, is_current=True)
        consultation = services.consultation_ask(
            employer=cast.hospital, person=cast.member_person, purpose="award", by=cast.liaison
        )
        certificate = services.certificate_issue(person=cast.member_person, year=2026, by=cast.member)
        return SimpleNamespace(
            issued=issued.pk,
            draft=draft.pk,
            batch=SheetBatch.objects.get().pk,
            consultation=consultation.pk,
            certificate=certificate.pk,
            beijie=cast.beijie.pk,
            town_id=cast.town_obj.pk,
            member_person=cast.member_person.pk,
        )


ROUTES = [
    # sheets
    ("get", "sheets/", None, LIST),
    ("get", "sheets/{issued}/", None, SENT_SHEET),
    ("get", "sheets/{draft}/", None, DRAFT_SHEET),
    ("get", "sheets/{issued}/pdf/", None, SENT_SHEET),
    ("get", "sheets/acknowledgements/?year=2026", None, LIST),
    ("post", "sheets/{issued}/acknowledge/", {}, E(403, 403, 403, 200, 404, 404)),
    ("post", "sheets/{draft}/issue/", {}, OFFICE_ACT),
    ("post", "sheets/{draft}/opinion/", {"opinion": "表现良好"}, OFFICE_ACT),
    ("post", "sheets/{issued}/regenerate/", {}, E(201, 201, 403, 403, 404, 404)),
    # generation batches
    ("get", "sheet-batches/", None, LIST),
    ("get", "sheet-batches/{batch}/", None, COMMUNITY_ROW),
    (
        "post",
        "sheet-batches/",
        lambda w: {"community": w.beijie, "year": 2026},
        E(201, 201, 403, 400, 403, 400),
    ),
    (
        "post",
        "sheet-batches/town/",
        lambda w: {"town": w.town_id, "year": 2026},
        E(403, 201, 403, 400, 403, 400, other_secretary=403),  # 长城's office sees its town: refused
    ),
    # consultations
    ("get", "consultations/", None, LIST),
    ("get", "consultations/{consultation}/", None, CONSULTATION),
    (
        "post",
        "consultations/",
        lambda w: {"person": w.member_person, "purpose": "promotion"},
        E(400, 400, 400, 201, 400, 400),
    ),
    (
        "post",
        "consultations/{consultation}/answer/",
        {"opinion": "agree", "reasons": ""},
        E(200, 403, 404, 403, 404, 404),
    ),
    ("post", "consultations/{consultation}/withdraw/", {}, E(403, 403, 404, 200, 404, 404)),
    # certificates
    ("get", "certificates/", None, LIST),
    ("get", "certificates/{certificate}/", None, CERTIFICATE),
    ("get", "certificates/{certificate}/pdf/", None, CERTIFICATE),
    (
        "post",
        "certificates/",
        lambda w: {"person": w.member_person, "year": 2026},
        E(201, 403, 201, 403, 400, 400),  # the liaison sees its member, may not act for him
    ),
]


def covered_operations() -> set[tuple[str, str]]:
    """(METHOD, OpenAPI path) of every route in the table, for tests/security/test_matrix_coverage.py."""
    return matrix.covered_operations(API, ROUTES)


@pytest.mark.parametrize("route", ROUTES, ids=[matrix.route_id(r) for r in ROUTES])
def test_evaluations_employer_route_answers_each_persona_as_expected(cast, world, route):
    assert matrix.answers(cast, world, route, api=API, now=NOW) == route[3]


def test_lists_show_a_liaison_only_its_own_employers_sent_sheets(cast, world):
    with time_machine.travel(NOW, tick=False):
        for name, expected in [
            ("liaison", {world.issued}),
            ("other_liaison", set()),
            ("secretary", {world.issued, world.draft}),
            ("town", {world.issued, world.draft}),
            ("member", {world.issued}),
            ("other_secretary", set()),
        ]:
            client = APIClient()
            client.force_authenticate(getattr(cast, name))
            rows = client.get(API + "sheets/", {"page_size": 200}).json()["results"]
            assert {r["id"] for r in rows} == expected, name


def test_the_liaison_gets_the_sheet_fields_only(cast, world):
    from members.privacy import EMPLOYER_FEEDBACK_FIELDS

    client = APIClient()
    client.force_authenticate(cast.liaison)
    with time_machine.travel(NOW, tick=False):
        sheet = client.get(f"{API}sheets/{world.issued}/").json()
        consultation = client.get(f"{API}consultations/{world.consultation}/").json()
    assert set(sheet) <= set(EMPLOYER_FEEDBACK_FIELDS) and "generated_by" not in sheet
    assert set(consultation) <= set(EMPLOYER_FEEDBACK_FIELDS) and "asked_by" not in consultation


def test_the_sheet_list_costs_the_same_queries_whatever_its_length(
    cast, world, django_assert_max_num_queries
):
    with time_machine.travel(NOW, tick=False):
        for _ in range(5):
            registered_member(cast.beijie, employer=cast.hospital)
        batch = services.sheet_batch_start(community=cast.beijie, year=2026, by=cast.secretary)
        services.sheet_batch_run(batch_id=batch.pk)
        client = APIClient()
        client.force_authenticate(cast.secretary)
        # scope (roles, town's communities, person) 3 + count 1 + page 1 + session/savepoint slack
        with django_assert_max_num_queries(8):
            response = client.get(API + "sheets/", {"page_size": 200, "current": "true"})
    assert response.status_code == 200 and response.json()["count"] == 7


def test_overdue_consultations_are_listed_for_the_office_and_the_town(
    cast, world, django_assert_max_num_queries
):
    import datetime as dt

    from evaluations.models import Consultation

    due = Consultation.objects.get(pk=world.consultation).due_on
    with time_machine.travel(at(due.year, due.month, due.day, 10) + dt.timedelta(days=1), tick=False):
        for name, expected in [
            ("secretary", [world.consultation]),
            ("town", [world.consultation]),
            ("liaison", [world.consultation]),
            ("other_secretary", []),
        ]:
            client = APIClient()
            client.force_authenticate(getattr(cast, name))
            rows = client.get(API + "consultations/", {"overdue": "true"}).json()["results"]
            assert [r["id"] for r in rows] == expected, name
            assert all(r["overdue"] for r in rows)
        client = APIClient()
        client.force_authenticate(cast.secretary)
        # scope 3 + count 1 + page 1 (community, person, employer joined) + slack
        with django_assert_max_num_queries(8):
            assert client.get(API + "consultations/", {"overdue": "false"}).json()["results"] == []
