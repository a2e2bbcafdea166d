"""The 报到登记 list in Excel, from the page (same tab and filters) and the API: office only, numbers masked
as on the list, ISO dates, constant queries at two sizes."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from members.exports import REGISTRATION_HEADERS
from members.models import RegistrationStatus
from tests import factories as f


def read(response) -> list[dict]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    rows = list(load_workbook(io.BytesIO(body)).active.iter_rows(values_only=True))
    assert list(rows[1]) == REGISTRATION_HEADERS
    return [dict(zip(REGISTRATION_HEADERS, r, strict=False)) for r in rows[2:]]


@pytest.fixture
def regs(cast):
    waiting = f.RegistrationFactory(person=cast.member_person)
    confirmed = f.RegistrationFactory(
        person=f.MembershipFactory(person__community=cast.beijie, employer=cast.hospital).person,
        status=RegistrationStatus.CONFIRMED,
    )
    foreign = f.RegistrationFactory(person=cast.foreign_person)
    return waiting, confirmed, foreign


def test_the_waiting_tab_exports_with_masked_numbers_and_iso_dates(client, cast, regs):
    waiting, confirmed, foreign = regs
    client.force_login(cast.secretary)

    rows = read(client.get(reverse("members:registrations_xlsx"), {"tab": "waiting"}))

    assert [r["姓名"] for r in rows] == ["马明"]  # 北街's waiting only: not 长城's, not the confirmed
    row = rows[0]
    assert row["联系电话"] == cast.member_person.mobile[:3] + "****" + cast.member_person.mobile[-4:]
    assert cast.member_person.id_number not in str(row["身份证号码"])
    assert row["工作单位"] == "县人民医院" and row["报到社区"] == "北街社区" and row["报到状态"] == "待确认"
    assert isinstance(row["提交时间"], dt.datetime)


def test_the_unregistered_tab_exports_the_people_without_a_registration(client, cast, regs):
    client.force_login(cast.secretary)
    lone = f.MembershipFactory(person__community=cast.beijie).person

    rows = read(client.get(reverse("members:registrations_xlsx"), {"tab": "unregistered"}))

    assert lone.name in [r["姓名"] for r in rows] and {r["报到状态"] for r in rows} == {"未报到"}


def test_the_town_exports_every_community(client, cast, regs):
    client.force_login(cast.town)

    rows = read(client.get(reverse("members:registrations_xlsx"), {"tab": "all"}))

    assert {r["报到社区"] for r in rows} == {"北街社区", "长城社区"}


@pytest.mark.parametrize("who", ["member", "officer", "liaison", "outsider"])
def test_the_export_is_for_offices_only(client, cast, regs, who):
    client.force_login(getattr(cast, who))

    assert client.get(reverse("members:registrations_xlsx")).status_code in (403, 404)


def test_the_api_exports_with_the_list_filters(as_user, cast, regs):
    waiting, confirmed, foreign = regs

    response = as_user("secretary").get(
        "/api/v1/registrations/export-xlsx/", {"status": RegistrationStatus.CONFIRMED}
    )

    assert response.status_code == 200
    assert [r["姓名"] for r in read(response)] == [confirmed.person.name]
    assert as_user("liaison").get("/api/v1/registrations/export-xlsx/").status_code == 403


@pytest.mark.parametrize("n", [2, 20])
def test_the_export_runs_a_constant_number_of_queries(client, cast, django_assert_max_num_queries, n):
    for _ in range(n):
        f.RegistrationFactory(person=f.MembershipFactory(person__community=cast.beijie).person)
    client.force_login(cast.secretary)

    # session, user, scope (3), the managed communities of the filter form (1), the registrations with
    # person, employer, building, community and handler (1), the access log (2)
    with django_assert_max_num_queries(10):
        rows = read(client.get(reverse("members:registrations_xlsx"), {"tab": "waiting"}))

    assert len(rows) == n
