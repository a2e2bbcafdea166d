"""Fuzzing the members write endpoints: random JSON never causes a server error.

Hypothesis builds payloads from each endpoint's serializer fields (so new fields are fuzzed too): random
subsets of the real keys plus stray ones, with values of every JSON type — real ids and choices, dates in
odd shapes, huge numbers, NaN/Infinity, NUL bytes, lone surrogates, long strings, nested lists and dicts.
The secretary of 北街 sends them. Every answer must be 2xx, or 4xx in our error shape; never 5xx.

Each example runs in a savepoint that is rolled back, so every example starts from the same data.
Deterministic by default (CI); FUZZ_EXPLORE=1 runs a larger random search (500 examples per endpoint).
"""

import json
import math
import os

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from members import serializers as ms
from members.models import OfficerEndReason, OfficerRecordKind, OfficerSource, ZoneSource
from tests import factories as f

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
    return {
        "cast": cast,
        "person": cast.member_person.pk,
        "registration": registration.pk,
        "officer": cast.officer_row.pk,
        "zone": zone.pk,
        "community": cast.beijie.pk,
        "ids": [
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
}


def send(client, method, url, payload):
    body = json.dumps(payload, allow_nan=True, ensure_ascii=True)  # NaN/Infinity/surrogates go as text
    with transaction.atomic():
        response = getattr(client, method)(url, data=body, content_type="application/json")
        transaction.set_rollback(True)
    return response


def assert_well_formed(response, payload):
    assert response.status_code < 500, (
        f"{response.status_code} for payload {payload!r}: {response.content[:300]!r}"
    )
    if response.status_code >= 400:
        error = response.json()["error"]
        assert isinstance(error["code"], str) and isinstance(error["message"], str), response.content


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_random_payloads_never_cause_a_server_error(world, endpoint):
    method, template, serializer_class = ENDPOINTS[endpoint]
    url = template.format(**world)
    client = APIClient()
    client.force_authenticate(world["cast"].secretary)
    fields = writable_fields(serializer_class)

    strategy = payloads(fields, world["ids"])
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
        assert_well_formed(send(client, method, url, payload), payload)

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


def test_error_messages_never_carry_lone_surrogates():
    from core.security import without_surrogates

    assert without_surrogates({"a\ud800": ["“\udfff” 不是合法选项。"]}) == {
        "a\ufffd": ["“\ufffd” 不是合法选项。"]
    }
