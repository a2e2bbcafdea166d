"""Dates entered by users fall in the ranges of core.validators, on every way in: the API, the page forms and
the roster import. An audit had the API accept a birth date of 2999-01-01, an officer appointed on
1900-01-01 (appointment no. BEIJIE-1900-001), a forum held on 0001-01-01, a reception rota for 9999 and a
working-day override on 1900-01-01.

The API sweep reads the OpenAPI schema: every write operation's request body property of format date or
date-time (nested ones included) and every integer `year` gets 0001-01-01 / 9999-12-31 (0 / 9999) in the
otherwise valid payload that tests/security/test_mass_assignment.py sends, and must answer 400 naming
that field, and only it, with the range's message. A date input added later is swept without anyone
remembering to; a form field is held to the same by a walk over every form class of the project.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache

import pytest
import time_machine
from django import forms as django_forms
from django.core.cache import cache as django_cache
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from cases.models import Forum, ReceptionDay
from core.validators import (
    BIRTH_DATES,
    BUSINESS_DATES,
    JOIN_DATES,
    PAST_DATES,
    YEARS,
    DateRange,
    YearRange,
)
from members.models import InformationOfficer, MemberCategory, Person, WorkdayOverride
from members.roster import parse_roster
from tests import factories as f
from tests.members.roster_files import complete_sample_town, person_row, roster_xlsx
from tests.security import test_mass_assignment as sweep
from tests.security.test_control_characters import project_form_classes

pytestmark = pytest.mark.django_db

SHANGHAI = dt.timezone(dt.timedelta(hours=8))

# The range messages of core.validators; a service's own refusal ("批复日期不能晚于今天") is not one of them.
RANGE_MESSAGE = re.compile(
    r"日期不能(早于\d{4}-\d{2}-\d{2}|晚于今天|晚于\d{4}-\d{2}-\d{2})|年份应在\d+至\d+之间"
)

OUT_OF_RANGE = {
    "date": ["0001-01-01", "9999-12-31"],
    # at midday: midnight of 0001-01-01 in China is still year 0 in UTC, which DRF refuses as an overflow
    "date-time": ["0001-01-01T12:00:00+08:00", "9999-12-31T00:00:00+08:00"],
    "year": [0, 9999],
}

# A nested object the valid payload leaves out is sent with these required fields beside the date.
NESTED_REQUIRED = {("membership",): {"category": MemberCategory.RETIRED}}


# ------------------------------------------------------------------------------------------- the schema


@cache
def _schema() -> dict:
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


def _dates_in(schema: dict, components: dict, path: tuple[str, ...], seen: frozenset[str]):
    """(path, kind) of each writable date, date-time and integer `year` property under `schema`."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name not in seen:
            yield from _dates_in(components[name], components, path, seen | {name})
        return
    for key in ("allOf", "oneOf", "anyOf"):
        for option in schema.get(key, []):
            yield from _dates_in(option, components, path, seen)
    if schema.get("type") == "array" and "items" in schema:
        yield from _dates_in(schema["items"], components, (*path, "[]"), seen)
    for name, prop in schema.get("properties", {}).items():
        if prop.get("readOnly"):
            continue
        if prop.get("format") in ("date", "date-time"):
            yield (*path, name), prop["format"]
        elif name == "year" and prop.get("type") == "integer":
            yield (*path, name), "year"
        else:
            yield from _dates_in(prop, components, (*path, name), seen)


@cache
def date_inputs() -> tuple[tuple[str, tuple[str, ...], str], ...]:
    """(operationId, path to the property, "date" | "date-time" | "year") over every write operation."""
    schema = _schema()
    components = schema["components"]["schemas"]
    found = set()
    for item in schema["paths"].values():
        for method, operation in item.items():
            if method not in {"post", "put", "patch"}:
                continue
            for content in operation.get("requestBody", {}).get("content", {}).values():
                for path, kind in _dates_in(content["schema"], components, (), frozenset()):
                    found.add((operation["operationId"], path, kind))
    return tuple(sorted(found))


CASES = [(op, path, kind, value) for op, path, kind in date_inputs() for value in OUT_OF_RANGE[kind]]


def _with_value(body: dict, path: tuple[str, ...], value) -> dict:
    assert "[]" not in path, f"teach _with_value to set a date inside a list: {path}"
    body = dict(body)
    *parents, name = path
    target = body
    for depth, key in enumerate(parents):
        nested = target.get(key) or dict(NESTED_REQUIRED.get(tuple(parents[: depth + 1]), {}))
        target[key] = dict(nested)
        target = target[key]
    target[name] = value
    return body


def _send(request: sweep.Request, body: dict, cast):
    client = APIClient()
    if request.persona != "anonymous":
        client.force_authenticate(getattr(cast, request.persona))
    django_cache.clear()  # the public endpoints' throttles
    with time_machine.travel(request.frozen_at, tick=False):
        if request.method == "multipart":
            response = client.post(request.path, body, format="multipart")
        else:
            response = getattr(client, request.method)(request.path, body, format="json")
    return response


def _field_errors(fields: dict, prefix: tuple[str, ...] = ()) -> dict[tuple[str, ...], list]:
    """{path: messages} of a nested `fields` object of the API error shape."""
    found = {}
    for key, value in fields.items():
        if isinstance(value, dict):
            found.update(_field_errors(value, (*prefix, key)))
        else:
            found[(*prefix, key)] = value
    return found


def test_the_sweep_finds_the_date_inputs_the_audit_named():
    found = {(op, path) for op, path, _ in date_inputs()}

    assert {
        ("v1_people_create", ("birth_date",)),
        ("v1_people_create", ("membership", "joined_on")),
        ("v1_officers_create", ("appointed_on",)),
        ("v1_forums_create", ("held_on",)),
        ("v1_receptions_create", ("year",)),
        ("v1_workday_overrides_create", ("date",)),
        ("v1_volunteering_items_create", ("starts_at",)),
        ("v1_cases_create", ("received_at",)),
    } <= found
    assert len(found) > 25


@pytest.mark.parametrize(
    ("operation_id", "path", "kind", "value"),
    CASES,
    ids=[f"{op}-{'.'.join(path)}-{value}" for op, path, _, value in CASES],
)
def test_an_out_of_range_date_is_a_400_naming_the_field(cast, operation_id, path, kind, value):
    # Given the valid request of the mass-assignment sweep
    request = sweep._build(sweep.PAYLOADS[operation_id], cast)

    # When the date is at the ends of the calendar
    response = _send(request, _with_value(request.body(), path, value), cast)

    # Then it is a 400 naming that field, and only it, with the range's message
    assert response.status_code == 400, (
        f"{request.method} {request.path} accepted {'.'.join(path)}={value!r}: {response.status_code} "
        f"{response.content[:300]!r}"
    )
    errors = _field_errors(response.json()["error"]["fields"])
    assert list(errors) == [path], f"{'.'.join(path)}={value!r}: {errors}"
    assert any(RANGE_MESSAGE.fullmatch(str(message)) for message in errors[path]), errors


# ------------------------------------------------------------------------------ the audit's five findings


def _valid(operation_id: str, cast) -> tuple[sweep.Request, dict]:
    request = sweep._build(sweep.PAYLOADS[operation_id], cast)
    return request, request.body()


@pytest.mark.parametrize("birth_date", ["2999-01-01", "1800-01-01"])
def test_a_person_born_in_2999_or_1800_is_refused(cast, birth_date):
    request, body = _valid("v1_people_create", cast)

    response = _send(request, {**body, "birth_date": birth_date}, cast)

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["birth_date"]
    assert not Person.objects.filter(name=body["name"]).exists()
    # and the same person born on the first day of the range is filed
    assert _send(request, {**body, "birth_date": "1900-01-01"}, cast).status_code == 201


def test_an_officer_appointed_in_1900_is_refused_and_gets_no_appointment_number(cast):
    request, body = _valid("v1_officers_create", cast)

    response = _send(request, {**body, "appointed_on": "1900-01-01"}, cast)

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"appointed_on": ["日期不能早于2000-01-01"]}
    assert not InformationOfficer.objects.filter(appointment_no__contains="-1900-").exists()
    assert _send(request, body, cast).status_code == 201


def test_a_forum_held_on_0001_01_01_is_refused(cast):
    request, body = _valid("v1_forums_create", cast)

    response = _send(request, {**body, "held_on": "0001-01-01"}, cast)

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"held_on": ["日期不能早于2000-01-01"]}
    assert not Forum.objects.exists()


@time_machine.travel(dt.datetime(2026, 11, 26, 10, tzinfo=SHANGHAI), tick=False)
@pytest.mark.parametrize(
    ("year", "status"), [(9999, 400), (2032, 400), (1999, 400), (2031, 201), (2000, 201)]
)
def test_a_reception_rota_is_for_a_year_from_2000_to_five_years_ahead(cast, year, status):
    request = sweep._build(sweep.PAYLOADS["v1_receptions_create"], cast)
    client = APIClient()
    client.force_authenticate(cast.secretary)

    response = client.post(request.path, {**request.body(), "year": year}, format="json")

    assert response.status_code == status, response.content
    if status == 400:
        assert response.json()["error"]["fields"] == {"year": ["年份应在2000至2031之间"]}
        assert not ReceptionDay.objects.exists()


def test_a_working_day_override_on_1900_01_01_is_refused(cast):
    request, body = _valid("v1_workday_overrides_create", cast)

    response = _send(request, {**body, "date": "1900-01-01"}, cast)

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["date"]
    assert not WorkdayOverride.objects.exists()
    assert _send(request, body, cast).status_code == 201


# ----------------------------------------------------------------------------------------- the ranges


TODAY = dt.date(2026, 11, 26)


@pytest.mark.parametrize(
    ("rule", "earliest", "latest"),
    [
        (BIRTH_DATES, dt.date(1900, 1, 1), TODAY),
        (JOIN_DATES, dt.date(1921, 7, 1), TODAY),
        (PAST_DATES, dt.date(2000, 1, 1), TODAY),
        (BUSINESS_DATES, dt.date(2000, 1, 1), dt.date(2031, 12, 31)),
    ],
    ids=["birth", "joined", "past", "business"],
)
def test_each_range_holds_its_ends_and_refuses_the_day_beyond(rule: DateRange, earliest, latest):
    assert rule.bounds(TODAY) == (earliest, latest)
    assert rule.problem(earliest, TODAY) is None
    assert rule.problem(latest, TODAY) is None
    assert rule.problem(earliest - dt.timedelta(days=1), TODAY) == f"不能早于{earliest.isoformat()}"
    assert rule.problem(latest + dt.timedelta(days=1), TODAY) is not None


@time_machine.travel(dt.datetime(2026, 11, 26, 23, 30, tzinfo=SHANGHAI), tick=False)
def test_a_datetime_is_read_as_a_local_day_and_the_ends_of_the_calendar_do_not_crash():
    # 15:30 UTC on the 26th is 23:30 on the 26th in China: today, not the future
    PAST_DATES(dt.datetime(2026, 11, 26, 15, 30, tzinfo=dt.UTC))
    with pytest.raises(Exception, match="不能晚于今天"):
        PAST_DATES(dt.datetime(2026, 11, 26, 16, 30, tzinfo=dt.UTC))  # 00:30 on the 27th
    for extreme in (dt.datetime.min.replace(tzinfo=dt.UTC), dt.datetime.max.replace(tzinfo=dt.UTC)):
        assert BUSINESS_DATES.problem(extreme) is not None


def test_years_are_the_years_of_the_business_range():
    assert YEARS.dates is BUSINESS_DATES
    assert YEARS.bounds(TODAY) == (2000, 2031)
    assert YEARS.problem(2031, TODAY) is None
    assert YEARS.problem(2032, TODAY) == "年份应在2000至2031之间"


# ------------------------------------------------------------------------------------------- the pages


def test_every_date_field_of_every_form_names_a_range():
    """A date, date-time or `year` field declared on a form class of the project carries one of the ranges
    of core.validators (forms that add fields in __init__ are seen through their pages' tests)."""
    forms_found = project_form_classes()
    checked, missing = set(), []
    for cls in forms_found:
        for name, field in cls.base_fields.items():
            if isinstance(field, django_forms.DateField | django_forms.DateTimeField):
                wanted = DateRange
            elif name == "year" and isinstance(field, django_forms.IntegerField):
                wanted = YearRange
            else:
                continue
            checked.add(f"{cls.__module__}.{cls.__qualname__}.{name}")
            if not any(isinstance(v, wanted) for v in field.validators):
                missing.append(f"{cls.__module__}.{cls.__qualname__}.{name}")

    assert {
        "members.forms.PersonForm.birth_date",
        "members.forms.OfficerAppointForm.appointed_on",
        "cases.forms.ReceptionForm.year",
        "volunteering.forms.ItemForm.day",
    } <= checked
    assert sorted(missing) == [], "give these validators=[…] of core.validators"


def _person_post(cast, **overrides):
    data = {
        "community": cast.beijie.pk,
        "name": "张新",
        "gender": "F",
        "mobile": "13800001111",
        "id_number": f.make_id_number(778),
        "building": cast.b2.pk,
        "unit_room": "3单元502",
        "category": MemberCategory.RETIRED,
        "joined_on": "2012-07-01",
    }
    return {**data, **overrides}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("birth_date", "2999-01-01", "日期不能晚于今天"),
        ("birth_date", "1800-01-01", "日期不能早于1900-01-01"),
        ("joined_on", "1900-07-01", "日期不能早于1921-07-01"),
    ],
)
def test_the_person_form_shows_the_range_under_the_date_and_saves_nothing(
    client, cast, field, value, message
):
    client.force_login(cast.secretary)

    response = client.post(reverse("members:person_create"), _person_post(cast, **{field: value}))

    assert response.context["form"].errors == {field: [message]}
    assert not Person.objects.filter(name="张新").exists()
    assert client.post(reverse("members:person_create"), _person_post(cast)).status_code == 302


def test_the_officer_appointment_form_refuses_1900(client, cast):
    activist = f.PersonFactory(community=cast.beijie, name="积极分子")
    client.force_login(cast.secretary)
    data = {"person": activist.pk, "source": "activist", "appointed_on": "1900-01-01", "term_years": "3"}

    response = client.post(reverse("members:officer_appoint"), data)

    assert response.context["form"].errors == {"appointed_on": ["日期不能早于2000-01-01"]}
    assert not InformationOfficer.objects.filter(person=activist).exists()
    saved = client.post(reverse("members:officer_appoint"), {**data, "appointed_on": "2026-03-01"})
    assert saved.status_code == 302
    assert InformationOfficer.objects.get(person=activist).appointment_no == "BEIJIE-2026-001"


@time_machine.travel(dt.datetime(2026, 11, 26, 10, tzinfo=SHANGHAI), tick=False)
def test_the_reception_form_takes_the_same_years_as_the_api():
    from cases.forms import ReceptionForm

    def year_errors(year):
        form = ReceptionForm(data={"kind": "deputies", "year": year, "month": 1, "host_name": "周明"})
        form.is_valid()
        return form.errors.get("year")

    assert year_errors(2032) == ["年份应在2000至2031之间"]
    assert year_errors(1999) == ["年份应在2000至2031之间"]
    assert year_errors(2031) is None


# ------------------------------------------------------------------------------------------- the roster


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("出生年月", dt.date(1850, 1, 1), "出生年月不能早于1900-01-01"),  # a date cell: no year check
        ("出生年月", "2099.01", "出生年月不能晚于今天"),
        ("入党时间", "1919.05", "入党时间不能早于1921-07-01"),
        ("入党时间", "2099-07-01", "入党时间不能晚于今天"),
    ],
)
def test_a_roster_row_with_a_date_out_of_range_is_reported(cast, column, value, message):
    complete_sample_town(cast)
    row = person_row(1, **{column: value})

    parsed = parse_roster(roster_xlsx([row]), town=cast.town_obj, allowed_community_ids=None)

    assert [(e["column"], e["message"]) for e in parsed.errors] == [(column, message)]
    assert parsed.rows == []


def test_a_roster_row_inside_the_ranges_is_ready(cast):
    complete_sample_town(cast)
    row = person_row(1, 入党时间=timezone.localdate().isoformat(), birth=dt.date(1950, 1, 1))

    parsed = parse_roster(roster_xlsx([row]), town=cast.town_obj, allowed_community_ids=None)

    assert parsed.errors == []
    assert len(parsed.rows) == 1
