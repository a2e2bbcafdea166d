"""Fields a role may not set cannot be changed through any write endpoint, whatever the payload.

The sweep takes every POST/PUT/PATCH operation from the OpenAPI schema (so an endpoint added later is
covered without anyone remembering to) and, for each one, sends the same valid request twice in rolled-back
savepoints: once as the permission-matrix tests send it, once with protected extras (status, community,
assignee, person, created_at, id, is_superuser, …) pointing at values the caller has no business setting.
Both runs must answer alike, and every protected column of every row of the domain apps, core and the user
table must end up the same; a 2xx answer must not echo an injected value either.

A protected field that an endpoint documents as writable (its request body has it) must be in ALLOWED
with the reason it is legitimate there; it is then part of the valid payload and not injected.
An operation without an entry in PAYLOADS fails with "add a payload for …".
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from functools import cache
from typing import Any

import pytest
import time_machine
from django.apps import apps
from django.apps import apps as django_apps
from django.core.cache import cache as django_cache
from django.db import transaction
from django.utils import timezone
from rest_framework.test import APIClient

from tests.api import test_cases_permissions as cases_matrix
from tests.api import test_members_permissions as members_matrix
from tests.api import test_volunteering_permissions as volunteering_matrix
from tests.cases.factories import make_case
from tests.evaluations import test_appraisal_permissions as appraisal_matrix
from tests.evaluations import test_employer_permissions as evaluations_employer_matrix  # employer

pytestmark = pytest.mark.django_db

PROTECTED = (
    "status",
    "state",
    "community",
    "community_id",
    "assignee",
    "assignee_id",
    "role",
    "grade",
    "person",
    "created_at",
    "id",
    "tracking_no",
    "access_code_hash",
    "decided_by",
    "emailed_at",
    "is_superuser",
    "is_staff",
    "appointed_by",
    "recorded_by",
    "approved_by",
    "user",
)
# Columns compared row by row (the `_id` spellings land on the same foreign keys).
COLUMNS = {name for name in PROTECTED if not name.endswith("_id") and name != "id"}
# Set afresh on every request (a random salt): compared with the injected value only.
RANDOM_COLUMNS = {"access_code_hash"}
SNAPSHOT_APPS = {"members", "volunteering", "cases", "evaluations", "core", "supervision"}
INJECTED_ID = 987654
INJECTED_TIME = "2001-01-01T00:00:00+08:00"

# (operationId, field) → why that field is legitimately writable there. It comes from the valid payload
# and is not injected. Scope is enforced by the serializer (a community or person outside the caller's
# reach is 400 "does not exist"), which the permission matrices check.
ALLOWED = {
    ("v1_announcements_create", "community"): "the office publishes for one of its communities",
    ("v1_buildings_create", "community"): "the office adds a building to one of its communities",
    ("v1_case_groups_create", "community"): "a group of cases belongs to one of the office's communities",
    ("v1_cases_create", "community"): "intake by the office names the community the concern is about",
    ("v1_cases_assign_create", "assignee"): "assigning is this action's purpose (交办)",
    ("v1_disclosures_create", "community"): "the office publishes for one of its communities",
    ("v1_forums_create", "community"): "the forum is held in one of the office's communities",
    ("v1_mailboxes_create", "community"): "the mailbox hangs in one of the office's communities",
    ("v1_officers_create", "community"): "an officer is appointed for one of the office's communities",
    ("v1_officers_create", "person"): "the person being appointed",
    ("v1_people_create", "community"): "a new resident is filed under one of the office's communities",
    ("v1_people_partial_update", "community"): "moving house between communities the office manages",
    ("v1_public_cases_create", "community"): "the resident picks the community their concern is about",
    ("v1_public_cases_lookup_create", "tracking_no"): "the resident's lookup key (with the access code)",
    ("v1_public_cases_rate_create", "tracking_no"): "the resident's lookup key (with the access code)",
    ("v1_receptions_create", "community"): "the reception day is held in one of the office's communities",
    ("v1_registrations_create", "community"): "the community the member reports to (报到)",
    ("v1_registrations_create", "person"): "the office registers a member; a member only themself",
    ("v1_time_limits_create", "community"): "a community's own time limits",
    (
        "v1_volunteering_claims_create",
        "person",
    ): "the office files a claim for a member; a member for themself",
    ("v1_volunteering_conduct_notes_create", "community"): "the note is kept by one of the office's branches",
    ("v1_volunteering_conduct_notes_create", "person"): "the member the note is about",
    ("v1_volunteering_items_create", "community"): "the item is held in one of the office's communities",
    ("v1_volunteering_items_attendance_create", "person"): "the office records who attended",
    ("v1_volunteering_items_sign_up_create", "person"): "a member signs up themself (the office anyone)",
    ("v1_volunteering_pairings_create", "person"): "the member paired with a household",
    ("v1_volunteering_posts_create", "community"): "the post belongs to one of the office's communities",
    ("v1_volunteering_posts_partial_update", "community"): "moving a post between the office's communities",
    (
        "v1_volunteering_programmes_create",
        "community",
    ): "the programme runs in one of the office's communities",
    ("v1_volunteering_skills_create", "person"): "the member offering the skill (a member only themself)",
    ("v1_volunteering_team_create", "community"): "the community whose team the member joins",
    ("v1_volunteering_team_create", "person"): "the member joining (a member only themself)",
    ("v1_zones_create", "community"): "the zone lies in one of the office's communities",
    # employer
    ("v1_evaluations_sheet_batches_create", "community"): "the community whose sheets the office generates",
    ("v1_evaluations_consultations_create", "person"): "the member the employer asks about (its own only)",
    ("v1_evaluations_certificates_create", "person"): "the volunteer certified (a member only themself)",
    ("v1_zones_partial_update", "community"): "the zone's community (validated against its buildings)",
    ("v1_zones_assign_create", "person"): "assigning a member to the zone is this action's purpose",
    ("v1_zones_unassign_create", "person"): "releasing a member from the zone is this action's purpose",
    # appraisal
    ("v1_appraisals_create", "community"): "the office prepares the evaluation of one of its communities",
    (
        "v1_appraisals_excellent_create",
        "person",
    ): "the member selected as excellent (a subject of the evaluation)",
    ("v1_appraisal_evaluators_create", "person"): "the panel member's roster record (a person of the town)",
    # supervision
    (
        "v1_supervision_staff_complaints_create",
        "community",
    ): "the town office names the community the complaint is about (one of the town's: a scoped field)",
}

# --------------------------------------------------------------------------------------------- payloads


@dataclass(frozen=True)
class Payload:
    """Where the valid request comes from: a permission matrix (`members`, `cases`, `volunteering`) and
    its route key, or `local` (a builder below); and the persona the matrix lets make the write."""

    source: str
    key: Any
    persona: str = "secretary"


def M(key, persona="secretary"):
    return Payload("members", key, persona)


def C(key, persona="secretary"):
    return Payload("cases", key, persona)


def V(method, path, persona="secretary"):
    return Payload("volunteering", (method, path), persona)


def A(key, persona="secretary"):
    """appraisal: a route of tests/evaluations/test_appraisal_permissions.py, or its public ballot."""
    return Payload("appraisal", key, persona)


def L(key, persona="secretary"):
    return Payload("local", key, persona)


def EE(method, path, persona="secretary"):  # employer: the evaluations app's sheets, consultations …
    return Payload("evaluations_employer", (method, path), persona)


PAYLOADS = {
    # members
    "v1_buildings_create": M("buildings-create"),
    "v1_communities_partial_update": M("communities-patch"),
    "v1_towns_partial_update": M("towns-patch", "town"),
    "v1_people_create": M("people-create"),
    "v1_people_partial_update": M("people-patch"),
    "v1_people_reveal_create": L("people-reveal"),
    "v1_registrations_create": M("registrations-create", "member"),
    "v1_registrations_confirm_create": M("registrations-confirm"),
    "v1_registrations_return_create": M("registrations-return"),
    "v1_registrations_withdraw_create": M("registrations-withdraw", "member"),
    "v1_registrations_transfer_create": M("registrations-transfer", "member"),
    "v1_officers_create": M("officers-create"),
    "v1_officers_end_create": M("officers-end"),
    "v1_officers_records_create": M("officers-records"),
    "v1_zones_create": M("zones-create"),
    "v1_zones_partial_update": M("zones-patch"),
    "v1_zones_assign_create": M("zones-assign"),
    "v1_zones_unassign_create": M("zones-unassign"),
    "v1_roster_imports_create": M("roster-imports-create"),
    "v1_roster_imports_commit_create": M("roster-imports-commit"),
    "v1_notifications_mark_read_create": M("notifications-mark-read", "member"),
    "v1_notifications_read_create": M("notifications-read"),
    "v1_notifications_preferences_partial_update": M("notifications-preferences-patch", "member"),
    # cases
    "v1_cases_create": C("intake"),
    "v1_cases_classify_create": C("classify"),
    "v1_cases_assign_create": C("assign"),
    "v1_cases_start_create": C("start", "officer"),
    "v1_cases_request_documents_create": C("request-documents", "officer"),
    "v1_cases_documents_received_create": C("documents-received", "officer"),
    "v1_cases_escalate_create": C("escalate"),
    "v1_cases_higher_reply_create": C("higher-reply"),
    "v1_cases_refer_create": C("refer"),
    "v1_cases_resolve_create": C("resolve", "officer"),
    "v1_cases_schedule_visit_create": C("schedule-visit", "officer"),
    "v1_cases_feedback_create": C("feedback", "officer"),
    "v1_cases_rate_create": C("rate"),
    "v1_cases_reopen_create": C("reopen"),
    "v1_cases_close_create": C("close"),
    "v1_cases_erase_create": L("cases-erase"),
    "v1_cases_reveal_create": L("cases-reveal"),
    "v1_case_groups_create": C("groups-create"),
    "v1_case_groups_add_cases_create": C("groups-add"),
    "v1_case_groups_reply_create": C("groups-reply"),
    "v1_mailboxes_create": C("mailboxes-create"),
    "v1_mailboxes_open_create": C("mailboxes-open", "member"),
    "v1_diary_create": C("diary-create", "officer"),
    "v1_diary_to_case_create": C("diary-to-case", "officer"),
    "v1_receptions_create": C("receptions-create"),
    "v1_receptions_items_create": C("receptions-items", "deputy"),
    "v1_forums_create": C("forums-create"),
    "v1_time_limits_create": C("time-limits-create"),
    "v1_disclosures_create": C("disclosures-create"),
    "v1_announcements_create": C("announcements-create"),
    "v1_workday_overrides_create": C("workdays-create", "town"),
    "v1_public_cases_create": C("public-submit", "anonymous"),
    "v1_public_cases_lookup_create": C("public-lookup", "anonymous"),
    "v1_public_cases_rate_create": C("public-rate", "anonymous"),
    # volunteering
    "v1_volunteering_posts_create": V("post", "posts/"),
    "v1_volunteering_posts_partial_update": V("patch", "posts/{post}/"),
    "v1_volunteering_claims_create": V("post", "claims/", "member"),
    "v1_volunteering_claims_approve_create": V("post", "claims/{claim}/approve/"),
    "v1_volunteering_claims_decline_create": V("post", "claims/{claim}/decline/"),
    "v1_volunteering_claims_withdraw_create": V("post", "claims/{claim}/withdraw/"),
    "v1_volunteering_team_create": V("post", "team/", "member"),
    "v1_volunteering_items_create": V("post", "items/"),
    "v1_volunteering_items_partial_update": V("patch", "items/{upcoming}/"),
    "v1_volunteering_items_cancel_create": V("post", "items/{upcoming}/cancel/"),
    "v1_volunteering_items_sign_up_create": V("post", "items/{upcoming}/sign-up/", "member"),
    "v1_volunteering_items_check_in_create": V("post", "items/{today}/check-in/", "member"),
    "v1_volunteering_items_check_out_create": V("post", "items/{today}/check-out/", "member"),
    "v1_volunteering_items_check_in_by_code": V("post", "items/check-in/", "member"),
    "v1_volunteering_items_rotate_code_create": V("post", "items/{today}/rotate-code/"),
    "v1_volunteering_items_attendance_create": V("post", "items/{today}/attendance/"),
    "v1_volunteering_signups_cancel_create": V("post", "signups/{later_signup}/cancel/", "member"),
    "v1_volunteering_records_create": V("post", "records/", "member"),
    "v1_volunteering_records_approve_create": V("post", "records/{pending_record}/approve/"),
    "v1_volunteering_records_reject_create": V("post", "records/{pending_record}/reject/"),
    "v1_volunteering_records_evaluate_create": V("post", "records/{approved_record}/evaluate/"),
    "v1_volunteering_records_cancel_create": V("post", "records/{approved_record}/cancel/"),
    "v1_volunteering_policies_update": V("put", "policies/{beijie}/"),
    "v1_volunteering_conduct_notes_create": V("post", "conduct-notes/"),
    "v1_volunteering_programmes_create": V("post", "programmes/"),
    "v1_volunteering_programmes_partial_update": V("patch", "programmes/{programme}/"),
    "v1_volunteering_pairings_create": V("post", "pairings/"),
    "v1_volunteering_pairings_end_create": V("post", "pairings/{pairing}/end/"),
    "v1_volunteering_goods_create": V("post", "goods/"),
    "v1_volunteering_goods_hand_out_create": V("post", "goods/{good}/hand-out/"),
    "v1_volunteering_skills_create": V("post", "skills/", "member"),
    "v1_volunteering_skills_withdraw_create": V("post", "skills/{skill}/withdraw/", "member"),
    # appraisal
    "v1_appraisals_create": A(("post", "appraisals/")),
    "v1_appraisals_open_create": A(("post", "appraisals/{draft}/open/")),
    "v1_appraisals_close_create": A(("post", "appraisals/{open}/close/")),
    "v1_appraisals_reopen_create": A(("post", "appraisals/{closed}/reopen/"), "town"),
    "v1_appraisals_excellent_create": A(("post", "appraisals/{closed}/excellent/")),
    "v1_appraisals_publish_create": A(("post", "appraisals/{cadres}/publish/")),
    "v1_appraisal_evaluators_create": A(("post", "appraisal-evaluators/")),
    "v1_appraisal_evaluators_issue_link_create": A(("post", "appraisal-evaluators/{evaluator}/issue-link/")),
    "v1_appraisal_evaluators_paper_ballot_create": A(
        ("post", "appraisal-evaluators/{evaluator}/paper-ballot/")
    ),
    "v1_officer_reviews_create": A(("post", "officer-reviews/")),
    "v1_public_ballots_create": A("public-ballot", "anonymous"),
    "v1_public_ballots_lookup_create": A("public-lookup", "anonymous"),
    # employer (evaluations)
    "v1_evaluations_sheets_acknowledge_create": EE("post", "sheets/{issued}/acknowledge/", "liaison"),
    "v1_evaluations_sheets_issue_create": EE("post", "sheets/{draft}/issue/"),
    "v1_evaluations_sheets_opinion_create": EE("post", "sheets/{draft}/opinion/"),
    "v1_evaluations_sheets_regenerate_create": EE("post", "sheets/{issued}/regenerate/"),
    "v1_evaluations_sheet_batches_create": EE("post", "sheet-batches/"),
    "v1_evaluations_sheet_batches_town_create": EE("post", "sheet-batches/town/", "town"),
    "v1_evaluations_consultations_create": EE("post", "consultations/", "liaison"),
    "v1_evaluations_consultations_answer_create": EE("post", "consultations/{consultation}/answer/"),
    "v1_evaluations_consultations_withdraw_create": EE(
        "post", "consultations/{consultation}/withdraw/", "liaison"
    ),
    "v1_evaluations_certificates_create": EE("post", "certificates/", "member"),
    # the one-time notice (a PDF; printing it reissues the access code): no body
    "v1_cases_notice_create": L("cases-notice"),
    # supervision: the community office director answers a level-1 order, the town closes and escalates it;
    # complaints about staff are the town supervisor's
    "v1_supervision_orders_answer_create": L("supervision-orders-answer", "director"),
    "v1_supervision_orders_close_create": L("supervision-orders-close", "town"),
    "v1_supervision_orders_escalate_create": L("supervision-orders-escalate", "town"),
    "v1_supervision_staff_complaints_create": L("supervision-complaints-create", "town"),
    "v1_supervision_staff_complaints_conclude_create": L("supervision-complaints-conclude", "town"),
}

# --------------------------------------------------------------------------------- supervision objects

SUPERVISION_DAY = dt.datetime(2026, 10, 8, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def supervision_order(cast):
    """An issued level-1 督办单 addressed to 北街's office director (as tests/supervision/test_orders_api.py):
    a promised case overdue since 30 September; answer, close or escalate it on SUPERVISION_DAY."""
    from supervision import services as supervision_services
    from supervision.models import SupervisionOrder
    from tests.supervision.support import D, at, promised_case

    case = promised_case(cast.beijie, registered=D(2026, 9, 21), days=5, by=cast.secretary, worker=cast.staff)
    with time_machine.travel(at(D(2026, 9, 30)), tick=False):
        supervision_services.issue_orders(today=D(2026, 9, 30))
    return SupervisionOrder.objects.get(case=case)


def staff_complaint(cast):
    """A complaint about 北街's staff member, received by the town's supervisor."""
    from supervision import services as supervision_services

    with time_machine.travel(SUPERVISION_DAY, tick=False):
        return supervision_services.complaint_receive(
            community=cast.beijie, staff=cast.staff, content="窗口办事态度生硬", by=cast.town
        )


SUPERVISION_REQUESTS = {
    "supervision-orders-answer": lambda cast: (
        f"/api/v1/supervision/orders/{supervision_order(cast).pk}/answer/",
        {"answer": "已督促承办人本周办结"},
    ),
    "supervision-orders-close": lambda cast: (
        f"/api/v1/supervision/orders/{supervision_order(cast).pk}/close/",
        {"reason": "承办人已落实措施，继续跟踪"},
    ),
    "supervision-orders-escalate": lambda cast: (
        f"/api/v1/supervision/orders/{supervision_order(cast).pk}/escalate/",
        {"note": "社区答复不及时"},
    ),
    "supervision-complaints-create": lambda cast: (
        "/api/v1/supervision/staff-complaints/",
        {"community": cast.beijie.pk, "staff": cast.staff.pk, "content": "窗口办事态度生硬"},
    ),
    "supervision-complaints-conclude": lambda cast: (
        f"/api/v1/supervision/staff-complaints/{staff_complaint(cast).pk}/conclude/",
        {"finding": "founded", "findings": "经查属实，态度生硬", "measure": "admonition"},
    ),
}

# The injected status/state: the most privileged value of the app the path belongs to.
STATUS_BY_PREFIX = (
    ("/api/v1/registrations/", "confirmed"),
    ("/api/v1/roster-imports/", "committed"),
    ("/api/v1/volunteering/", "approved"),
    ("/api/v1/evaluations/", "acknowledged"),  # employer
    ("/api/v1/", "closed"),
)


@dataclass
class Request:
    method: str  # get/post/put/patch, or "multipart"
    path: str
    payload: Any  # a callable building a fresh payload (uploads are consumed), or a dict
    persona: str
    frozen_at: dt.datetime

    def body(self) -> dict:
        return dict(self.payload() if callable(self.payload) else self.payload)


def _fixture_function(fixture):
    """The plain function behind a module's `world` fixture (the evaluations matrices build theirs per test)."""
    return fixture._get_wrapped_function() if hasattr(fixture, "_get_wrapped_function") else fixture


def _build(spec: Payload, cast) -> Request:
    now = timezone.now()
    if spec.source == "members":
        world = members_matrix.build_world(cast)
        method, url, payload, setup = members_matrix.ROUTES[spec.key]
        if setup:
            setup(world)
        return Request(method, members_matrix.API + url(world), lambda: payload(world), spec.persona, now)
    if spec.source == "cases":
        method, path, payload, _ = cases_matrix.setup_route(spec.key, cast)
        return Request(method, path, payload, spec.persona, timezone.now())
    if spec.source == "volunteering":
        world = volunteering_matrix.build_world(cast)
        method, path = spec.key
        route = next(r for r in volunteering_matrix.ROUTES if (r[0], r[1]) == (method, path))
        body = route[2]
        url = volunteering_matrix.API + path.format(**vars(world))
        payload = (lambda: body(world)) if callable(body) else body
        return Request(method, url, payload, spec.persona, volunteering_matrix.NOW)
    if spec.source == "appraisal":  # appraisal
        method, url, payload, frozen_at = appraisal_matrix.build_request(spec.key, cast)
        return Request(method, url, payload, spec.persona, frozen_at)
    if spec.source == "evaluations_employer":  # employer
        world = _fixture_function(evaluations_employer_matrix.world)(cast)
        method, path = spec.key
        route = next(r for r in evaluations_employer_matrix.ROUTES if (r[0], r[1]) == (method, path))
        body = route[2]
        url = evaluations_employer_matrix.API + path.format(**vars(world))
        payload = (lambda: body(world)) if callable(body) else body
        return Request(method, url, payload, spec.persona, evaluations_employer_matrix.NOW)
    if spec.key in SUPERVISION_REQUESTS:
        url, payload = SUPERVISION_REQUESTS[spec.key](cast)
        return Request("post", url, payload, spec.persona, SUPERVISION_DAY)
    if spec.key == "cases-notice":  # no body; only a 补办件 (waiting for documents) has a notice
        case = make_case(cast.beijie, by=cast.secretary, state="waiting_documents", worker=cast.officer)
        return Request("post", f"/api/v1/cases/{case.pk}/notice/", {}, spec.persona, now)
    if spec.key == "people-reveal":
        return Request(
            "post",
            f"/api/v1/people/{cast.member_person.pk}/reveal/",
            {"reason": "核对身份"},
            spec.persona,
            now,
        )
    case = make_case(cast.beijie, by=cast.secretary, state="in_progress", worker=cast.officer)
    action = spec.key.removeprefix("cases-")
    return Request(
        "post", f"/api/v1/cases/{case.pk}/{action}/", {"reason": "居民来电申请"}, spec.persona, now
    )


# ------------------------------------------------------------------------------------------- the sweep


@cache
def _schema() -> dict:
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


BODY_METHODS = frozenset({"post", "put", "patch"})


@cache
def write_operations(
    methods: frozenset[str] = BODY_METHODS,
) -> dict[str, tuple[str, str, frozenset[str]]]:
    """operationId → (METHOD, path, the request body's documented fields), from the OpenAPI schema.

    POST/PUT/PATCH by default (the operations with a body to inject into); the fuzz tests
    (tests/security/test_fuzz_api*.py) ask for DELETE too."""
    schema = _schema()
    components = schema["components"]["schemas"]
    operations = {}
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method not in methods:
                continue
            fields = set()
            for content in operation.get("requestBody", {}).get("content", {}).values():
                ref = content["schema"].get("$ref", "")
                if ref:
                    fields |= set(components[ref.rsplit("/", 1)[-1]].get("properties", {}))
            operations[operation["operationId"]] = (method.upper(), path, frozenset(fields))
    return operations


def _injected(cast, operation_id: str, path: str, skip: set[str]) -> dict:
    status = next(value for prefix, value in STATUS_BY_PREFIX if path.startswith(prefix))
    someone_else = cast.other_town.pk  # a login of another town: nobody's assignee, approver or account
    values = {
        "status": status,
        "state": status,
        "community": cast.dongguan.pk,  # a community of another town
        "community_id": cast.dongguan.pk,
        "assignee": someone_else,
        "assignee_id": someone_else,
        "role": "secretary",
        "grade": "excellent",
        "person": cast.foreign_person.pk,  # a resident of 长城
        "created_at": INJECTED_TIME,
        "id": INJECTED_ID,
        "tracking_no": "HACK-0001",
        "access_code_hash": "pbkdf2_sha256$1$injected$injected",
        "decided_by": someone_else,
        "emailed_at": INJECTED_TIME,
        "is_superuser": True,
        "is_staff": True,
        "appointed_by": someone_else,
        "recorded_by": someone_else,
        "approved_by": someone_else,
        "user": someone_else,
    }
    assert set(values) == set(PROTECTED)
    return {k: v for k, v in values.items() if k not in skip and (operation_id, k) not in ALLOWED}


@cache
def _snapshot_models() -> tuple:
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    found = []
    for model in apps.get_models():
        if model._meta.app_label not in SNAPSHOT_APPS and model is not user_model:
            continue
        columns = sorted(
            f.attname if f.is_relation else f.name
            for f in model._meta.concrete_fields
            if f.name in COLUMNS and not f.primary_key
        )
        found.append((model, columns))
    return tuple(found)


def _snapshot() -> dict:
    """model label → (rows that existed by pk, new-row multiset is derived by the caller)."""
    state = {}
    for model, columns in _snapshot_models():
        state[model._meta.label] = (
            {row[0]: row[1:] for row in model._base_manager.values_list("pk", *columns) if columns}
            if columns
            else {}
        )
    return state


def _send(request: Request, extras: dict, cast) -> tuple[int, Any, dict]:
    """One request in a rolled-back savepoint; returns (status, body, snapshot after)."""
    client = APIClient()
    if request.persona != "anonymous":
        client.force_authenticate(getattr(cast, request.persona))
    django_cache.clear()  # the public endpoints' throttles
    body = {**request.body(), **extras}
    with time_machine.travel(request.frozen_at, tick=False), transaction.atomic():
        if request.method == "multipart":
            response = client.post(request.path, body, format="multipart")
        else:
            response = getattr(client, request.method)(request.path, body, format="json")
        after = _snapshot()
        with_pk_injected = [
            model._meta.label
            for model, _ in _snapshot_models()
            if model._base_manager.filter(pk=INJECTED_ID).exists()
        ]
        transaction.set_rollback(True)
    after["__injected_pk__"] = with_pk_injected
    try:
        data = response.json()
    except Exception:
        data = None
    return response.status_code, data, after


def _columns(label: str) -> list[str]:
    return dict((m._meta.label, c) for m, c in _snapshot_models())[label]


def _fk_targets(label: str) -> dict[int, str]:
    """Column index → label of the model a foreign-key column of `label` points to."""
    model = django_apps.get_model(label)
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    targets = {}
    for i, column in enumerate(_columns(label)):
        field = by_attname.get(column)
        if field is not None and field.is_relation and field.related_model is not None:
            targets[i] = field.related_model._meta.label
    return targets


def _differences(before: dict, baseline: dict, injected: dict, extras: dict) -> list[str]:
    problems = []
    if injected["__injected_pk__"]:
        problems.append(
            f"a row was created with the injected id {INJECTED_ID}: {injected['__injected_pk__']}"
        )
    for label, rows in baseline.items():
        if label == "__injected_pk__":
            continue
        columns = _columns(label)
        random = [i for i, c in enumerate(columns) if c in RANDOM_COLUMNS]
        other = injected[label]

        def comparable(values, random=random):
            return tuple(v for i, v in enumerate(values) if i not in random)

        for pk, values in rows.items():
            if pk in before[label] and pk in other and comparable(values) != comparable(other[pk]):
                changed = {
                    columns[i]: (values[i], other[pk][i])
                    for i in range(len(columns))
                    if values[i] != other[pk][i] and i not in random
                }
                problems.append(f"{label} #{pk}: {changed} (without extras → with extras)")
        # A new row's foreign key to another row created by the same request holds a sequence value, and
        # PostgreSQL does not roll sequences back with the savepoint: compare it as "a new row", not by id.
        targets = _fk_targets(label)

        def new_comparable(values, random=random, targets=targets):
            return tuple(
                "<row created by this request>"
                if i in targets
                and v is not None
                and isinstance(before.get(targets[i]), dict)
                and v not in before[targets[i]]
                else v
                for i, v in enumerate(values)
                if i not in random
            )

        new_baseline = Counter(new_comparable(v) for pk, v in rows.items() if pk not in before[label])
        new_injected = Counter(new_comparable(v) for pk, v in other.items() if pk not in before[label])
        if new_baseline != new_injected:
            problems.append(
                f"{label}: new rows differ: {dict(new_baseline)} without extras, {dict(new_injected)} with extras "
                f"(columns {[c for i, c in enumerate(columns) if i not in random]})"
            )
        for values in other.values():
            for i in random:
                if values[i] == extras.get(columns[i]):
                    problems.append(f"{label}.{columns[i]} was set to the injected value")
    return problems


def _echoed(baseline_body, injected_body, extras: dict) -> list[str]:
    if not isinstance(injected_body, dict):
        return []
    echoed = []
    for key, value in extras.items():
        shown = key in injected_body and str(injected_body[key]) == str(value)
        if shown and not (isinstance(baseline_body, dict) and str(baseline_body.get(key)) == str(value)):
            echoed.append(f"the response shows the injected {key}={value!r}")
    return echoed


OPERATIONS = sorted(write_operations())


def test_every_write_operation_has_a_payload_and_every_payload_an_operation():
    missing = [
        f"add a payload for {write_operations()[op][0]} {write_operations()[op][1]} ({op}) to PAYLOADS in "
        "tests/security/test_mass_assignment.py"
        for op in OPERATIONS
        if op not in PAYLOADS
    ]
    stale = [op for op in PAYLOADS if op not in write_operations()]
    assert not missing, "\n".join(missing)
    assert not stale, f"PAYLOADS names operations the schema no longer has: {stale}"


def test_every_documented_writable_protected_field_is_allowed_with_a_reason():
    undecided = [
        f"{op} documents `{field}` as writable: add ({op!r}, {field!r}) to ALLOWED with the reason, "
        "or make it read-only"
        for op, (_, _, fields) in sorted(write_operations().items())
        for field in sorted(fields & set(PROTECTED))
        if (op, field) not in ALLOWED
    ]
    assert not undecided, "\n".join(undecided)
    stale = [
        key for key in ALLOWED if key[0] in write_operations() and key[1] not in write_operations()[key[0]][2]
    ]
    assert not stale, f"ALLOWED lists fields these operations no longer accept: {stale}"


@pytest.mark.parametrize("operation_id", OPERATIONS)
def test_protected_fields_cannot_be_set_through_the_payload(cast, operation_id):
    if operation_id not in PAYLOADS:
        pytest.fail(f"add a payload for {operation_id} to PAYLOADS in tests/security/test_mass_assignment.py")
    method, path, _ = write_operations()[operation_id]
    # Given the valid request the permission matrix sends
    request = _build(PAYLOADS[operation_id], cast)
    extras = _injected(cast, operation_id, path, skip=set(request.body()))
    before = _snapshot()

    # When it is sent as is, and again with protected extras
    status, body, baseline = _send(request, {}, cast)
    assert 200 <= status < 300, f"the valid payload for {operation_id} no longer works: {status} {body}"
    injected_status, injected_body, injected = _send(request, extras, cast)

    # Then the extras are ignored: same answer, same stored protected columns, nothing echoed
    assert injected_status == status, (
        f"{method} {path}: {status} without extras, {injected_status} with them: {injected_body}"
    )
    problems = _differences(before, baseline, injected, extras) + _echoed(body, injected_body, extras)
    assert not problems, f"{method} {path} ({request.persona}):\n" + "\n".join(problems)


ALLOWED_CASES = sorted(key for key in ALLOWED if key[0] in PAYLOADS)


@pytest.mark.parametrize(
    ("operation_id", "field"), ALLOWED_CASES, ids=[f"{op}-{fld}" for op, fld in ALLOWED_CASES]
)
def test_an_allowed_protected_field_still_refuses_a_value_outside_the_callers_reach(
    cast, operation_id, field
):
    """Where a protected field is writable (ALLOWED), a value the caller cannot reach — a community of
    another town, a resident of 长城, a login of another town — is refused."""
    if operation_id not in write_operations():
        pytest.skip("the schema no longer has this operation")
    method, path, _ = write_operations()[operation_id]
    request = _build(PAYLOADS[operation_id], cast)
    foreign = _injected(cast, "", path, skip=set())[field]
    status, body, _ = _send(request, {field: foreign}, cast)

    assert 400 <= status < 500, (
        f"{method} {path} ({request.persona}) accepted {field}={foreign!r}: {status} {body}"
    )
