"""Fuzzing the members write endpoints (and the user's notifications): random payloads never cause a
server error.

Hypothesis builds payloads from each endpoint's serializer fields (so new fields are fuzzed too): random
subsets of the real keys plus stray ones, with values of every JSON type — real ids and choices, dates in
odd shapes, huge numbers, NaN/Infinity, NUL bytes, lone surrogates, long strings, nested lists and dicts.
The roster upload (multipart) gets random form fields and files: random bytes, damaged zips, and
workbooks whose header and cells are random. The secretary of 北街 sends them (the town supervisor those
to the town's own setting: PERSONAS). Every answer must be 2xx, or 4xx in our one error shape
{"error": {"code", "message", "fields"}}, where a validation error (code "invalid") names the fields at
fault; never 5xx.

Every write operation of the OpenAPI schema must have an entry here or in
test_fuzz_api_cases_volunteering.py (its test_every_write_operation_of_the_schema_is_fuzzed).

Each example runs in a savepoint that is rolled back, so every example starts from the same data.
Deterministic by default (CI); FUZZ_EXPLORE=1 runs a larger random search (500 examples per endpoint).
"""

import datetime as dt
import io
import json
import math
import os
import zipfile

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from rest_framework.test import APIClient

from core.api_views import MarkReadSerializer, PreferencesSerializer
from core.notifications import notify
from members import serializers as ms
from members import services
from members.models import OfficerEndReason, OfficerRecordKind, OfficerSource, ZoneSource
from members.roster import COLUMNS, roster_import_create
from tests import factories as f
from tests.api.test_members_permissions import roster_file

settings.register_profile(
    "security-fuzz",
    max_examples=50,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
settings.register_profile(
    "security-fuzz-explore",
    max_examples=500,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
FUZZ = settings.get_profile("security-fuzz-explore" if os.environ.get("FUZZ_EXPLORE") else "security-fuzz")

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(cast):
    registration = f.RegistrationFactory(person=cast.member_person, community=cast.beijie)
    zone = f.ZoneFactory(community=cast.beijie, name="一号责任区")
    zone.buildings.add(cast.b1)
    services.zone_assign(zone=zone, person=cast.member_person, by=cast.secretary)  # for unassign
    roster_import = roster_import_create(by=cast.secretary, fileobj=roster_file(), filename="北街.xlsx")
    notification = notify(recipient=cast.secretary, kind="reminder", title="请审核报到")
    return {
        "cast": cast,
        "person": cast.member_person.pk,
        "registration": registration.pk,
        "officer": cast.officer_row.pk,
        "zone": zone.pk,
        "community": cast.beijie.pk,
        "town": cast.town_obj.pk,
        "roster_import": roster_import.pk,
        "notification": notification.pk,
        "ids": [
            notification.pk,
            cast.beijie.pk,
            cast.changcheng.pk,
            cast.member_person.pk,
            cast.officer_person.pk,
            cast.foreign_person.pk,
            cast.b1.pk,
            cast.cc1.pk,
            cast.hospital.pk,
        ],
    }


def writable_fields(serializer_class) -> list[str]:
    if serializer_class is None:  # an action without a body: only stray keys are sent
        return []
    serializer = serializer_class()
    return [name for name, field in serializer.fields.items() if not field.read_only]


CHOICES = [
    *OfficerSource.values,
    *OfficerEndReason.values,
    *OfficerRecordKind.values,
    *ZoneSource.values,
    "in_service",
    "retired",
    "M",
    "F",
]
ODD_STRINGS = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\ud800",  # a lone surrogate: valid in JSON text, not in UTF-8
    "2026-02-30",
    "2026-13-01",
    "0000-00-00",
    "9999-12-31",
    "1985.03",
    "1985年3月",
    "41082119850309001X",
    "41082119850309001x",
    "110101190001011237",
    "13800138000",
    "1e400",
    "-1",
    "0",
    "NaN",
    "null",
    "true",
    "[]",
    "{}",
    "'; DROP TABLE members_person; --",
    "<script>alert(1)</script>",
    "𠀀𪚥👨‍👩‍👧",
    "ａｂｃ１２３",
    "x" * 5000,
]


def values(ids):
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.sampled_from(ids),
        st.integers(min_value=-(2**70), max_value=2**70),
        st.sampled_from([0, -1, 2**31, 2**63, 10**20, -(2**63) - 1]),
        st.floats(allow_nan=True, allow_infinity=True),
        st.sampled_from([math.nan, math.inf, 1e308, 5e-324, 0.5]),
        st.sampled_from(CHOICES),
        st.sampled_from(ODD_STRINGS),
        st.text(max_size=40),
        st.dates().map(str),
    )
    return st.recursive(
        scalars,
        lambda children: st.one_of(
            st.lists(children, max_size=5),
            st.dictionaries(st.text(max_size=8), children, max_size=4),
        ),
        max_leaves=8,
    )


def payloads(fields, ids):
    keys = st.sampled_from([*fields, "id", "pk", "status", "__proto__", "extra"])
    objects = st.dictionaries(keys, values(ids), max_size=len(fields) + 2)
    not_objects = st.one_of(st.lists(values(ids), max_size=3), values(ids))
    return st.one_of(objects, objects, objects, not_objects)


# ---- the roster upload (multipart): form fields and files, the files often workbooks with random cells

# Text a multipart body can carry (UTF-8: no lone surrogates) and openpyxl can write into a cell (no C0
# control characters but tab, newline and carriage return; DEL is fine).
FORM_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
CELL_TEXT = st.text(
    st.characters(
        exclude_categories=("Cs",), exclude_characters=[chr(c) for c in range(32) if c not in (9, 10, 13)]
    ),
    max_size=30,
)
ROSTER_STRINGS = [
    "北街社区",
    "长城社区",
    "东关社区",
    f.make_id_number(951),
    f.make_id_number(952).lower(),
    "41082119850309001X",
    "男",
    "女",
    "未知",
    "在职党员",
    "离退休党员",
    "流动党员",
    "县人民医院",
    "1号楼",
    "1985.03",
    "1985年3月",
    "2026-02-30",
    "13800138000",
    "=1+1",
    "a\x7fb",
    " ",
    "x" * 300,
]
CELLS = st.one_of(
    st.none(),
    st.booleans(),
    CELL_TEXT,
    st.sampled_from(ROSTER_STRINGS),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(),
    st.dates(min_value=dt.date(1800, 1, 1)),
    st.datetimes(min_value=dt.datetime(1800, 1, 1)),
)
GOOD_ROW = {
    "序号": 1,
    "姓名": "导入人员",
    "性别": "男",
    "身份证号码": f.make_id_number(950),
    "党员类别": "离退休党员",
    "居住社区": "北街社区",
    "楼栋": "1号楼",
}


def workbook_bytes(header: list, rows: list[dict]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append([row.get(column) for column in header])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _damaged(data: bytes, changes: list[tuple[int, int]]) -> bytes:
    damaged = bytearray(data)
    for position, value in changes:
        damaged[position % len(damaged)] = value
    return bytes(damaged)


VALID_WORKBOOK = workbook_bytes(COLUMNS, [GOOD_ROW])
HEADERS = st.one_of(
    st.just(COLUMNS),
    st.lists(st.sampled_from([*COLUMNS, "身份证号", "出生日期", "", "备注"]), max_size=len(COLUMNS)),
    st.lists(st.one_of(CELLS, st.sampled_from(COLUMNS)), max_size=8),
)
NEAR_GOOD_ROWS = st.builds(
    lambda changes: {**GOOD_ROW, **changes}, st.dictionaries(st.sampled_from(COLUMNS), CELLS, max_size=2)
)
ROWS = st.one_of(NEAR_GOOD_ROWS, NEAR_GOOD_ROWS, st.dictionaries(st.sampled_from(COLUMNS), CELLS))
# Weighted towards workbooks with people in them, so most examples reach the row checks.
WORKBOOKS = st.builds(workbook_bytes, st.just(COLUMNS), st.lists(ROWS, min_size=1, max_size=4))
FILE_CONTENTS = st.one_of(
    WORKBOOKS,
    WORKBOOKS,
    st.builds(workbook_bytes, HEADERS, st.lists(ROWS, max_size=4)),
    st.binary(max_size=300),
    st.sampled_from(
        [
            b"",
            b"\xd0\xcf\x11\xe0" + bytes(60),  # an old .xls (OLE) header
            _zip({"hello.txt": b"hi"}),  # a zip that is no workbook
            _zip({"xl/workbook.xml": b"<workbook"}),  # one that claims to be and is not
            VALID_WORKBOOK[: len(VALID_WORKBOOK) // 2],  # cut off
        ]
    ),
    st.builds(
        _damaged,
        st.just(VALID_WORKBOOK),
        st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), min_size=1, max_size=8),
    ),
)


class Upload(io.BytesIO):
    """A file for the test client's multipart encoder, under any name (SimpleUploadedFile refuses "" and
    ".."; a client can send them all the same)."""

    def __init__(self, name: str, content: bytes, content_type: str):
        super().__init__(content)
        self.name, self.content_type = name, content_type

    def __repr__(self):
        content = self.getvalue()
        return f"Upload({self.name!r}, {content[:40]!r}… {len(content)} bytes, {self.content_type!r})"


# Mostly a plain name: "..", "" and many a random text are no file name at all (Django drops the part).
FILENAMES = st.one_of(
    st.just("花名册.xlsx"),
    st.just("花名册.xlsx"),
    st.sampled_from(["../../etc/passwd", "a\\b.xlsx", ".xlsx", "..", "", "x" * 300]),
    FORM_TEXT,
)
UPLOADS = st.builds(
    Upload,
    FILENAMES,
    FILE_CONTENTS,
    st.sampled_from(["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "text/plain", ""]),
)


def upload_payloads(fields):
    keys = st.sampled_from([*fields, "id", "status", "extra"])
    form_values = st.one_of(UPLOADS, FORM_TEXT, st.lists(st.one_of(UPLOADS, FORM_TEXT), max_size=2))
    with_a_file = st.builds(
        lambda upload, extra: {**extra, "file": upload},
        UPLOADS,
        st.dictionaries(keys, st.one_of(FORM_TEXT, UPLOADS), max_size=2),
    )
    return st.one_of(with_a_file, with_a_file, with_a_file, st.dictionaries(keys, form_values, max_size=3))


def membership_payloads(ids):
    return st.dictionaries(
        st.sampled_from(writable_fields(ms.MembershipSerializer) + ["junk"]), values(ids), max_size=6
    )


# endpoint → (method, url template, serializer whose fields are fuzzed)
ENDPOINTS = {
    "people-create": ("post", "/api/v1/people/", ms.PersonSerializer),
    "people-update": ("patch", "/api/v1/people/{person}/", ms.PersonSerializer),
    "registrations-create": ("post", "/api/v1/registrations/", ms.RegistrationSubmitSerializer),
    "registrations-return": (
        "post",
        "/api/v1/registrations/{registration}/return/",
        ms.RegistrationReturnSerializer,
    ),
    "registrations-transfer": (
        "post",
        "/api/v1/registrations/{registration}/transfer/",
        ms.RegistrationTransferSerializer,
    ),
    "officers-appoint": ("post", "/api/v1/officers/", ms.OfficerAppointSerializer),
    "officers-records": ("post", "/api/v1/officers/{officer}/records/", ms.OfficerRecordCreateSerializer),
    "officers-end": ("post", "/api/v1/officers/{officer}/end/", ms.OfficerEndSerializer),
    "zones-create": ("post", "/api/v1/zones/", ms.ZoneSerializer),
    "zones-assign": ("post", "/api/v1/zones/{zone}/assign/", ms.ZoneAssignSerializer),
    "buildings-create": ("post", "/api/v1/buildings/", ms.BuildingSerializer),
    "communities-update": ("patch", "/api/v1/communities/{community}/", ms.CommunitySerializer),
    "people-reveal": ("post", "/api/v1/people/{person}/reveal/", ms.RevealSerializer),
    # actions without a body (None): the payload is stray keys only, the action runs all the same
    "registrations-confirm": ("post", "/api/v1/registrations/{registration}/confirm/", None),
    "registrations-withdraw": ("post", "/api/v1/registrations/{registration}/withdraw/", None),
    "zones-update": ("patch", "/api/v1/zones/{zone}/", ms.ZoneSerializer),
    "zones-unassign": ("post", "/api/v1/zones/{zone}/unassign/", ms.ZoneAssignSerializer),
    "roster-imports-create": ("multipart", "/api/v1/roster-imports/", ms.RosterUploadSerializer),
    "roster-imports-commit": ("post", "/api/v1/roster-imports/{roster_import}/commit/", None),
    "notifications-mark-read": ("post", "/api/v1/notifications/mark-read/", MarkReadSerializer),
    "notifications-read": ("post", "/api/v1/notifications/{notification}/read/", None),
    "notifications-preferences": ("patch", "/api/v1/notifications/preferences/", PreferencesSerializer),
    "towns-update": ("patch", "/api/v1/towns/{town}/", ms.TownSerializer),
}
# Who sends the payloads when the secretary of 北街 may not make the write (and would get 403 unread).
PERSONAS = {"towns-update": "town"}


def send(client, method, url, payload):
    """One request in a rolled-back savepoint: JSON, or a multipart form (method "multipart", a POST)."""
    with transaction.atomic():
        if method == "multipart":
            response = client.post(url, data=payload, format="multipart")
        else:
            body = json.dumps(payload, allow_nan=True, ensure_ascii=True)  # NaN/Infinity/surrogates as text
            response = getattr(client, method)(url, data=body, content_type="application/json")
        transaction.set_rollback(True)
    return response


def assert_well_formed(response, payload, fields=()):
    """Never 5xx; every 4xx in our one error shape; a validation error (code "invalid") names the fields at
    fault — fields of the endpoint (`fields`), keys the client sent, or "non_field_errors" — so a client
    can show the message next to the input. A key may point inside a field ("extra.note.1": the control
    character check in core.security names nested values so)."""
    shown = f"{response.status_code} for payload {payload!r}: {response.content[:300]!r}"
    assert response.status_code < 500, shown
    if response.status_code < 400:
        return
    body = response.json()
    assert isinstance(body, dict) and set(body) == {"error"}, shown
    error = body["error"]
    assert {"code", "message", "fields"} <= set(error), shown
    assert isinstance(error["code"], str) and isinstance(error["message"], str), shown
    assert isinstance(error["fields"], dict), shown
    if error["code"] == "invalid":
        assert error["fields"], f"a validation error that names no field: {shown}"
        named = {*fields, *(payload if isinstance(payload, dict) else ()), "non_field_errors"}
        unknown = sorted(key for key in error["fields"] if key.split(".")[0] not in named)
        assert not unknown, (
            f"a validation error names {unknown}, which are not fields of the payload: {shown}"
        )


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_random_payloads_never_cause_a_server_error(world, endpoint):
    method, template, serializer_class = ENDPOINTS[endpoint]
    url = template.format(**world)
    client = APIClient()
    client.force_authenticate(getattr(world["cast"], PERSONAS.get(endpoint, "secretary")))
    fields = writable_fields(serializer_class)

    strategy = upload_payloads(fields) if method == "multipart" else payloads(fields, world["ids"])
    if serializer_class is ms.PersonSerializer:
        # the nested membership object gets its own keys half of the time
        strategy = st.one_of(
            strategy,
            st.builds(
                lambda base, membership: (
                    {**base, "membership": membership} if isinstance(base, dict) else base
                ),
                payloads(fields, world["ids"]),
                membership_payloads(world["ids"]),
            ),
        )

    @FUZZ
    @given(payload=strategy)
    def check(payload):
        assert_well_formed(send(client, method, url, payload), payload, fields)

    check()


@pytest.mark.parametrize(
    ("endpoint", "payload"),
    [
        ("zones-assign", {"source": "\ud800"}),  # found by this fuzzer: the error message echoed it → 500
        ("officers-end", {"reason": "\udfff"}),
        ("people-update", {"membership": {"specialties": ["\ud83d"]}}),
    ],
)
def test_lone_surrogates_are_refused_as_bad_json(world, endpoint, payload):
    method, template, _ = ENDPOINTS[endpoint]
    client = APIClient()
    client.force_authenticate(world["cast"].secretary)
    response = send(client, method, template.format(**world), payload)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"


@pytest.mark.parametrize(
    ("endpoint", "payload", "fields"),
    [
        # found by this fuzzer: the control-character check named an element of a list body, field "0"
        ("people-create", ["\x1f"], {"non_field_errors"}),
        # and lost the path below an empty key ("" is falsy): "0" again, instead of the key's ".0"
        ("zones-assign", {"": ["\x00"]}, {".0"}),
    ],
)
def test_a_control_character_is_reported_under_a_field_of_the_payload(world, endpoint, payload, fields):
    from core.security import CONTROL_CHARACTER_MESSAGE

    method, template, serializer_class = ENDPOINTS[endpoint]
    client = APIClient()
    client.force_authenticate(world["cast"].secretary)
    response = send(client, method, template.format(**world), payload)
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {field: [CONTROL_CHARACTER_MESSAGE] for field in fields}
    assert_well_formed(response, payload, writable_fields(serializer_class))


def test_error_messages_never_carry_lone_surrogates():
    from core.security import without_surrogates

    assert without_surrogates({"a\ud800": ["“\udfff” 不是合法选项。"]}) == {
        "a\ufffd": ["“\ufffd” 不是合法选项。"]
    }
