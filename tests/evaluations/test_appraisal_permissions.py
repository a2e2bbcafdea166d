"""Every democratic-evaluation API route × every persona of the cast, with the exact status expected.

Reading the table: 北街's office (secretary, staff, director) runs the evaluation; the town supervisor reads
it, reopens a closed one and reviews officers, and gets 403 on the office's acts; the officer, member, deputy,
liaisons and the outsider are refused the evaluation altogether (403) — evaluators vote through their link,
not an account; another community's office or town gets 404 on 北街's rows (400 when naming one in a body).
Commendations are read by the office, the town and the member's employer's liaison; an officer reads their
own review. Each persona's request runs in a rolled-back savepoint, so all of them meet the same world.
"""

import datetime as dt
from types import SimpleNamespace

import pytest
import time_machine

from evaluations import selectors, services
from evaluations.models import (
    Appraisal,
    AppraisalKind,
    Commendation,
    Evaluator,
    EvaluatorGroup,
    OfficerReview,
)
from members.models import Person
from tests import matrix
from tests.conftest import ROLE_NAMES, home_communities
from tests.volunteering.factories import register, registered_member

from .appraisal_support import NOW, open_appraisal, vote

pytestmark = pytest.mark.django_db

API = "/api/v1/"
OFFICE = ("secretary", "staff", "director")
NOT_OVERSEERS = ("officer", "member", "deputy", "liaison", "other_liaison", "outsider")


def E(office, town, foreign, others=403, anonymous=403, **overrides) -> dict:
    """Expected status per persona: `foreign` is 长城's secretary and 东关镇's supervisor; `others` every
    persona who oversees no community (officer, member, deputy, liaisons, outsider)."""
    expected = {name: office for name in OFFICE}
    expected.update(town=town, other_secretary=foreign, other_town=foreign, anonymous=anonymous)
    expected.update(dict.fromkeys(NOT_OVERSEERS, others))
    expected.update(overrides)
    assert set(expected) == set(ROLE_NAMES)
    return expected


LIST = E(200, 200, 200)
DETAIL = E(200, 200, 404)
OFFICE_ACT = E(200, 403, 404)
OFFICE_CREATE = E(201, 403, 400)
OFFICE_ACT_201 = E(201, 403, 404)
SCOPED_LIST = E(200, 200, 200, others=200)


def _closed(cast, year, kind=AppraisalKind.MEMBERS, grade="excellent"):
    ev = open_appraisal(cast, residents=2, members=1, kind=kind, year=year, closes_on=dt.date(2026, 12, 15))
    for evaluator in ev.panel:
        people = selectors.subjects(ev.appraisal).values_list("pk", flat=True)
        vote(cast, evaluator, dict.fromkeys(people, grade))
    services.appraisal_close(appraisal=ev.appraisal, by=cast.secretary)
    return ev.appraisal


@pytest.fixture
def world(cast):
    """北街 on 20 November 2026: last year's evaluation closed, this year's open, a draft of next year's, the
    cadres' closed one, a commendation of 何同事 (县人民医院), an officer's review."""
    with time_machine.travel(NOW, tick=False):
        register(cast.member_person, cast.beijie)
        for user, name in ((cast.secretary, "艾书记"), (cast.staff, "鲍干事"), (cast.director, "戴主任")):
            Person.objects.create(community=cast.beijie, name=name, user=user)
        colleague = registered_member(cast.beijie, employer=cast.hospital, name="何同事")
        closed = _closed(cast, 2025)
        cadres = _closed(cast, 2025, kind=AppraisalKind.CADRES)
        services.excellent_select(appraisal=closed, person=colleague, by=cast.secretary, reason="抗疫突出")
        current = open_appraisal(cast, residents=2, members=1)
        draft = services.appraisal_create(
            community=cast.beijie, by=cast.secretary, year=2027, closes_on=dt.date(2027, 12, 1)
        )
        services.evaluator_add(
            appraisal=draft, by=cast.secretary, name="代表甲", group=EvaluatorGroup.RESIDENT_REP
        )
        review = services.officer_review(
            officer=cast.officer_row, by=cast.secretary, year=2026, outcome="none", note="按时走访"
        )
        return SimpleNamespace(
            beijie=cast.beijie.pk,
            member_person=cast.member_person.pk,
            colleague=colleague.pk,
            officer_row=cast.officer_row.pk,
            closed=closed.pk,
            cadres=cadres.pk,
            open=current.appraisal.pk,
            draft=draft.pk,
            evaluator=current.panel[0].pk,
            commendation=Commendation.objects.get().pk,
            review=review.pk,
        )


ROUTES = [
    # the evaluations
    ("get", "appraisals/", None, LIST),
    ("get", "appraisals/{open}/", None, DETAIL),
    (
        "post",
        "appraisals/",
        lambda w: {"community": w.beijie, "year": 2028, "closes_on": "2028-12-01"},
        OFFICE_CREATE,
    ),
    ("post", "appraisals/{draft}/open/", {}, OFFICE_ACT),
    ("post", "appraisals/{open}/close/", {}, OFFICE_ACT),
    ("post", "appraisals/{closed}/reopen/", {"reason": "补录纸质选票"}, E(403, 200, 404)),
    ("get", "appraisals/{open}/tally/", None, DETAIL),
    (
        "post",
        "appraisals/{closed}/excellent/",
        lambda w: {"person": w.member_person, "reason": "热心公益，群众评价好"},
        OFFICE_ACT_201,
    ),
    ("post", "appraisals/{cadres}/publish/", {}, OFFICE_ACT),
    # the panel
    ("get", "appraisal-evaluators/", None, LIST),
    ("get", "appraisal-evaluators/{evaluator}/", None, DETAIL),
    (
        "post",
        "appraisal-evaluators/",
        lambda w: {"appraisal": w.open, "name": "新代表", "group": "resident_rep"},
        OFFICE_CREATE,
    ),
    ("delete", "appraisal-evaluators/{evaluator}/", None, E(204, 403, 404)),
    ("post", "appraisal-evaluators/{evaluator}/issue-link/", {}, OFFICE_ACT_201),
    (
        "post",
        "appraisal-evaluators/{evaluator}/paper-ballot/",
        lambda w: {
            "grades": [
                {"subject": w.member_person, "grade": "excellent", "comment": "好"},
                {"subject": w.colleague, "grade": "competent"},
            ]
        },
        OFFICE_ACT_201,
    ),
    # commendations: the office, the town, the member's employer
    ("get", "commendations/", None, SCOPED_LIST),
    ("get", "commendations/{commendation}/", None, E(200, 200, 404, others=404, liaison=200)),
    ("get", "commendations/{commendation}/pdf/", None, E(200, 200, 404, others=404, liaison=200)),
    # officers' reviews
    ("get", "officer-reviews/", None, SCOPED_LIST),
    ("get", "officer-reviews/{review}/", None, E(200, 200, 404, others=404, officer=200)),
    (
        "post",
        "officer-reviews/",
        lambda w: {"officer": w.officer_row, "year": 2025, "outcome": "none", "note": "走访勤勉"},
        E(201, 201, 400, others=400, officer=403),
    ),
]


def covered_operations() -> set[tuple[str, str]]:
    """(METHOD, OpenAPI path) of every route in the table, for tests/security/test_matrix_coverage.py."""
    return matrix.covered_operations(API, ROUTES)


@pytest.mark.parametrize("route", ROUTES, ids=[matrix.route_id(r) for r in ROUTES])
def test_appraisal_route_answers_each_persona_as_expected(cast, world, route):
    assert matrix.answers(cast, world, route, api=API, now=NOW) == route[3]


LISTS = {
    "appraisals/": (Appraisal, "community_id"),
    "appraisal-evaluators/": (Evaluator, "appraisal__community_id"),
    "commendations/": (Commendation, "community_id"),
    "officer-reviews/": (OfficerReview, "officer__community_id"),
}


@pytest.mark.parametrize("path", list(LISTS))
def test_no_list_shows_a_row_of_a_community_outside_the_personas_own(cast, world, path):
    with time_machine.travel(NOW, tick=False):
        # 长城's counterpart of each row
        other = registered_member(cast.changcheng, employer=cast.finance)
        a = services.appraisal_create(
            community=cast.changcheng, by=cast.other_secretary, year=2026, closes_on=dt.date(2026, 12, 15)
        )
        services.evaluator_add(appraisal=a, by=cast.other_secretary, name="长城代表", group="resident_rep")
        assert other.pk
    home = home_communities(cast)
    for name, rows in matrix.listed_rows(cast, API + path).items():
        seen = matrix.row_communities(rows, *LISTS[path])
        allowed = home[name] | ({cast.beijie.pk} if name == "liaison" and path == "commendations/" else set())
        assert seen <= allowed, (name, path, seen)


def test_a_liaison_reads_only_the_sheets_fields_of_a_commendation(cast, world, as_user):
    from members.privacy import EMPLOYER_FEEDBACK_FIELDS

    body = as_user("liaison").get(f"{API}commendations/{world.commendation}/").json()
    assert set(body) <= set(EMPLOYER_FEEDBACK_FIELDS)
    assert body["person_name"] == "何同事" and body["employer_name"] == "县人民医院"


# ----------------------------------------------------------------- requests for the security sweeps


def _public_bodies(cast, w) -> dict:
    """The evaluator's public ballot: a fresh link of an open evaluation's evaluator who has not voted."""
    evaluator = Evaluator.objects.get(pk=w.evaluator)
    with time_machine.travel(NOW, tick=False):
        token = services.evaluator_issue_link(evaluator=evaluator, by=cast.secretary)
    grades = [
        {"subject": w.member_person, "grade": "competent", "comment": ""},
        {"subject": w.colleague, "grade": "excellent", "comment": "热心"},
    ]
    return {
        "public-ballot": ("post", API + "public/ballots/", {"token": token, "grades": grades}),
        "public-lookup": ("post", API + "public/ballots/lookup/", {"token": token}),
    }


def build_request(key, cast, w=None):
    """(method, url, payload builder, frozen time) of a route of the table (key: (method, path)) or of the
    public ballot ("public-ballot", "public-lookup"), for tests/security/test_mass_assignment.py and the
    fuzz tests."""
    w = w or _world_function()(cast)
    if key in ("public-ballot", "public-lookup"):
        method, url, body = _public_bodies(cast, w)[key]
        return method, url, (lambda: dict(body)), NOW
    method, path = key
    route = next(r for r in ROUTES if (r[0], r[1]) == (method, path))
    body = route[2]
    payload = (lambda: body(w)) if callable(body) else (lambda: dict(body or {}))
    return method, API + path.format(**vars(w)), payload, NOW


def _world_function():
    return world._get_wrapped_function() if hasattr(world, "_get_wrapped_function") else world
