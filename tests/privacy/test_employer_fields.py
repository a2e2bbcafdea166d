"""An employer liaison (单位党组织) reads its in-service members through the feedback sheet's fields only.

members.privacy.EMPLOYER_FEEDBACK_FIELDS declares them, from the 在职党员小区活动情况反馈单 of the manual
(小区区域化党建工作制度 §2, §4; 小区在职党员双重管理制度 §5, §6). Every key the liaison gets from the API,
every row of its home page, is one of them; the member's phone, ID number (not even masked), address, birth
date and the rest of the roster never reach it, on any route it can open; another employer's liaison gets 404.
"""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.urls import URLPattern, get_resolver, reverse
from django.utils.regex_helper import normalize
from rest_framework.request import Request
from rest_framework.serializers import ModelSerializer
from rest_framework.test import APIRequestFactory

from members import services
from members.api import FeedbackSheetOrderingFilter, PersonViewSet, RegistrationViewSet
from members.models import Person, Registration, RegistrationChannel, Role
from members.privacy import EMPLOYER_FEEDBACK_FIELDS
from members.serializers import (
    EmployerFeedbackSerializer,
    PersonForEmployerSerializer,
    PersonSerializer,
    RegistrationForEmployerSerializer,
    RegistrationSerializer,
)
from members.validators import mask_id_number, mask_mobile
from tests import factories as f
from tests.api.conformance import assert_conforms
from tests.security.test_url_inventory import SAMPLE_VALUES, _pieces, _sample

pytestmark = pytest.mark.django_db

API = "/api/v1"
DECLARED = set(EMPLOYER_FEEDBACK_FIELDS)
PERSON_KEYS = {
    "id",
    "name",
    "employer",
    "employer_name",
    "community",
    "community_name",
    "registration_status",
}
REGISTRATION_KEYS = {
    "id",
    "person",
    "person_name",
    "community",
    "community_name",
    "status",
    "submitted_at",
    "decided_at",
}
# What the roster holds and the sheet does not carry: none of these may ever be declared.
NOT_ON_THE_SHEET = {
    "mobile",
    "id_number",
    "building",
    "unit_room",
    "birth_date",
    "gender",
    "ethnicity",
    "education",
    "note",
    "membership",
    "joined_on",
    "position",
    "specialties",
    "interests",
    "user",
    "created_at",
    "updated_at",
    "channel",
    "events",
    "return_reason",
    "transferred_from",
    "desired_posts",
    "submitted_by",
    "decided_by",
}

BIRTH = dt.date(1979, 11, 23)
MOBILE = "13987650321"


@pytest.fixture
def sheet(cast):
    """A hospital doctor living in 北街社区 with every roster field filled, registered (once returned)."""
    building = f.BuildingFactory(community=cast.beijie, name="9号楼")
    person = f.PersonFactory(
        community=cast.beijie,
        name="林安",
        gender="F",
        ethnicity="回族",
        birth_date=BIRTH,
        education="硕士研究生",
        mobile=MOBILE,
        id_number=f.make_id_number(777, birth=BIRTH, region="371402"),
        building=building,
        unit_room="3单元502",
        note="腰椎旧伤需照顾",
    )
    f.MembershipFactory(
        person=person,
        employer=cast.hospital,
        joined_on=dt.date(2003, 6, 18),
        position="主治医师",
        specialties=["针灸推拿"],
        interests=["书法绘画"],
    )
    first = services.registration_submit(
        person=person,
        community=cast.beijie,
        by=cast.secretary,
        channel=RegistrationChannel.WINDOW,
        desired_posts="健康咨询服务岗",
    )
    services.registration_return(registration=first, by=cast.secretary, reason="楼号填写有误请核对")
    current = services.registration_submit(
        person=person, community=cast.beijie, by=cast.secretary, channel=RegistrationChannel.WINDOW
    )
    services.registration_confirm(registration=current, by=cast.secretary)
    # Long enough not to turn up by chance in a page's random tokens (CSRF, CSP nonce, request id) or a
    # timestamp's microseconds; the short fragments are covered by the key checks and the masked forms.
    secrets = {
        "phone": MOBILE,
        "masked phone": mask_mobile(MOBILE),
        "ID number": person.id_number,
        "masked ID number": mask_id_number(person.id_number),
        "birth date in the ID": "19791123",
        "birth date": BIRTH.isoformat(),
        "building": "9号楼",
        "unit and room": "3单元502",
        "ethnicity": "回族",
        "education": "硕士研究生",
        "office note": "腰椎旧伤",
        "party join date": "2003-06-18",
        "position": "主治医师",
        "specialty": "针灸推拿",
        "interest": "书法绘画",
        "desired posts": "健康咨询服务岗",
        "return reason": "楼号填写有误",
    }
    return {"person": person, "first": first, "current": current, "secrets": secrets}


def leaks(text: str, secrets: dict) -> list[str]:
    return [what for what, value in secrets.items() if value in text]


def undeclared(serializer_class) -> set[str]:
    return set(serializer_class().fields) - DECLARED


def page_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _keys(rows) -> set[str]:
    return set().union(*(row.keys() for row in rows))


# ------------------------------------------------------------------------------------------ the declaration


def test_the_declaration_holds_nothing_the_sheet_does_not_carry():
    assert not DECLARED & NOT_ON_THE_SHEET
    assert len(DECLARED) == len(EMPLOYER_FEEDBACK_FIELDS)  # no name twice


@pytest.mark.parametrize(
    ("serializer_class", "keys"),
    [(PersonForEmployerSerializer, PERSON_KEYS), (RegistrationForEmployerSerializer, REGISTRATION_KEYS)],
)
def test_every_field_of_a_liaison_serializer_is_declared(serializer_class, keys):
    # A field added to the liaison's serializer without a line in EMPLOYER_FEEDBACK_FIELDS fails here.
    assert undeclared(serializer_class) == set()
    assert set(serializer_class().fields) == keys


def test_every_viewset_that_serves_liaisons_uses_a_declared_serializer():
    """Found from the URLconf, so a liaison serializer added to another viewset is checked too."""
    found = {}
    for entry in _all_url_patterns(get_resolver().url_patterns):
        view_class = getattr(entry.callback, "cls", None)
        employer_serializer = getattr(view_class, "employer_serializer_class", None)
        if employer_serializer is not None:
            found[view_class] = employer_serializer
    assert found[PersonViewSet] is PersonForEmployerSerializer
    assert found[RegistrationViewSet] is RegistrationForEmployerSerializer
    assert {view: undeclared(s) for view, s in found.items()} == dict.fromkeys(found, set())


def test_the_check_catches_a_field_added_without_a_line_on_the_sheet():
    class Leaky(ModelSerializer):  # as if the liaison's serializer had gained the phone number
        class Meta:
            model = Person
            fields = ["id", "name", "mobile"]

    assert undeclared(Leaky) == {"mobile"}  # the test above would fail
    # …and a serializer built on the liaison's base fails already when it is defined
    with pytest.raises(ImproperlyConfigured, match="mobile"):

        class LeakyAtImport(EmployerFeedbackSerializer):
            class Meta(PersonForEmployerSerializer.Meta):
                fields = [*PersonForEmployerSerializer.Meta.fields, "mobile"]


def _all_url_patterns(patterns):
    for entry in patterns:
        if isinstance(entry, URLPattern):
            yield entry
        else:
            yield from _all_url_patterns(entry.url_patterns)


# --------------------------------------------------------------------------------------------------- API


def test_people_list_gives_the_liaison_the_declared_keys_only(cast, as_user, sheet):
    response = as_user("liaison").get(f"{API}/people/", {"page_size": 200})

    assert response.status_code == 200
    rows = response.json()["results"]
    assert {r["name"] for r in rows} == {"马明", "林安"}
    assert _keys(rows) == PERSON_KEYS <= DECLARED
    assert leaks(response.content.decode(), sheet["secrets"]) == []


def test_person_detail_gives_the_liaison_the_sheet_fields(cast, as_user, sheet):
    person = sheet["person"]

    response = as_user("liaison").get(f"{API}/people/{person.pk}/")

    assert response.status_code == 200
    assert response.json() == {
        "id": person.pk,
        "name": "林安",
        "employer": cast.hospital.pk,
        "employer_name": "县人民医院",
        "community": cast.beijie.pk,
        "community_name": "北街社区",
        "registration_status": "confirmed",
    }
    assert leaks(response.content.decode(), sheet["secrets"]) == []


def test_registrations_give_the_liaison_the_declared_keys_only(cast, as_user, sheet):
    client = as_user("liaison")

    listed = client.get(f"{API}/registrations/", {"page_size": 200})
    detail = client.get(f"{API}/registrations/{sheet['first'].pk}/")  # the returned one, with its reason

    rows = listed.json()["results"]
    assert {r["id"] for r in rows} >= {sheet["first"].pk, sheet["current"].pk}
    assert _keys(rows) == REGISTRATION_KEYS <= DECLARED
    assert set(detail.json()) == REGISTRATION_KEYS
    assert detail.json()["status"] == "returned"
    for response in (listed, detail):
        assert leaks(response.content.decode(), sheet["secrets"]) == []


@pytest.mark.parametrize("url", ["/people/{person}/", "/registrations/{registration}/"])
def test_a_liaison_of_another_employer_gets_404(cast, as_user, sheet, url):
    url = url.format(person=sheet["person"].pk, registration=sheet["current"].pk)

    response = as_user("other_liaison").get(f"{API}{url}")

    assert response.status_code == 404
    assert leaks(response.content.decode(), sheet["secrets"]) == []


def test_a_liaison_of_another_employer_lists_none_of_them(cast, as_user, sheet):
    client = as_user("other_liaison")
    people = client.get(f"{API}/people/", {"page_size": 200}).json()["results"]
    registrations = client.get(f"{API}/registrations/", {"page_size": 200}).json()["results"]

    assert sheet["person"].pk not in {p["id"] for p in people}
    assert sheet["person"].pk not in {r["person"] for r in registrations}


def test_filters_on_fields_off_the_sheet_tell_the_liaison_nothing(cast, as_user, sheet):
    client = as_user("liaison")
    person = sheet["person"]

    by_building = client.get(f"{API}/people/", {"building": person.building_id})
    by_channel = client.get(f"{API}/registrations/", {"channel": RegistrationChannel.WINDOW})

    assert by_building.status_code == by_channel.status_code == 200
    assert by_building.json()["results"] == []  # not "the member who lives in 9号楼"
    assert by_channel.json()["results"] == []
    # …while the office filters as before
    office = as_user("secretary").get(f"{API}/people/", {"building": person.building_id}).json()
    assert [p["id"] for p in office["results"]] == [person.pk]


@pytest.mark.parametrize(
    ("view_class", "queryset"),
    [(PersonViewSet, "people"), (RegistrationViewSet, "registrations")],
)
def test_the_liaison_sorts_by_declared_fields_only(cast, view_class, queryset):
    request = Request(APIRequestFactory().get("/"))
    request.user = cast.liaison
    view = view_class(request=request, action="list", format_kwarg=None, kwargs={})
    model = Person if queryset == "people" else Registration

    fields = {name for name, _ in FeedbackSheetOrderingFilter().get_valid_fields(model.objects.all(), view)}

    assert fields and fields <= DECLARED
    request.user = cast.secretary  # other roles keep every field they had
    every = {name for name, _ in FeedbackSheetOrderingFilter().get_valid_fields(model.objects.all(), view)}
    assert every - DECLARED


def test_other_roles_keep_the_full_record(cast, as_user, sheet):
    person = sheet["person"]

    people = as_user("secretary").get(f"{API}/people/{person.pk}/").json()
    registration = as_user("staff").get(f"{API}/registrations/{sheet['first'].pk}/").json()

    assert set(people) == set(PersonSerializer().fields)
    assert people["mobile"] == MOBILE
    assert set(registration) == set(RegistrationSerializer().fields)
    assert registration["return_reason"] == "楼号填写有误请核对"


def test_an_office_that_is_also_a_liaison_gets_each_row_as_the_role_it_sees_it_by(cast, as_user, sheet):
    # The hospital's liaison also runs 长城社区's office: its own roster in full, the hospital's members
    # elsewhere by the sheet.
    f.RoleFactory(user=cast.liaison, role=Role.SECRETARY, community=cast.changcheng)
    nurse = f.MembershipFactory(person__community=cast.changcheng, employer=cast.hospital).person

    rows = {
        r["id"]: r for r in as_user("liaison").get(f"{API}/people/", {"page_size": 200}).json()["results"]
    }

    assert set(rows[nurse.pk]) == set(PersonSerializer().fields)  # 长城社区's roster: the office's view
    assert rows[nurse.pk]["mobile"] == nurse.mobile
    assert set(rows[cast.foreign_person.pk]) == set(PersonSerializer().fields)
    assert set(rows[sheet["person"].pk]) == PERSON_KEYS  # lives in 北街社区: the employer's view only
    assert set(rows[cast.member_person.pk]) == PERSON_KEYS


# ------------------------------------------------------------------------------------------------- pages


def test_liaison_home_shows_the_sheet_columns_and_nothing_else(cast, sheet):
    response = page_client(cast.liaison).get(reverse("home"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "林安" in html and "县人民医院" in html and "北街社区" in html and "已报到" in html
    assert leaks(html, sheet["secrets"]) == []
    assert mask_mobile(cast.member_person.mobile) not in html
    assert _keys(response.context["employer_rows"]) == PERSON_KEYS <= DECLARED


def _liaison_urls(values: list[str]) -> list[tuple[str, str]]:
    """(label, url) for every route outside the admin, its path parameters filled with each value in turn
    (the member's, the registrations', the employer's and the community's ids), or, for a route that takes
    no id (a uuid, a token), with the URL inventory's first sample that fits."""
    urls = {}
    for name, regex in _pieces(get_resolver().url_patterns):
        if name and name.startswith("admin:"):
            continue  # the liaison is no staff user; the admin's own tests cover it
        fmt, params = normalize(regex)[0]
        for value in values if params else [""]:
            url = "/" + fmt % dict.fromkeys(params, value)
            attempt = 0
            while not re.fullmatch(regex, url[1:]) and attempt < len(SAMPLE_VALUES):
                url = "/" + fmt % {p: _sample(regex, p, attempt) for p in params}
                attempt += 1
            if re.fullmatch(regex, url[1:]):
                urls.setdefault(url, name or regex)
    return [(label, url) for url, label in urls.items()]


def _workbook_text(body: bytes) -> str:
    from io import BytesIO

    from openpyxl import load_workbook

    book = load_workbook(BytesIO(body), read_only=True)
    return "\n".join(str(v) for ws in book for row in ws.iter_rows(values_only=True) for v in row if v)


# The files a liaison may download, each read back as text for the leak check: the year's workbook of its
# members' sent feedback sheets (the sheet's lines only; evaluations/views/employer.py says why).
LIAISON_FILES = {"evaluations:employer_inbox_xlsx": _workbook_text}


def test_no_route_the_liaison_can_open_shows_more_than_the_sheet(cast, sheet):
    """Every page, API route and export, with the member's and the registrations' ids: whatever the
    liaison gets (a page, JSON, a 403 or a 404), none of the member's roster data is in it."""
    client = page_client(cast.liaison)
    ids = [sheet["person"].pk, sheet["current"].pk, sheet["first"].pk, cast.hospital.pk, cast.beijie.pk]
    offenders, opened = [], 0

    for label, url in _liaison_urls([str(i) for i in dict.fromkeys(ids)]):
        response = client.get(url)
        if response.status_code == 200:
            opened += 1
        if getattr(response, "streaming", False):
            body = b"".join(response.streaming_content)
        else:
            body = response.content
        content_type = response.get("Content-Type", "")
        text = body.decode("utf-8", "replace")
        if response.status_code == 200 and not re.match(
            r"(text/|application/(json|javascript|vnd\.oai\.openapi|.*yaml))", content_type
        ):
            if label not in LIAISON_FILES:
                offenders.append(f"{url} ({label}): a {content_type} file")
                continue
            text = LIAISON_FILES[label](body)
        found = leaks(text, sheet["secrets"])
        if found:
            offenders.append(f"{url} ({label}) → {response.status_code}: {', '.join(found)}")

    assert opened >= 5  # home, people, registrations, the member, the registration at least
    assert offenders == [], "\n".join(offenders)


def test_exports_are_refused_to_the_liaison(cast, sheet):
    client = page_client(cast.liaison)

    assert client.get(f"{API}/roster-export/").status_code == 403
    assert client.get(reverse("members:roster_export")).status_code == 403
    assert client.get(reverse("members:person_detail", args=[sheet["person"].pk])).status_code == 403


def test_the_schema_documents_both_shapes(cast, as_user):
    schema = json.loads(as_user("secretary").get("/api/schema/", HTTP_ACCEPT="application/json").content)
    components = schema["components"]["schemas"]

    assert set(components["PersonForEmployer"]["properties"]) == PERSON_KEYS
    assert set(components["RegistrationForEmployer"]["properties"]) == REGISTRATION_KEYS
    refs = [s["$ref"] for s in components["PersonByRole"]["oneOf"]]
    assert refs == ["#/components/schemas/Person", "#/components/schemas/PersonForEmployer"]
    assert components["PersonForEmployer"]["additionalProperties"] is False


def test_the_liaisons_responses_match_the_published_schema(cast, as_user, sheet):
    client = as_user("liaison")
    person, registration = sheet["person"].pk, sheet["current"].pk

    assert_conforms(client.get(f"{API}/people/"), "/api/v1/people/")
    assert_conforms(client.get(f"{API}/people/{person}/"), "/api/v1/people/{id}/")
    assert_conforms(client.get(f"{API}/registrations/"), "/api/v1/registrations/")
    assert_conforms(client.get(f"{API}/registrations/{registration}/"), "/api/v1/registrations/{id}/")
    # …and the office's, in the other shape
    office = as_user("secretary")
    assert_conforms(office.get(f"{API}/people/{person}/"), "/api/v1/people/{id}/")
    assert_conforms(office.get(f"{API}/registrations/{registration}/"), "/api/v1/registrations/{id}/")


def test_a_liaison_cannot_ask_whether_an_id_number_is_on_a_roster(cast, as_user, sheet):
    # PATCHing one of its members with someone's ID number used to answer 400 "该身份证号码已登记"
    client = as_user("liaison")
    url = f"{API}/people/{cast.member_person.pk}/"

    known = client.patch(url, {"id_number": sheet["person"].id_number}, format="json")
    unknown = client.patch(url, {"id_number": f.make_id_number(555)}, format="json")

    assert known.status_code == unknown.status_code == 403
    assert known.json() == unknown.json()
