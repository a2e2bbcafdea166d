"""The roster pages: list with filters and masked numbers, person detail and form, Excel import/export."""

import sys
import types
from urllib.parse import unquote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from members.models import (
    ImportStatus,
    MemberCategory,
    PartyMembership,
    Person,
    RegistrationStatus,
    RosterImport,
)
from tests import factories as f


def html_of(response) -> str:
    return response.content.decode()


# ------------------------------------------------------------------------------------------------- list


def test_roster_lists_the_people_of_the_secretarys_community_only(client, cast):
    client.force_login(cast.secretary)

    html = html_of(client.get(reverse("members:roster")))

    assert "马明" in html
    assert "欧兰" in html
    assert "陈外" not in html


def test_roster_never_shows_a_full_phone_or_id_number(client, cast):
    client.force_login(cast.secretary)
    person = cast.member_person

    html = html_of(client.get(reverse("members:roster")))

    assert person.mobile not in html
    assert person.id_number not in html
    assert f"{person.mobile[:3]}****{person.mobile[-4:]}" in html
    assert f"{person.id_number[:4]}**********{person.id_number[-4:]}" in html


def test_roster_search_by_name_and_by_mobile(client, cast):
    client.force_login(cast.secretary)

    by_name = html_of(client.get(reverse("members:roster"), {"q": "马"}))
    by_mobile = html_of(client.get(reverse("members:roster"), {"q": cast.officer_person.mobile[-6:]}))

    assert "马明" in by_name and "欧兰" not in by_name
    assert "欧兰" in by_mobile and "马明" not in by_mobile


def test_roster_filters_by_category_and_registration_state(client, cast):
    waiting = f.MembershipFactory(person__community=cast.beijie, person__name="王待").person
    f.RegistrationFactory(person=waiting)
    confirmed = f.MembershipFactory(person__community=cast.beijie, person__name="李已").person
    f.RegistrationFactory(person=confirmed, status=RegistrationStatus.CONFIRMED)
    f.RetiredMembershipFactory(person__community=cast.beijie, person__name="赵退")
    client.force_login(cast.secretary)
    url = reverse("members:roster")

    unregistered = html_of(client.get(url, {"state": "unregistered"}))
    registered = html_of(client.get(url, {"state": "registered"}))
    retired = html_of(client.get(url, {"category": MemberCategory.RETIRED}))
    non_members = html_of(client.get(url, {"category": "none"}))

    assert "马明" in unregistered and "王待" not in unregistered and "李已" not in unregistered
    assert "赵退" not in unregistered  # retired members do not register
    assert "李已" in registered and "王待" not in registered
    assert "赵退" in retired and "马明" not in retired
    assert "欧兰" in non_members and "马明" not in non_members


def test_roster_ignores_a_community_filter_outside_the_users_communities(client, cast):
    client.force_login(cast.secretary)

    html = html_of(client.get(reverse("members:roster"), {"community": cast.changcheng.pk}))

    assert "陈外" not in html


def test_town_supervisor_filters_the_roster_by_community(client, cast):
    client.force_login(cast.town)

    html = html_of(client.get(reverse("members:roster"), {"community": cast.changcheng.pk}))

    assert "陈外" in html
    assert "马明" not in html


def test_roster_is_paginated_by_fifty(client, cast):
    f.PersonFactory.create_batch(55, community=cast.beijie)
    client.force_login(cast.secretary)

    first = html_of(client.get(reverse("members:roster")))
    second = html_of(client.get(reverse("members:roster"), {"page": 2}))

    assert "第 1 / 2 页，共 57 条" in first
    assert "第 2 / 2 页" in second


@pytest.mark.parametrize("rows", [5, 30])
def test_roster_runs_a_constant_number_of_queries(client, cast, django_assert_max_num_queries, rows):
    for person in f.PersonFactory.create_batch(rows, community=cast.beijie, building=cast.b1):
        f.MembershipFactory(person=person, employer=cast.hospital)
        f.RegistrationFactory(person=person)
    client.force_login(cast.town)

    # + 2: the town holds no roster role, so members.privacy asks for the granted permission (export link)
    with django_assert_max_num_queries(12):  # +1: the bell's unread count
        response = client.get(reverse("members:roster"))

    assert response.status_code == 200


# ----------------------------------------------------------------------------------------------- detail


def test_person_detail_shows_membership_registration_history_and_officer_posts(client, cast):
    registration = f.RegistrationFactory(person=cast.member_person)
    client.force_login(cast.secretary)
    client.post(reverse("members:registration_confirm", args=[registration.pk]))

    member_html = html_of(client.get(reverse("members:person_detail", args=[cast.member_person.pk])))
    officer_html = html_of(client.get(reverse("members:person_detail", args=[cast.officer_person.pk])))

    assert "在职党员" in member_html
    assert "县人民医院" in member_html
    assert "确认报到" in member_html and "alice" in member_html
    # the secretary answers for the roster, so sees the numbers in full (members.privacy)
    assert cast.member_person.id_number in member_html
    assert cast.officer_row.appointment_no in officer_html


# ------------------------------------------------------------------------------------------------- form


def person_post(cast, **overrides):
    data = {
        "community": cast.beijie.pk,
        "name": "张新",
        "gender": "F",
        "mobile": "13800001111",
        "id_number": f.make_id_number(777),
        "building": cast.b2.pk,
        "unit_room": "3单元502",
        "category": MemberCategory.IN_SERVICE,
        "employer": cast.hospital.pk,
        "specialties": "法律咨询、书法",
        "joined_on": "2012-07-01",
    }
    data.update(overrides)
    return data


def test_secretary_adds_an_in_service_member_to_the_roster(client, cast):
    client.force_login(cast.secretary)

    response = client.post(reverse("members:person_create"), person_post(cast))

    person = Person.objects.get(name="张新")
    assert response.status_code == 302
    assert response.url == reverse("members:person_detail", args=[person.pk])
    assert person.community == cast.beijie
    assert person.membership.category == MemberCategory.IN_SERVICE
    assert person.membership.specialties == ["法律咨询", "书法"]


def test_in_service_member_without_employer_is_refused_and_nothing_is_saved(client, cast):
    client.force_login(cast.secretary)

    response = client.post(reverse("members:person_create"), person_post(cast, employer=""))

    assert response.status_code == 400
    assert "在职党员必须填写工作单位" in html_of(response)
    assert not Person.objects.filter(name="张新").exists()


def test_invalid_id_number_and_foreign_building_are_shown_under_their_fields(client, cast):
    client.force_login(cast.secretary)
    bad_id = f.make_id_number(777)[:-1] + ("0" if f.make_id_number(777)[-1] != "0" else "1")

    response = client.post(reverse("members:person_create"), person_post(cast, id_number=bad_id))
    foreign = client.post(reverse("members:person_create"), person_post(cast, building=cast.cc1.pk))

    assert "身份证号码校验位错误" in html_of(response)
    assert foreign.status_code == 400  # 长城's building is not a choice for 北街
    assert not Person.objects.filter(name="张新").exists()


def test_secretary_cannot_add_a_person_to_another_community(client, cast):
    client.force_login(cast.secretary)

    response = client.post(
        reverse("members:person_create"), person_post(cast, community=cast.changcheng.pk, building="")
    )

    assert response.status_code == 400
    assert not Person.objects.filter(name="张新").exists()


def test_secretary_edits_a_person(client, cast):
    client.force_login(cast.secretary)
    url = reverse("members:person_edit", args=[cast.member_person.pk])
    form_page = html_of(client.get(url))
    assert "马明" in form_page

    response = client.post(
        url,
        {
            "name": "马明",
            "mobile": "13900009999",
            "building": cast.b2.pk,
            "unit_room": "2单元201",
            "category": MemberCategory.IN_SERVICE,
            "employer": cast.finance.pk,
            "position": "科员",
        },
    )

    assert response.status_code == 302
    cast.member_person.refresh_from_db()
    assert cast.member_person.mobile == "13900009999"
    assert cast.member_person.building == cast.b2
    assert PartyMembership.objects.get(person=cast.member_person).employer == cast.finance


# --------------------------------------------------------------------------------------------- export


def test_export_downloads_the_users_people_as_xlsx_with_a_chinese_filename(client, cast, monkeypatch):
    seen = {}

    def export_roster(people_qs, **kwargs):
        seen["names"] = sorted(p.name for p in people_qs)
        return b"PK-fake-xlsx"

    monkeypatch.setitem(sys.modules, "members.roster", types.SimpleNamespace(export_roster=export_roster))
    client.force_login(cast.secretary)

    response = client.get(reverse("members:roster_export"))

    today = timezone.localdate().strftime("%Y%m%d")
    disposition = response["Content-Disposition"]
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert disposition.startswith("attachment;")
    assert f'filename="roster-{today}.xlsx"' in disposition  # ASCII fallback
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == f"花名册-{today}.xlsx"
    assert response.content == b"PK-fake-xlsx"
    assert seen["names"] == ["欧兰", "马明"]


def test_export_with_the_real_roster_module_returns_a_workbook(client, cast):
    import openpyxl

    from members import roster

    assert roster.export_roster
    client.force_login(cast.secretary)

    response = client.get(reverse("members:roster_export"))

    import io

    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    text = " ".join(str(c.value) for ws in workbook for row in ws.iter_rows() for c in row if c.value)
    assert "马明" in text
    assert "陈外" not in text


def test_export_is_forbidden_to_a_member(client, cast):
    client.force_login(cast.member)

    assert client.get(reverse("members:roster_export")).status_code == 403


# --------------------------------------------------------------------------------------------- import


@pytest.fixture
def fake_roster(monkeypatch, cast):
    """A stand-in for members.roster with the agreed interface, to test the pages on their own."""
    calls = []

    def roster_import_create(*, by, fileobj, filename):
        content = fileobj.read()
        bad = b"bad" in content
        calls.append(("create", filename))
        return RosterImport.objects.create(
            uploaded_by=by,
            community=cast.beijie,
            town=cast.town_obj,
            filename=filename,
            status=ImportStatus.INVALID if bad else ImportStatus.PREVIEW,
            rows=[{"name": "甲"}, {"name": "乙"}],
            errors=[
                {"row": 14, "column": "身份证号码", "message": "身份证号被 Excel 存成了数字，后几位已丢失"},
                {"row": 6, "column": "身份证号码", "message": "身份证号码校验位错误"},
            ]
            if bad
            else [],
            summary={"rows": 2, "valid_rows": 2, "new_people": 2},
        )

    def roster_import_commit(*, roster_import, by):
        calls.append(("commit", roster_import.pk))
        roster_import.status = ImportStatus.COMMITTED
        roster_import.committed_at = timezone.now()
        roster_import.save()
        return roster_import

    module = types.SimpleNamespace(
        roster_import_create=roster_import_create, roster_import_commit=roster_import_commit
    )
    monkeypatch.setitem(sys.modules, "members.roster", module)
    return calls


def xlsx(content: bytes, name: str = "花名册.xlsx"):
    return SimpleUploadedFile(name, content, content_type="application/vnd.openxmlformats")


def test_upload_with_errors_shows_every_error_and_offers_no_commit(client, cast, fake_roster):
    client.force_login(cast.secretary)

    response = client.post(reverse("members:roster_import"), {"file": xlsx(b"bad rows")}, follow=True)

    html = html_of(response)
    batch = RosterImport.objects.get()
    assert response.redirect_chain[-1][0] == reverse("members:roster_import_detail", args=[batch.pk])
    assert "发现 2 处错误" in html
    assert html.index("校验位错误") < html.index("后几位已丢失")  # sorted by row
    assert "确认导入" not in html

    refused = client.post(reverse("members:roster_import_commit", args=[batch.pk]))
    assert refused.status_code == 302
    assert ("commit", batch.pk) not in fake_roster


def test_clean_upload_previews_then_commits(client, cast, fake_roster):
    client.force_login(cast.secretary)
    client.post(reverse("members:roster_import"), {"file": xlsx(b"good rows")})
    batch = RosterImport.objects.get()
    preview = html_of(client.get(reverse("members:roster_import_detail", args=[batch.pk])))
    assert "确认导入" in preview
    assert "数据行" in preview

    response = client.post(reverse("members:roster_import_commit", args=[batch.pk]), follow=True)

    html = html_of(response)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.COMMITTED
    assert "导入完成" in html
    assert "2 / 2 行" in html
    assert "确认导入" not in html


def test_upload_refuses_a_file_that_is_not_xlsx(client, cast, fake_roster):
    client.force_login(cast.secretary)

    response = client.post(reverse("members:roster_import"), {"file": xlsx(b"x", name="花名册.xls")})

    assert response.status_code == 400
    assert "另存为 .xlsx" in html_of(response)
    assert fake_roster == []


def test_another_communitys_import_is_404(client, cast, fake_roster):
    client.force_login(cast.secretary)
    client.post(reverse("members:roster_import"), {"file": xlsx(b"good")})
    batch = RosterImport.objects.get()
    client.force_login(cast.other_secretary)

    assert client.get(reverse("members:roster_import_detail", args=[batch.pk])).status_code == 404
    assert client.post(reverse("members:roster_import_commit", args=[batch.pk])).status_code == 404


def test_real_import_of_the_sample_with_mistakes_lists_them_and_imports_nothing(client, cast):
    from tests.members.roster_files import complete_sample_town, sample_file

    complete_sample_town(cast)
    client.force_login(cast.town)
    people_before = Person.objects.count()

    upload = xlsx(sample_file("roster-with-mistakes.xlsx").read(), name="roster-with-mistakes.xlsx")
    response = client.post(reverse("members:roster_import"), {"file": upload}, follow=True)

    html = html_of(response)
    batch = RosterImport.objects.get()
    assert batch.status == ImportStatus.INVALID
    assert "确认导入" not in html
    for error in batch.errors:
        assert escape(error["message"]) in html
    assert Person.objects.count() == people_before


def test_real_import_of_the_clean_sample_previews_and_commits(client, cast):
    from tests.members.roster_files import complete_sample_town, sample_file

    complete_sample_town(cast)
    client.force_login(cast.town)
    people_before = Person.objects.count()
    upload = xlsx(sample_file("roster-2026.xlsx").read(), name="roster-2026.xlsx")
    client.post(reverse("members:roster_import"), {"file": upload})
    batch = RosterImport.objects.get()
    assert "确认导入" in html_of(client.get(reverse("members:roster_import_detail", args=[batch.pk])))

    response = client.post(reverse("members:roster_import_commit", args=[batch.pk]), follow=True)

    batch.refresh_from_db()
    assert batch.status == ImportStatus.COMMITTED
    assert "导入完成" in html_of(response)
    assert Person.objects.count() == people_before + 60
