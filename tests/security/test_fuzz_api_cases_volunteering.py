"""Fuzzing the cases and volunteering write endpoints: random JSON never causes a server error.

The same strategies and budget as test_fuzz_api.py (members): payloads built from each endpoint's
serializer fields plus the keys of a known-good body, random subsets and stray keys, values of every JSON
type; and, half of the time, the known-good body with a few keys overwritten, so the fuzz also reaches
the services behind a valid-looking request. Each endpoint is called by the persona allowed to write
(tests/api/test_*_permissions.py), the public ones anonymously. Every answer must be 2xx, or 4xx in our
error shape {"error": {"code", "message", "fields"}}, where a validation error names the fields at fault
(test_fuzz_api.assert_well_formed); never 5xx.

Each example runs in a savepoint that is rolled back, so every example starts from the same data.

test_every_write_operation_of_the_schema_is_fuzzed holds the fuzz entries of both files (ENDPOINTS there,
CASES, VOLUNTEERING, EVALUATIONS_EMPLOYER and SUPERVISION here) against the write operations of the OpenAPI
schema, one by one.
"""

import datetime as dt
import re

import pytest
import time_machine
from django.core.cache import cache
from django.urls import Resolver404, resolve
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from cases import services
from cases.models import ReceptionKind
from cases.states import CaseState
from core import workdays
from tests.api.test_volunteering_permissions import build_world
from tests.cases.factories import make_case
from tests.security.test_fuzz_api import ENDPOINTS, FUZZ, assert_well_formed, payloads, send, values
from tests.security.test_mass_assignment import (
    BODY_METHODS,
    SUPERVISION_DAY,
    _fixture_function,
    staff_complaint,
    supervision_order,
    write_operations,
)
from tests.volunteering.factories import (
    at,
)
from volunteering.models import PostClaim

# 67 endpoints: the low end of the members budget (30 examples each) keeps this file quick
FUZZ = settings(FUZZ, max_examples=30)

pytestmark = pytest.mark.django_db

NOW = at(2026, 3, 14, 9, 10)  # as in test_volunteering_permissions: ten minutes into today's item
V = "/api/v1/volunteering/"


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    workdays.clear_cache()
    yield
    cache.clear()


def _case(cast, state):
    return make_case(cast.beijie, by=cast.secretary, state=state, worker=cast.officer)


# ---- cases: endpoint → builder(cast) → (persona, method, url, known-good body) ----------------------


def _case_action(action, state, body, persona="secretary"):
    def build(cast):
        c = _case(cast, state)
        return persona, "post", f"/api/v1/cases/{c.pk}/{action}/", body(cast) if callable(body) else body

    return build


def _group(cast, cases=()):
    return services.group_create(community=cast.beijie, by=cast.secretary, title="路灯", cases=list(cases))


def _mailbox(cast):
    return services.mailbox_save(
        community=cast.beijie, by=cast.secretary, location="1号院", keeper=cast.member
    )


def _reception_day(cast):
    past = timezone.localdate() - dt.timedelta(days=40)
    return services.reception_schedule(
        community=cast.beijie,
        by=cast.secretary,
        kind=ReceptionKind.DEPUTIES,
        year=past.year,
        month=past.month,
        host_name="周明",
    )


def _workday(cast):
    client = APIClient()
    client.force_authenticate(cast.town)
    body = {"date": "2027-01-01", "is_working_day": False, "name": "元旦", "town": cast.town_obj.pk}
    return client.post("/api/v1/workday-overrides/", body, format="json").json()["id"]


def _public_case(cast, state, extra=None):
    c = _case(cast, state)
    return {"tracking_no": c.tracking_no, "access_code": c.access_code, **(extra or {})}


CASES = {
    "cases-create": lambda cast: (
        "secretary",
        "post",
        "/api/v1/cases/",
        {"community": cast.beijie.pk, "channel": "hotline", "content": "电梯坏了", "category": "property"},
    ),
    "cases-classify": _case_action("classify", CaseState.REGISTERED, {"handling_type": "promised"}),
    "cases-assign": _case_action("assign", CaseState.CLASSIFIED, lambda cast: {"assignee": cast.officer.pk}),
    "cases-start": _case_action("start", CaseState.ASSIGNED, {}),
    "cases-request-documents": _case_action(
        "request-documents", CaseState.IN_PROGRESS, {"missing": ["户口本"]}
    ),
    "cases-documents-received": _case_action("documents-received", CaseState.WAITING_DOCUMENTS, {}),
    "cases-escalate": _case_action("escalate", CaseState.IN_PROGRESS, {"to_unit": "镇城建办"}),
    "cases-higher-reply": _case_action(
        "higher-reply",
        CaseState.ESCALATED,
        lambda cast: {"reply": "同意", "replied_on": timezone.localdate().isoformat()},
    ),
    "cases-refer": _case_action(
        "refer", CaseState.IN_PROGRESS, {"department": "县人社局", "explanation": "不属社区职权"}
    ),
    "cases-resolve": _case_action("resolve", CaseState.IN_PROGRESS, {"resolution": "已修好"}),
    "cases-schedule-visit": _case_action(
        "schedule-visit",
        CaseState.RESOLVED,
        lambda cast: {"visit_at": (timezone.now() + dt.timedelta(days=2)).isoformat()},
    ),
    "cases-feedback": _case_action("feedback", CaseState.RESOLVED, {"method": "phone", "text": "已电话告知"}),
    "cases-rate": _case_action("rate", CaseState.FEEDBACK_GIVEN, {"rating": "satisfied"}),
    "cases-reopen": _case_action("reopen", CaseState.CLOSED, {"reason": "居民再次反映"}),
    "cases-close": _case_action("close", CaseState.RATED, {}),
    "cases-reveal": _case_action("reveal", CaseState.ASSIGNED, {"reason": "需要回访"}),
    "cases-erase": _case_action("erase", CaseState.CLOSED, {"reason": "居民要求删除"}),
    # no body: stray keys only; printing the one-time notice reissues the access code
    "cases-notice": _case_action("notice", CaseState.WAITING_DOCUMENTS, {}),
    "case-groups-create": lambda cast: (
        "secretary",
        "post",
        "/api/v1/case-groups/",
        {"community": cast.beijie.pk, "title": "路灯", "cases": [_case(cast, CaseState.REGISTERED).pk]},
    ),
    "case-groups-add-cases": lambda cast: (
        "secretary",
        "post",
        f"/api/v1/case-groups/{_group(cast).pk}/add-cases/",
        {"cases": [_case(cast, CaseState.REGISTERED).pk]},
    ),
    "case-groups-reply": lambda cast: (
        "secretary",
        "post",
        f"/api/v1/case-groups/{_group(cast, [_case(cast, CaseState.IN_PROGRESS)]).pk}/reply/",
        {"reply": "本周修复", "method": "online"},
    ),
    "mailboxes-create": lambda cast: (
        "secretary",
        "post",
        "/api/v1/mailboxes/",
        {"community": cast.beijie.pk, "location": "3号院", "keeper": cast.member.pk},
    ),
    "mailboxes-open": lambda cast: (
        "secretary",
        "post",
        f"/api/v1/mailboxes/{_mailbox(cast).pk}/open/",
        {"letters": [{"content": "路灯坏了"}]},
    ),
    "diary-create": lambda cast: (
        "officer",
        "post",
        "/api/v1/diary/",
        {"visited_on": timezone.localdate().isoformat(), "household": "1号楼", "heard": "噪音"},
    ),
    "diary-to-case": lambda cast: (
        "secretary",
        "post",
        "/api/v1/diary/{}/to-case/".format(
            services.diary_add(
                by=cast.officer, visited_on=timezone.localdate(), household="1号楼", heard="漏水"
            ).pk
        ),
        {"category": "property"},
    ),
    "receptions-create": lambda cast: (
        "secretary",
        "post",
        "/api/v1/receptions/",
        {"community": cast.beijie.pk, "kind": "deputies", "year": 2027, "month": 1, "host_name": "周明"},
    ),
    "receptions-items": lambda cast: (
        "secretary",
        "post",
        f"/api/v1/receptions/{_reception_day(cast).pk}/items/",
        {"visitor_name": "吴阿姨", "content": "路面破损"},
    ),
    "forums-create": lambda cast: (
        "secretary",
        "post",
        "/api/v1/forums/",
        {
            "community": cast.beijie.pk,
            "held_on": timezone.localdate().isoformat(),
            "title": "恳谈会",
            "attendees": [{"name": "孙海", "role": "镇领导"}],
            "items": [{"raised_by": "王", "content": "停车难", "answered_on_spot": False}],
        },
    ),
    "time-limits-create": lambda cast: (
        "secretary",
        "post",
        "/api/v1/time-limits/",
        {"community": cast.beijie.pk, "handling_type": "promised", "working_days": 4},
    ),
    "disclosures-create": lambda cast: (
        "secretary",
        "post",
        "/api/v1/disclosures/",
        {"community": cast.beijie.pk, "kind": "discipline", "body": "不得吃拿卡要"},
    ),
    "announcements-create": lambda cast: (
        "secretary",
        "post",
        "/api/v1/announcements/",
        {"community": cast.beijie.pk, "category": "conscription", "title": "征兵", "body": "报名"},
    ),
    "workday-overrides-create": lambda cast: (
        "town",
        "post",
        "/api/v1/workday-overrides/",
        {"date": "2027-01-01", "is_working_day": False, "name": "元旦", "town": cast.town_obj.pk},
    ),
    "workday-overrides-destroy": lambda cast: (
        "town",
        "delete",
        f"/api/v1/workday-overrides/{_workday(cast)}/",
        {},
    ),
    "public-cases-create": lambda cast: (
        "anonymous",
        "post",
        "/api/v1/public/cases/",
        {"community": cast.beijie.code, "content": "路灯坏了", "consent": True},
    ),
    "public-cases-lookup": lambda cast: (
        "anonymous",
        "post",
        "/api/v1/public/cases/lookup/",
        _public_case(cast, CaseState.ASSIGNED),
    ),
    "public-cases-rate": lambda cast: (
        "anonymous",
        "post",
        "/api/v1/public/cases/rate/",
        _public_case(cast, CaseState.FEEDBACK_GIVEN, {"rating": "basically"}),
    ),
}


# ---- volunteering: (persona, method, path, known-good body) over the world of 14 March 2026 ----------


@pytest.fixture
def vworld(cast):
    """The permission matrix's world (tests/api/test_volunteering_permissions.py), plus the claiming member."""
    world = build_world(cast)
    world.other = PostClaim.objects.values_list("person_id", flat=True).get(pk=world.claim)
    return world


VOLUNTEERING = {
    "policies-update": ("secretary", "put", "policies/{beijie}/", {"min_items": 2, "target_items": 3}),
    "posts-create": (
        "secretary",
        "post",
        "posts/",
        {"community": "{beijie}", "name": "新岗位", "capacity": 3},
    ),
    "posts-partial-update": ("secretary", "patch", "posts/{post}/", {"capacity": 6}),
    "claims-create": ("secretary", "post", "claims/", {"post": "{post}", "person": "{member_person}"}),
    "claims-approve": ("secretary", "post", "claims/{claim}/approve/", {}),
    "claims-decline": ("secretary", "post", "claims/{claim}/decline/", {"reason": "岗位已满"}),
    "claims-withdraw": ("secretary", "post", "claims/{claim}/withdraw/", {}),
    "team-create": ("secretary", "post", "team/", {"community": "{beijie}", "person": "{member_person}"}),
    "items-create": (
        "secretary",
        "post",
        "items/",
        {
            "community": "{beijie}",
            "title": "清扫楼道",
            "place": "3号楼",
            "capacity": 4,
            "starts_at": "2026-03-28T09:00:00+08:00",
            "ends_at": "2026-03-28T11:00:00+08:00",
        },
    ),
    "items-partial-update": ("secretary", "patch", "items/{upcoming}/", {"title": "新标题"}),
    "items-cancel": ("secretary", "post", "items/{upcoming}/cancel/", {"reason": "天气原因"}),
    "items-sign-up": ("secretary", "post", "items/{upcoming}/sign-up/", {"person": "{member_person}"}),
    "items-check-in": ("member", "post", "items/{today}/check-in/", {"token": "{token}"}),
    "items-check-out": ("member", "post", "items/{today}/check-out/", {"token": "{token}"}),
    "items-check-in-any": ("member", "post", "items/check-in/", {"token": "{token}"}),
    "items-rotate-code": ("secretary", "post", "items/{today}/rotate-code/", {}),
    "items-attendance": (
        "secretary",
        "post",
        "items/{today}/attendance/",
        {
            "person": "{member_person}",
            "started_at": "2026-03-14T09:00:00+08:00",
            "ended_at": "2026-03-14T09:10:00+08:00",
        },
    ),
    "signups-cancel": ("secretary", "post", "signups/{later_signup}/cancel/", {}),
    "records-create": (
        "member",
        "post",
        "records/",
        {
            "item": "{past}",
            "started_at": "2026-03-07T09:00:00+08:00",
            "ended_at": "2026-03-07T10:00:00+08:00",
            "content": "巡逻",
        },
    ),
    "records-approve": ("secretary", "post", "records/{pending_record}/approve/", {}),
    "records-reject": ("secretary", "post", "records/{pending_record}/reject/", {"reason": "未见本人"}),
    "records-evaluate": ("secretary", "post", "records/{approved_record}/evaluate/", {"evaluation": "good"}),
    "records-cancel": ("secretary", "post", "records/{approved_record}/cancel/", {"reason": "虚报"}),
    "conduct-notes-create": (
        "secretary",
        "post",
        "conduct-notes/",
        {"community": "{beijie}", "person": "{member_person}", "noted_on": "2026-03-10", "note": "主动调解"},
    ),
    "programmes-create": (
        "secretary",
        "post",
        "programmes/",
        {"community": "{beijie}", "name": "和事佬协会", "kind": "mediation"},
    ),
    "programmes-partial-update": ("secretary", "patch", "programmes/{programme}/", {"description": "每周三"}),
    "pairings-create": (
        "secretary",
        "post",
        "pairings/",
        {
            "programme": "{programme}",
            "person": "{member_person}",
            "household": "赵奶奶",
            "started_on": "2026-03-14",
        },
    ),
    "pairings-end": ("secretary", "post", "pairings/{pairing}/end/", {}),
    "goods-create": (
        "secretary",
        "post",
        "goods/",
        {
            "programme": "{programme}",
            "name": "书包",
            "category": "schoolbags",
            "quantity": 3,
            "received_on": "2026-03-14",
        },
    ),
    "goods-hand-out": (
        "secretary",
        "post",
        "goods/{good}/hand-out/",
        {"recipient_name": "困难户", "quantity": 1},
    ),
    "skills-create": (
        "secretary",
        "post",
        "skills/",
        {"programme": "{programme}", "person": "{member_person}", "skill": "医疗救助"},
    ),
    "skills-withdraw": ("secretary", "post", "skills/{skill}/withdraw/", {}),
}


# ---- employer (evaluations): (persona, method, path, known-good body) over its matrix's world ---------

EVALUATIONS_EMPLOYER = {
    "sheets-acknowledge": ("liaison", "post", "sheets/{issued}/acknowledge/", {}),
    "sheets-issue": ("secretary", "post", "sheets/{draft}/issue/", {}),
    "sheets-opinion": ("secretary", "post", "sheets/{draft}/opinion/", {"opinion": "表现良好"}),
    "sheets-regenerate": ("secretary", "post", "sheets/{issued}/regenerate/", {}),
    "batches-create": ("secretary", "post", "sheet-batches/", {"community": "{beijie}", "year": 2026}),
    "batches-town": ("town", "post", "sheet-batches/town/", {"town": "{town_id}", "year": 2026}),
    "consultations-create": (
        "liaison",
        "post",
        "consultations/",
        {"person": "{member_person}", "purpose": "promotion"},
    ),
    "consultations-answer": (
        "secretary",
        "post",
        "consultations/{consultation}/answer/",
        {"opinion": "reservations", "reasons": "参加活动偏少"},
    ),
    "consultations-withdraw": ("liaison", "post", "consultations/{consultation}/withdraw/", {}),
    "certificates-create": ("member", "post", "certificates/", {"person": "{member_person}", "year": 2026}),
}


# ---- supervision: endpoint → builder(cast) → (persona, method, url, known-good body), on SUPERVISION_DAY --

S = "/api/v1/supervision/"

SUPERVISION = {
    "orders-answer": lambda cast: (
        "director",
        "post",
        f"{S}orders/{supervision_order(cast).pk}/answer/",
        {"answer": "已督促承办人本周办结"},
    ),
    "orders-close": lambda cast: (
        "town",
        "post",
        f"{S}orders/{supervision_order(cast).pk}/close/",
        {"reason": "承办人已落实措施，继续跟踪"},
    ),
    "orders-escalate": lambda cast: (
        "town",
        "post",
        f"{S}orders/{supervision_order(cast).pk}/escalate/",
        {"note": "社区答复不及时"},
    ),
    "staff-complaints-create": lambda cast: (
        "town",
        "post",
        f"{S}staff-complaints/",
        {"community": cast.beijie.pk, "staff": cast.staff.pk, "content": "窗口办事态度生硬"},
    ),
    "staff-complaints-conclude": lambda cast: (
        "town",
        "post",
        f"{S}staff-complaints/{staff_complaint(cast).pk}/conclude/",
        {"finding": "founded", "findings": "经查属实，态度生硬", "measure": "admonition"},
    ),
}


def _fill(body, w):
    """The body with "{name}" placeholders replaced by the world's ids (token stays a string)."""
    out = {}
    for key, value in body.items():
        if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
            value = getattr(w, value[1:-1])
        out[key] = value
    return out


def writable_fields(method, url):
    """The writable fields of the view's serializer for this action. Many actions validate their body with
    a serializer of their own (read-only output serializer here), so the known-good body's keys are always
    fuzzed too (strategy_for)."""
    match = resolve(url)
    view_class = match.func.cls
    view = view_class(**match.func.initkwargs)
    view.action_map = match.func.actions
    view.action = match.func.actions.get(method)
    view.kwargs = match.kwargs
    view.format_kwarg = None
    view.request = None
    try:
        serializer = view.get_serializer_class()()
    except Exception:  # a view without a serializer for this action: the known-good keys are enough
        return []
    return [name for name, field in serializer.fields.items() if not field.read_only]


def strategy_for(fields, good, ids):
    fields = sorted({*fields, *good})
    overwritten = st.builds(
        lambda extra: {**good, **extra},
        st.dictionaries(st.sampled_from([*fields, "extra"]), values(ids), min_size=1, max_size=3),
    )
    return st.one_of(payloads(fields, ids), overwritten)


def fuzz(cast, persona, method, url, good, ids, *, public=False):
    client = APIClient()
    if persona != "anonymous":
        client.force_authenticate(getattr(cast, persona))
    fields = {*writable_fields(method, url), *good}
    strategy = strategy_for(fields, good, ids)

    @FUZZ
    @given(payload=strategy)
    def check(payload):
        if public:
            cache.clear()  # the public throttles would otherwise answer 429 before the body is read
        assert_well_formed(send(client, method, url, payload), payload, fields)

    check()


def _cast_ids(cast):
    return [
        cast.beijie.pk,
        cast.changcheng.pk,
        cast.member_person.pk,
        cast.officer.pk,
        cast.member.pk,
        cast.foreign_person.pk,
    ]


@pytest.mark.parametrize("endpoint", CASES)
def test_cases_write_endpoints_never_answer_5xx(cast, endpoint):
    persona, method, url, good = CASES[endpoint](cast)
    fuzz(cast, persona, method, url, good, _cast_ids(cast), public=persona == "anonymous")


@pytest.mark.parametrize("endpoint", VOLUNTEERING)
def test_volunteering_write_endpoints_never_answer_5xx(cast, vworld, endpoint):
    persona, method, path, body = VOLUNTEERING[endpoint]
    url = V + path.format(**vars(vworld))
    ids = [*_cast_ids(cast), vworld.post, vworld.today, vworld.past, vworld.programme, vworld.other]
    with time_machine.travel(NOW, tick=False):
        fuzz(cast, persona, method, url, _fill(body, vworld), ids)


@pytest.mark.parametrize("endpoint", EVALUATIONS_EMPLOYER)
def test_evaluations_employer_write_endpoints_never_answer_5xx(cast, endpoint):
    from tests.evaluations import test_employer_permissions as matrix

    persona, method, path, body = EVALUATIONS_EMPLOYER[endpoint]
    eworld = _fixture_function(matrix.world)(cast)
    url = matrix.API + path.format(**vars(eworld))
    ids = [*_cast_ids(cast), eworld.issued, eworld.draft, eworld.consultation, eworld.town_id]
    with time_machine.travel(matrix.NOW, tick=False):
        fuzz(cast, persona, method, url, _fill(body, eworld), ids)


@pytest.mark.parametrize("endpoint", SUPERVISION)
def test_supervision_write_endpoints_never_answer_5xx(cast, endpoint):
    persona, method, url, good = SUPERVISION[endpoint](cast)
    ids = [*_cast_ids(cast), cast.staff.pk, cast.director.pk, cast.town.pk]
    with time_machine.travel(SUPERVISION_DAY, tick=False):
        fuzz(cast, persona, method, url, good, ids)


# ---- every write operation of the schema is fuzzed ----------------------------------------------------

# operationId → why random payloads are not sent to it. Empty today: login, logout, the password change
# and the second-factor pages are forms under /accounts/, not API operations, so the schema has none of
# them. An operation listed here must still be in the schema.
NOT_FUZZED: dict[str, str] = {}

WHERE = (
    "add a fuzz entry for it: ENDPOINTS in tests/security/test_fuzz_api.py (members, notifications), CASES "
    "or VOLUNTEERING in tests/security/test_fuzz_api_cases_volunteering.py, APPRAISAL in "
    "tests/evaluations/test_appraisal_fuzz.py, VOLUNTEERING, EVALUATIONS_EMPLOYER or SUPERVISION in "
    "tests/security/test_fuzz_api_cases_volunteering.py; or list it in NOT_FUZZED with the reason"
)


def _route(method: str, url: str) -> tuple[str, str]:
    """(METHOD, the URL pattern the url resolves to): the same for a schema path ("/cases/{id}/assign/"),
    a fuzz entry's template ("/zones/{zone}/") and a concrete url ("/cases/17/assign/")."""
    method = "POST" if method == "multipart" else method.upper()
    return method, resolve(re.sub(r"\{[^}/]+\}", "1", url)).route


def _fuzzed_urls(cast) -> dict[str, tuple[str, str]]:
    """fuzz entry → (method, url), for the entries of both fuzz files."""
    urls = {f"ENDPOINTS[{name!r}]": (method, url) for name, (method, url, _) in ENDPOINTS.items()}
    for name, build in CASES.items():
        _, method, url, _ = build(cast)
        urls[f"CASES[{name!r}]"] = (method, url)
    for name, (_, method, path, _) in VOLUNTEERING.items():
        urls[f"VOLUNTEERING[{name!r}]"] = (method, V + path)
    # appraisal
    from tests.evaluations.test_appraisal_fuzz import fuzzed_urls as appraisal_urls

    urls.update(appraisal_urls(cast))
    for name, (_, method, path, _) in EVALUATIONS_EMPLOYER.items():  # employer
        urls[f"EVALUATIONS_EMPLOYER[{name!r}]"] = (method, "/api/v1/evaluations/" + path)
    for name, build in SUPERVISION.items():
        _, method, url, _ = build(cast)
        urls[f"SUPERVISION[{name!r}]"] = (method, url)
    return urls


def test_every_write_operation_of_the_schema_is_fuzzed(cast):
    # Given the write operations (POST, PUT, PATCH, DELETE) of the OpenAPI schema, by their URL pattern
    operations = write_operations(BODY_METHODS | {"delete"})
    by_route = {_route(method, path): op for op, (method, path, _) in operations.items()}

    # When every fuzz entry is resolved to the operation it sends its payloads to
    fuzzed, stale = set(), []
    for entry, (method, url) in _fuzzed_urls(cast).items():
        try:
            operation = by_route.get(_route(method, url))
        except Resolver404:
            operation = None
        if operation is None:
            stale.append(f"{entry}: {method.upper()} {url} is no write operation of the schema")
        fuzzed.add(operation)

    # Then each operation is fuzzed or excluded with a reason, and each entry hits an operation
    missing = [
        f"{method} {path} ({op}) is not fuzzed: {WHERE}"
        for op, (method, path, _) in sorted(operations.items(), key=lambda item: item[1][1])
        if op not in fuzzed and op not in NOT_FUZZED
    ]
    assert not missing + stale, "\n".join(missing + stale)
    assert not (set(NOT_FUZZED) - set(operations)), "NOT_FUZZED names operations the schema no longer has"
    assert not (set(NOT_FUZZED) & fuzzed), "NOT_FUZZED names operations that are fuzzed after all"
