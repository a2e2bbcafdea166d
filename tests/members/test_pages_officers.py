"""Information-officer pages: strength against quota, appointment, rewards and penalties, ending a post,
the quota, and the appointment letter."""

import sys
import types
from urllib.parse import unquote

import pytest
from django.urls import reverse

from members.models import InformationOfficer, OfficerRecord, OfficerStatus
from tests import factories as f


def html_of(response) -> str:
    return response.content.decode()


def test_officer_list_shows_strength_against_quota_and_the_vacancy_alert(client, cast):
    client.force_login(cast.secretary)

    html = html_of(client.get(reverse("members:officers")))

    assert "欧兰" in html
    assert cast.officer_row.appointment_no in html
    assert "信息员缺额" in html
    assert "缺 1 人" in html


def test_no_vacancy_alert_when_the_team_is_at_strength(client, cast):
    f.OfficerFactory(community=cast.beijie)
    client.force_login(cast.secretary)

    html = html_of(client.get(reverse("members:officers")))

    assert "信息员缺额" not in html
    assert "满编" in html


def test_ended_tab_lists_officers_who_left(client, cast):
    f.OfficerFactory(
        community=cast.beijie,
        person=f.PersonFactory(community=cast.beijie, name="离任者"),
        status=OfficerStatus.ENDED,
        ended_on="2026-02-01",
        end_reason="resigned",
    )
    client.force_login(cast.secretary)

    active = html_of(client.get(reverse("members:officers")))
    ended = html_of(client.get(reverse("members:officers"), {"tab": "ended"}))

    assert "离任者" not in active
    assert "离任者" in ended and "本人辞任" in ended


@pytest.mark.parametrize("rows", [5, 30])
def test_officer_list_runs_a_constant_number_of_queries(client, cast, django_assert_max_num_queries, rows):
    compound = f.CompoundFactory(community=cast.beijie)
    for officer in f.OfficerFactory.create_batch(rows, community=cast.beijie, compound=compound):
        OfficerRecord.objects.create(officer=officer, kind="commendation", on="2026-03-01", reason="积极")
    client.force_login(cast.town)

    with django_assert_max_num_queries(10):  # +1: the bell's unread count
        response = client.get(reverse("members:officers"))

    assert response.status_code == 200


# ----------------------------------------------------------------------------------------------- appoint


def test_secretary_appoints_a_retired_member(client, cast):
    retired = f.RetiredMembershipFactory(person__community=cast.beijie, person__name="田退").person
    compound = f.CompoundFactory(community=cast.beijie, name="幸福院")
    client.force_login(cast.secretary)
    page = html_of(client.get(reverse("members:officer_appoint"), {"person": retired.pk}))
    assert 'data-source="retired"' in page
    assert "马明" not in page  # in-service members claim service posts instead
    assert "陈外" not in page

    response = client.post(
        reverse("members:officer_appoint"),
        {
            "person": retired.pk,
            "source": "retired",
            "appointed_on": "2026-03-01",
            "term_years": "3",
            "compound": compound.pk,
        },
    )

    officer = InformationOfficer.objects.get(person=retired)
    assert response.status_code == 302
    assert response.url == reverse("members:officer_detail", args=[officer.pk])
    assert officer.appointment_no == "BEIJIE-2026-001"
    assert str(officer.term_end) == "2029-02-28"
    assert officer.compound == compound


def test_appointing_a_non_member_as_a_retired_member_shows_the_services_error(client, cast):
    neighbour = f.PersonFactory(community=cast.beijie, name="邻居")
    client.force_login(cast.secretary)

    response = client.post(
        reverse("members:officer_appoint"),
        {"person": neighbour.pk, "source": "retired", "appointed_on": "2026-03-01", "term_years": "3"},
    )

    assert response.status_code == 400
    assert "来源应为小区积极分子或优秀综治员" in html_of(response)
    assert not InformationOfficer.objects.filter(person=neighbour).exists()


def test_an_in_service_member_is_not_a_choice_for_appointment(client, cast):
    client.force_login(cast.secretary)

    response = client.post(
        reverse("members:officer_appoint"),
        {
            "person": cast.member_person.pk,
            "source": "activist",
            "appointed_on": "2026-03-01",
            "term_years": "3",
        },
    )

    assert response.status_code == 400
    assert not InformationOfficer.objects.filter(person=cast.member_person).exists()


# --------------------------------------------------------------------------------------- officer page


def test_officer_page_shows_the_next_rung_of_the_penalty_ladder(client, cast):
    client.force_login(cast.secretary)
    url = reverse("members:officer_detail", args=[cast.officer_row.pk])

    before = html_of(client.get(url))
    client.post(
        reverse("members:officer_record", args=[cast.officer_row.pk]),
        {"kind": "criticism", "on": "2026-03-02", "reason": "民情日志未按时记录"},
    )
    after = html_of(client.get(url))

    assert '下一级为：<span class="badge warn">批评教育</span>' in before
    assert '下一级为：<span class="badge warn">通报批评</span>' in after
    assert "民情日志未按时记录" in after
    assert 'name="skip_reason"' in after


def test_skipping_a_rung_without_a_reason_is_refused_and_nothing_is_recorded(client, cast):
    client.force_login(cast.secretary)

    response = client.post(
        reverse("members:officer_record", args=[cast.officer_row.pk]),
        {"kind": "economic_penalty", "on": "2026-03-02", "reason": "引发群众投诉", "amount_yuan": "100"},
    )

    assert response.status_code == 400
    assert "越级处理须说明理由" in html_of(response)
    assert not OfficerRecord.objects.exists()


def test_skipping_a_rung_with_a_reason_is_recorded(client, cast):
    client.force_login(cast.secretary)

    response = client.post(
        reverse("members:officer_record", args=[cast.officer_row.pk]),
        {
            "kind": "economic_penalty",
            "on": "2026-03-02",
            "reason": "引发群众投诉",
            "amount_yuan": "100",
            "skip_reason": "情节严重",
        },
    )

    assert response.status_code == 302
    record = OfficerRecord.objects.get()
    assert record.kind == "economic_penalty"
    assert "情节严重" in record.reason


def test_ending_an_appointment(client, cast):
    client.force_login(cast.secretary)

    response = client.post(
        reverse("members:officer_end", args=[cast.officer_row.pk]), {"reason": "moved", "on": "2026-04-01"}
    )

    cast.officer_row.refresh_from_db()
    assert response.status_code == 302
    assert cast.officer_row.status == OfficerStatus.ENDED
    assert cast.officer_row.end_reason == "moved"
    html = html_of(client.get(reverse("members:officer_detail", args=[cast.officer_row.pk])))
    assert "办理离任" not in html
    assert "迁出社区" in html


def test_ending_with_an_unknown_reason_changes_nothing(client, cast):
    client.force_login(cast.secretary)

    response = client.post(
        reverse("members:officer_end", args=[cast.officer_row.pk]), {"reason": "bored", "on": "2026-04-01"}
    )

    cast.officer_row.refresh_from_db()
    assert response.status_code == 400
    assert cast.officer_row.status == OfficerStatus.ACTIVE


# --------------------------------------------------------------------------------------------- quota


def test_secretary_sets_the_officer_quota(client, cast):
    client.force_login(cast.secretary)

    response = client.post(reverse("members:officer_quota", args=[cast.beijie.pk]), {"officer_quota": "5"})

    cast.beijie.refresh_from_db()
    assert response.status_code == 302
    assert cast.beijie.officer_quota == 5


@pytest.mark.parametrize("value", ["-1", "501", "many"])
def test_an_impossible_quota_is_refused(client, cast, value):
    client.force_login(cast.secretary)

    response = client.post(
        reverse("members:officer_quota", args=[cast.beijie.pk]), {"officer_quota": value}, follow=True
    )

    cast.beijie.refresh_from_db()
    assert cast.beijie.officer_quota == 2
    assert 'class="error"' in html_of(response)


# -------------------------------------------------------------------------------------------- letter


def test_letter_is_an_inline_pdf_named_after_the_appointment_number(client, cast, monkeypatch):
    monkeypatch.setitem(
        sys.modules,
        "members.letters",
        types.SimpleNamespace(
            appointment_letter_pdf=lambda officer: b"%PDF-1.7 " + officer.appointment_no.encode()
        ),
    )
    client.force_login(cast.secretary)

    response = client.get(reverse("members:officer_letter", args=[cast.officer_row.pk]))

    disposition = response["Content-Disposition"]
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert disposition.startswith("inline;")
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == f"聘书-{cast.officer_row.appointment_no}.pdf"
    assert response.content.startswith(b"%PDF")


def test_officer_can_open_their_own_letter_but_not_someone_elses(client, cast, monkeypatch):
    monkeypatch.setitem(
        sys.modules,
        "members.letters",
        types.SimpleNamespace(appointment_letter_pdf=lambda officer: b"%PDF-1.7"),
    )
    other = f.OfficerFactory(community=cast.beijie)
    client.force_login(cast.officer)

    assert client.get(reverse("members:officer_letter", args=[cast.officer_row.pk])).status_code == 200
    assert client.get(reverse("members:officer_letter", args=[other.pk])).status_code == 404


def test_letter_from_the_real_module_is_a_pdf(client, cast):
    client.force_login(cast.secretary)

    response = client.get(reverse("members:officer_letter", args=[cast.officer_row.pk]))

    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
