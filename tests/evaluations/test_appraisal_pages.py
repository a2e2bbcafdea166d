"""The pages: the secretary's evaluation page (panel, a link shown once with its QR code, a paper ballot,
the tally, excellent members), the evaluator's phone page through the link (no login), the officers' review."""

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from evaluations import services
from evaluations.models import Appraisal, AppraisalState, Ballot, Commendation, Evaluator, OfficerReview
from tests.volunteering.factories import at, registered_member

from .appraisal_support import NOW, open_appraisal, vote

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _now():
    cache.clear()
    with time_machine.travel(NOW, tick=False):
        yield


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def ev(cast):
    ev = open_appraisal(cast)
    ev.li = registered_member(cast.beijie, name="李华", employer=cast.hospital)
    return ev


def test_the_secretary_creates_an_evaluation_and_adds_the_panel(cast):
    secretary = client_for(cast.secretary)
    response = secretary.post(
        reverse("evaluations:appraisals"),
        {"community": cast.beijie.pk, "year": 2026, "kind": "members", "closes_on": "2026-12-20"},
    )
    appraisal = Appraisal.objects.get()
    assert response.url == reverse("evaluations:appraisal_detail", args=[appraisal.pk])
    secretary.post(
        reverse("evaluations:appraisal_action", args=[appraisal.pk, "evaluator"]),
        {"name": "张居民", "group": "resident_rep"},
    )
    secretary.post(reverse("evaluations:appraisal_action", args=[appraisal.pk, "open"]))
    appraisal.refresh_from_db()
    assert appraisal.state == AppraisalState.OPEN
    assert list(appraisal.evaluators.values_list("name", flat=True)) == ["张居民"]


def test_the_link_is_shown_once_with_a_qr_code_and_the_evaluator_votes_on_the_phone(cast, ev):
    secretary = client_for(cast.secretary)
    page = secretary.post(reverse("evaluations:evaluator_link", args=[ev.residents[0].pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and "/evaluations/ballot/?t=" in html
    url = page.context["url"]
    token = url.split("?t=")[1]
    detail = secretary.get(reverse("evaluations:appraisal_detail", args=[ev.appraisal.pk])).content.decode()
    assert token not in detail  # shown once: the evaluation page only says a link was issued
    assert "已发链接" in detail

    phone = Client()  # no login
    form = phone.get(f"/evaluations/ballot/?t={token}")
    assert form.status_code == 200
    body = form.content.decode()
    assert "马明" in body and "李华" in body and "志愿服务 0 项" in body

    grades = {f"grade_{cast.member_person.pk}": "excellent", f"grade_{ev.li.pk}": "competent", "t": token}
    done = phone.post(reverse("evaluations:ballot"), grades)
    assert done.status_code == 200 and "选票已提交" in done.content.decode()
    again = phone.post(reverse("evaluations:ballot"), grades)
    assert again.status_code == 403 and "无效或已失效" in again.content.decode()
    assert Ballot.objects.count() == 2


def test_a_bad_grade_on_the_phone_page_is_shown_beside_the_name(cast, ev):
    token = services.evaluator_issue_link(evaluator=ev.residents[0], by=cast.secretary)
    response = Client().post(
        reverse("evaluations:ballot"),
        {"t": token, f"grade_{cast.member_person.pk}": "great", f"grade_{ev.li.pk}": ""},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "评议等次应为优秀、合格、基本合格或不合格" in body and "请为李华选择评议等次" in body
    assert Ballot.objects.count() == 0


def test_an_unknown_link_is_refused(cast, ev):
    assert Client().get("/evaluations/ballot/?t=" + "x" * 32).status_code == 403


def test_staff_enter_a_paper_ballot_and_the_tally_shows_the_counts(cast, ev):
    staff = client_for(cast.staff)
    evaluator = ev.residents[1]
    response = staff.post(
        reverse("evaluations:paper_ballot", args=[evaluator.pk]),
        {
            f"grade_{cast.member_person.pk}": "basic",
            f"grade_{ev.li.pk}": "excellent",
            f"comment_{ev.li.pk}": "热心",
        },
    )
    assert response.status_code == 302
    evaluator.refresh_from_db()
    assert evaluator.channel == "paper" and Ballot.objects.get(subject=ev.li).comment == "热心"
    page = staff.get(reverse("evaluations:appraisal_detail", args=[ev.appraisal.pk])).content.decode()
    assert "0 / 0 / 1 / 0" in page  # 马明: one 基本合格 from the resident reps


def test_excellent_selection_on_the_page_needs_a_reason_for_an_ineligible_member(cast, ev):
    for evaluator in ev.panel:
        vote(cast, evaluator, {cast.member_person.pk: "excellent", ev.li.pk: "basic"})
    services.appraisal_close(appraisal=ev.appraisal, by=cast.secretary)
    secretary = client_for(cast.secretary)
    url = reverse("evaluations:appraisal_action", args=[ev.appraisal.pk, "excellent"])
    refused = secretary.post(url, {"person": ev.li.pk, "reason": ""}, follow=True)
    assert "须填写理由" in refused.content.decode()
    assert Commendation.objects.count() == 0
    secretary.post(url, {"person": ev.li.pk, "reason": "见义勇为"})
    assert Commendation.objects.get().person == ev.li


def test_only_the_town_sees_the_reopen_form_and_its_reason_lands_in_the_record(cast, ev):
    services.appraisal_close(appraisal=ev.appraisal, by=cast.secretary)
    url = reverse("evaluations:appraisal_detail", args=[ev.appraisal.pk])
    assert "重新开放（镇督查）" not in client_for(cast.secretary).get(url).content.decode()
    town = client_for(cast.town)
    assert "重新开放（镇督查）" in town.get(url).content.decode()
    town.post(reverse("evaluations:appraisal_action", args=[ev.appraisal.pk, "reopen"]), {"reason": "补录"})
    ev.appraisal.refresh_from_db()
    assert ev.appraisal.state == AppraisalState.OPEN
    assert "补录" in town.get(url).content.decode()


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("secretary", 200),
        ("staff", 200),
        ("director", 200),
        ("town", 200),
        ("other_secretary", 404),
        ("other_town", 404),
        ("officer", 404),
        ("member", 404),
        ("liaison", 404),
        ("outsider", 404),
    ],
)
def test_the_evaluation_page_is_for_the_office_and_the_town(cast, ev, persona, status):
    response = client_for(getattr(cast, persona)).get(
        reverse("evaluations:appraisal_detail", args=[ev.appraisal.pk])
    )
    assert response.status_code == status


def test_the_evaluation_pages_need_a_login(cast, ev):
    response = Client().get(reverse("evaluations:appraisal_detail", args=[ev.appraisal.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response.url
    assert Client().get(reverse("evaluations:appraisals")).status_code == 302


def test_a_member_cannot_issue_links_or_enter_ballots(cast, ev):
    evaluator = ev.residents[0]
    member = client_for(cast.member)
    assert member.post(reverse("evaluations:evaluator_link", args=[evaluator.pk])).status_code == 404
    assert member.get(reverse("evaluations:paper_ballot", args=[evaluator.pk])).status_code == 404
    town = client_for(cast.town)
    assert town.get(reverse("evaluations:paper_ballot", args=[evaluator.pk])).status_code == 403
    assert Evaluator.objects.get(pk=evaluator.pk).token_hash == ""


def test_the_officer_review_page_records_an_outcome(cast):
    secretary = client_for(cast.secretary)
    page = secretary.get(reverse("evaluations:officer_reviews"))
    assert page.status_code == 200 and "欧兰" in page.content.decode()
    secretary.post(
        reverse("evaluations:officer_reviews"),
        {"officer": cast.officer_row.pk, "year": 2026, "outcome": "commendation", "note": "走访勤勉"},
    )
    assert OfficerReview.objects.get().record.kind == "commendation"
    assert client_for(cast.member).get(reverse("evaluations:officer_reviews")).status_code == 403


def test_after_the_closing_date_the_phone_page_refuses(cast, ev):
    token = services.evaluator_issue_link(evaluator=ev.residents[0], by=cast.secretary)
    with time_machine.travel(at(2026, 12, 16, 9), tick=False):
        assert Client().get(f"/evaluations/ballot/?t={token}").status_code == 403
