"""The democratic evaluation through the API: the evaluator's public ballot (no login), the tally, the
excellent selection's refusal naming `reason`, and query counts of the lists independent of their size."""

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache
from rest_framework.test import APIClient

from evaluations import services
from evaluations.models import (
    Appraisal,
    AppraisalState,
    Ballot,
    Commendation,
    Evaluator,
    EvaluatorGroup,
    ExcellentSelection,
    OfficerOutcome,
    OfficerReview,
)
from tests.volunteering.factories import at, registered_member

from .appraisal_support import NOW, open_appraisal, vote

pytestmark = pytest.mark.django_db
API = "/api/v1/"


@pytest.fixture(autouse=True)
def _now():
    cache.clear()
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def ev(cast):
    ev = open_appraisal(cast)
    ev.li = registered_member(cast.beijie, name="李华", employer=cast.hospital)
    return ev


def _lines(ev, cast, grade="excellent"):
    return [{"subject": cast.member_person.pk, "grade": grade}, {"subject": ev.li.pk, "grade": "competent"}]


def test_an_evaluator_votes_once_through_the_link_without_an_account(cast, ev):
    issued = APIClient()
    issued.force_authenticate(cast.secretary)
    link = issued.post(f"{API}appraisal-evaluators/{ev.residents[0].pk}/issue-link/").json()
    assert link["url"].endswith(f"/evaluations/ballot/?t={link['token']}")
    anonymous = APIClient()

    form = anonymous.post(f"{API}public/ballots/lookup/", {"token": link["token"]}, format="json")
    assert form.status_code == 200
    assert [s["name"] for s in form.json()["subjects"]] == ["李华", "马明"]
    assert form.json()["grades"] == {
        "excellent": "优秀",
        "competent": "合格",
        "basic": "基本合格",
        "incompetent": "不合格",
    }

    first = anonymous.post(
        f"{API}public/ballots/", {"token": link["token"], "grades": _lines(ev, cast)}, format="json"
    )
    second = anonymous.post(
        f"{API}public/ballots/", {"token": link["token"], "grades": _lines(ev, cast, "basic")}, format="json"
    )

    assert (first.status_code, first.json()) == (201, {"ballots": 2})
    assert second.status_code == 403 and second.json()["error"]["message"] == "此评议链接无效或已失效"
    assert Ballot.objects.count() == 2
    assert (
        anonymous.post(f"{API}public/ballots/lookup/", {"token": link["token"]}, format="json").status_code
        == 403
    )


def test_a_bad_grade_by_link_is_refused_naming_the_field(cast, ev):
    token = services.evaluator_issue_link(evaluator=ev.residents[0], by=cast.secretary)
    lines = [{"subject": cast.member_person.pk, "grade": "good"}, {"subject": ev.li.pk, "grade": "competent"}]
    response = APIClient().post(f"{API}public/ballots/", {"token": token, "grades": lines}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        f"grades.{cast.member_person.pk}": ["评议等次应为优秀、合格、基本合格或不合格"]
    }
    assert Ballot.objects.count() == 0


def test_a_link_after_the_closing_date_is_dead(cast, ev):
    token = services.evaluator_issue_link(evaluator=ev.residents[0], by=cast.secretary)
    with time_machine.travel(at(2026, 12, 16, 9), tick=False):
        response = APIClient().post(
            f"{API}public/ballots/", {"token": token, "grades": _lines(ev, cast)}, format="json"
        )
        looked = APIClient().post(f"{API}public/ballots/lookup/", {"token": token}, format="json")
    assert response.status_code == 409 and response.json()["error"]["code"] == "appraisal_closed"
    assert looked.status_code == 403


def test_the_tally_and_an_ineligible_excellent_member_through_the_api(cast, ev, as_user):
    for evaluator in ev.panel:
        vote(cast, evaluator, {cast.member_person.pk: "excellent", ev.li.pk: "basic"})
    secretary = as_user("secretary")
    assert secretary.post(f"{API}appraisals/{ev.appraisal.pk}/close/").status_code == 200
    rows = {r["name"]: r for r in secretary.get(f"{API}appraisals/{ev.appraisal.pk}/tally/").json()}
    assert rows["李华"]["grade_label"] == "基本合格"
    assert rows["李华"]["counts"]["resident_rep"] == {
        "excellent": 0,
        "competent": 0,
        "basic": 3,
        "incompetent": 0,
    }

    refused = secretary.post(
        f"{API}appraisals/{ev.appraisal.pk}/excellent/", {"person": ev.li.pk}, format="json"
    )
    assert refused.status_code == 400 and list(refused.json()["error"]["fields"]) == ["reason"]

    made = secretary.post(
        f"{API}appraisals/{ev.appraisal.pk}/excellent/",
        {"person": ev.li.pk, "reason": "救火负伤"},
        format="json",
    )
    assert made.status_code == 201 and made.json()["employer_name"] == "县人民医院"
    assert as_user("liaison").get(f"{API}commendations/").json()["count"] == 1
    assert as_user("other_liaison").get(f"{API}commendations/").json()["count"] == 0


def test_reopen_through_the_api_needs_the_town_and_a_reason(cast, ev, as_user):
    services.appraisal_close(appraisal=ev.appraisal, by=cast.secretary)
    url = f"{API}appraisals/{ev.appraisal.pk}/reopen/"
    assert as_user("secretary").post(url, {"reason": "补录"}, format="json").status_code == 403
    missing = as_user("town").post(url, {}, format="json")
    assert missing.status_code == 400 and "reason" in missing.json()["error"]["fields"]
    done = as_user("town").post(url, {"reason": "补录纸质选票", "closes_on": "2026-12-20"}, format="json")
    assert done.status_code == 200 and done.json()["state"] == "open"
    detail = as_user("town").get(f"{API}appraisals/{ev.appraisal.pk}/").json()
    assert detail["events"][-1]["note"] == "补录纸质选票" and detail["events"][-1]["action"] == "reopen"


@pytest.mark.parametrize(
    ("path", "queries"),
    [
        # session/auth is forced: 1 the user's roles, 2 the user's person (scope), 3 count, 4 the page
        ("appraisals/", 4),
        ("appraisal-evaluators/", 4),
        ("commendations/", 4),
        ("officer-reviews/", 4),
    ],
)
def test_list_query_counts_do_not_grow_with_the_rows(
    cast, as_user, django_assert_max_num_queries, path, queries
):
    years = iter(range(2010, 2026))

    def grow(n):
        """n more rows of every list: evaluations with a panel member, commendations, officer reviews."""
        for _ in range(n):
            year = next(years)
            a = Appraisal.objects.create(
                community=cast.beijie, year=year, closes_on=dt.date(year, 12, 20), state=AppraisalState.CLOSED
            )
            Evaluator.objects.create(appraisal=a, name="代表", group=EvaluatorGroup.RESIDENT_REP)
            person = registered_member(cast.beijie, employer=cast.hospital, user=False)
            selection = ExcellentSelection.objects.create(appraisal=a, person=person)
            Commendation.objects.create(
                selection=selection,
                community=cast.beijie,
                employer=cast.hospital,
                person=person,
                year=year,
                number=f"{year}-beijie-001",
                body="通报表彰",
            )
            OfficerReview.objects.create(
                officer=cast.officer_row,
                year=year,
                outcome=OfficerOutcome.NONE,
                note="好",
                **dict.fromkeys(
                    [
                        "diary_entries",
                        "reports",
                        "reports_prompt",
                        "feedback_total",
                        "feedback_on_time",
                        "complaints",
                    ],
                    0,
                ),
            )

    client = as_user("secretary")
    grow(1)
    with django_assert_max_num_queries(queries):
        small = client.get(API + path, {"page_size": 2})
    grow(5)
    with django_assert_max_num_queries(queries):
        big = client.get(API + path, {"page_size": 50})
    assert small.status_code == big.status_code == 200


def test_the_commendation_pdf_carries_the_members_name_and_is_logged(cast, ev, as_user, tmp_path):
    import subprocess

    from core.models import AccessLog

    for evaluator in ev.panel:
        vote(cast, evaluator, {cast.member_person.pk: "excellent", ev.li.pk: "competent"})
    services.appraisal_close(appraisal=ev.appraisal, by=cast.secretary)
    services.excellent_select(
        appraisal=ev.appraisal, person=cast.member_person, by=cast.secretary, reason="表现突出"
    )
    notice = Commendation.objects.get()

    response = as_user("liaison").get(f"{API}commendations/{notice.pk}/pdf/")

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    path = tmp_path / "notice.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "通报表彰" in text and "马明" in text and "2026-beijie-001" in text
    assert AccessLog.objects.filter(object_id=str(notice.pk), what="print").count() == 1


def _commendation(cast):
    """A commendation of 马明 (县人民医院) from a closed 2026 evaluation (for tests/audit/test_access_log.py)."""
    with time_machine.travel(NOW, tick=False):
        ev = open_appraisal(cast, residents=1, members=0)
        vote(cast, ev.residents[0], {cast.member_person.pk: "excellent"})
        services.appraisal_close(appraisal=ev.appraisal, by=cast.secretary)
        services.excellent_select(
            appraisal=ev.appraisal, person=cast.member_person, by=cast.secretary, reason="好"
        )
    return Commendation.objects.get()
