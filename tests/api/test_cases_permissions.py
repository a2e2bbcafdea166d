"""Permission matrix: every cases API route × every persona of the cast, with the exact status.

Reads like a sentence: "the officer may start a case assigned to them (200) but not escalate it (403);
the secretary of 长城 does not even see it (404)". Anonymous API calls are 403 (session auth first)."""

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.utils import timezone

from cases import services
from cases.models import (
    Announcement,
    Case,
    DiaryEntry,
    Disclosure,
    Forum,
    HandlingTimeLimit,
    Mailbox,
    ReceptionDay,
    ReceptionKind,
    ThematicGroup,
)
from cases.states import CaseState
from core import workdays
from members import calendar
from members.roles import Role
from tests import factories as f
from tests.cases.factories import make_case
from tests.conftest import home_communities

PERSONAS = [
    "secretary",
    "staff",
    "director",
    "town",
    "officer",
    "member",
    "liaison",
    "deputy",
    "other_secretary",
    "other_town",
    "other_liaison",
    "outsider",
    "anonymous",
]
OFFICE = {"secretary", "staff", "director", "town"}


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    workdays.clear_cache()
    yield
    cache.clear()


def expect(default, **overrides):
    """Status per persona: `default` for the signed-in ones, 403 for anonymous, then the overrides."""
    table = dict.fromkeys(PERSONAS, default)
    table["anonymous"] = 403
    for name, code in overrides.items():
        table[name] = code
    return table


def office(code, *, officer=404, others=404, **extra):
    """The office of 北街 (and the town) gets `code`; the assignee officer `officer`; the rest `others`."""
    table = expect(others, officer=officer, **extra)
    for name in OFFICE:
        table[name] = code
    return table


ALL_READ = expect(200)
# published information (time limits, 七公开, announcements): every role in the community reads it
COMMUNITY_READ = office(200, officer=200, member=200, deputy=200)


def _case(cast, state, **kw):
    return make_case(cast.beijie, by=cast.secretary, state=state, worker=cast.officer, **kw)


def _visit():
    return (timezone.now() + dt.timedelta(days=2)).isoformat()


def setup_route(name, cast):
    """(method, path, payload, expected) for a route, building the objects it needs."""
    if name == "list":
        _case(cast, CaseState.ASSIGNED)
        return "get", "/api/v1/cases/", None, ALL_READ
    if name == "mine":
        return "get", "/api/v1/cases/mine/", None, ALL_READ
    if name == "ledger-xlsx":  # 导出民情台账: any community or town office (each its own cases)
        _case(cast, CaseState.ASSIGNED)
        return (
            "get",
            "/api/v1/cases/ledger-xlsx/",
            None,
            office(200, officer=403, others=403, other_secretary=200, other_town=200),
        )
    if name == "intake":
        payload = {
            "community": cast.beijie.pk,
            "channel": "hotline",
            "content": "电梯坏了",
            "category": "property",
        }
        return "post", "/api/v1/cases/", payload, office(201, officer=403, others=403)
    if name == "retrieve":
        c = _case(cast, CaseState.ASSIGNED)
        return "get", f"/api/v1/cases/{c.pk}/", None, office(200, officer=200)
    if name == "classify":
        c = _case(cast, CaseState.REGISTERED)
        return "post", f"/api/v1/cases/{c.pk}/classify/", {"handling_type": "promised"}, office(200)
    if name == "assign":
        c = _case(cast, CaseState.CLASSIFIED)
        return "post", f"/api/v1/cases/{c.pk}/assign/", {"assignee": cast.officer.pk}, office(200)
    if name == "start":
        c = _case(cast, CaseState.ASSIGNED)
        return "post", f"/api/v1/cases/{c.pk}/start/", {}, office(200, officer=200)
    if name == "request-documents":
        c = _case(cast, CaseState.IN_PROGRESS)
        return (
            "post",
            f"/api/v1/cases/{c.pk}/request-documents/",
            {"missing": ["户口本"]},
            office(200, officer=200),
        )
    if name == "documents-received":
        c = _case(cast, CaseState.WAITING_DOCUMENTS)
        return "post", f"/api/v1/cases/{c.pk}/documents-received/", {}, office(200, officer=200)
    if name == "escalate":
        c = _case(cast, CaseState.IN_PROGRESS)
        return "post", f"/api/v1/cases/{c.pk}/escalate/", {"to_unit": "镇城建办"}, office(200, officer=403)
    if name == "higher-reply":
        c = _case(cast, CaseState.ESCALATED)
        payload = {"reply": "同意", "replied_on": timezone.localdate().isoformat()}
        return "post", f"/api/v1/cases/{c.pk}/higher-reply/", payload, office(200, officer=403)
    if name == "refer":
        c = _case(cast, CaseState.IN_PROGRESS)
        payload = {"department": "县人社局", "explanation": "不属社区职权"}
        return "post", f"/api/v1/cases/{c.pk}/refer/", payload, office(200, officer=403)
    if name == "resolve":
        c = _case(cast, CaseState.IN_PROGRESS)
        return "post", f"/api/v1/cases/{c.pk}/resolve/", {"resolution": "已修好"}, office(200, officer=200)
    if name == "schedule-visit":
        c = _case(cast, CaseState.RESOLVED)
        return (
            "post",
            f"/api/v1/cases/{c.pk}/schedule-visit/",
            {"visit_at": _visit()},
            office(200, officer=200),
        )
    if name == "feedback":
        c = _case(cast, CaseState.RESOLVED)
        payload = {"method": "phone", "text": "已电话告知"}
        return "post", f"/api/v1/cases/{c.pk}/feedback/", payload, office(200, officer=200)
    if name == "rate":
        c = _case(cast, CaseState.FEEDBACK_GIVEN)
        return "post", f"/api/v1/cases/{c.pk}/rate/", {"rating": "satisfied"}, office(200, officer=403)
    if name == "reopen":
        c = _case(cast, CaseState.CLOSED)
        return "post", f"/api/v1/cases/{c.pk}/reopen/", {"reason": "居民再次反映"}, office(200, officer=403)
    if name == "close":
        c = _case(cast, CaseState.RATED)
        return "post", f"/api/v1/cases/{c.pk}/close/", {}, office(200, officer=403)
    if name == "suggestions":
        c = _case(cast, CaseState.ASSIGNED)
        return "get", f"/api/v1/cases/{c.pk}/suggestions/", None, office(200, officer=403)
    if name == "duplicates":
        c = _case(cast, CaseState.ASSIGNED)
        return "get", f"/api/v1/cases/{c.pk}/duplicates/", None, office(200, officer=403)
    if name == "notice":
        c = _case(cast, CaseState.WAITING_DOCUMENTS)
        return "post", f"/api/v1/cases/{c.pk}/notice/", None, office(200, officer=200)
    if name == "groups-list":
        return "get", "/api/v1/case-groups/", None, ALL_READ
    if name == "groups-create":
        c = _case(cast, CaseState.REGISTERED)
        payload = {"community": cast.beijie.pk, "title": "路灯", "cases": [c.pk]}
        return "post", "/api/v1/case-groups/", payload, office(201)
    if name == "groups-retrieve":
        g = services.group_create(community=cast.beijie, by=cast.secretary, title="路灯", cases=[])
        return "get", f"/api/v1/case-groups/{g.pk}/", None, office(200)
    if name == "groups-add":
        g = services.group_create(community=cast.beijie, by=cast.secretary, title="路灯", cases=[])
        c = _case(cast, CaseState.REGISTERED)
        return "post", f"/api/v1/case-groups/{g.pk}/add-cases/", {"cases": [c.pk]}, office(200)
    if name == "groups-reply":
        c = _case(cast, CaseState.IN_PROGRESS)
        g = services.group_create(community=cast.beijie, by=cast.secretary, title="路灯", cases=[c])
        payload = {"reply": "本周修复", "method": "online"}
        return "post", f"/api/v1/case-groups/{g.pk}/reply/", payload, office(200)
    if name == "mailboxes-list":
        return "get", "/api/v1/mailboxes/", None, ALL_READ
    if name == "mailboxes-create":
        payload = {"community": cast.beijie.pk, "location": "3号院", "keeper": cast.member.pk}
        return "post", "/api/v1/mailboxes/", payload, office(201, officer=403, others=403)
    if name == "mailboxes-open":
        box = services.mailbox_save(
            community=cast.beijie, by=cast.secretary, location="1号院", keeper=cast.member
        )
        payload = {"letters": [{"content": "路灯坏了"}]}
        return "post", f"/api/v1/mailboxes/{box.pk}/open/", payload, office(201, member=201)
    if name == "mailboxes-missed":
        return "get", "/api/v1/mailboxes/missed/", None, ALL_READ
    if name == "diary-list":
        return "get", "/api/v1/diary/", None, ALL_READ
    if name == "diary-create":
        payload = {"visited_on": timezone.localdate().isoformat(), "household": "1号楼", "heard": "噪音"}
        return "post", "/api/v1/diary/", payload, expect(403, officer=201)
    if name == "diary-to-case":
        entry = services.diary_add(
            by=cast.officer, visited_on=timezone.localdate(), household="1号楼", heard="漏水"
        )
        return (
            "post",
            f"/api/v1/diary/{entry.pk}/to-case/",
            {"category": "property"},
            office(201, officer=201),
        )
    if name == "receptions-list":
        return "get", "/api/v1/receptions/", None, ALL_READ
    if name == "receptions-create":
        payload = {
            "community": cast.beijie.pk,
            "kind": "deputies",
            "year": 2027,
            "month": 1,
            "host_name": "周明",
        }
        return "post", "/api/v1/receptions/", payload, office(201, officer=403, others=403)
    if name == "receptions-items":
        past = timezone.localdate() - dt.timedelta(days=40)
        day = services.reception_schedule(
            community=cast.beijie,
            by=cast.secretary,
            kind=ReceptionKind.DEPUTIES,
            year=past.year,
            month=past.month,
            host_name="周明",
        )
        payload = {"visitor_name": "吴阿姨", "content": "路面破损"}
        return "post", f"/api/v1/receptions/{day.pk}/items/", payload, office(201, deputy=201)
    if name == "forums-list":
        return "get", "/api/v1/forums/", None, ALL_READ
    if name == "forums-create":
        payload = {
            "community": cast.beijie.pk,
            "held_on": timezone.localdate().isoformat(),
            "title": "恳谈会",
            "attendees": [{"name": "孙海", "role": "镇领导"}],
            "items": [{"raised_by": "王", "content": "停车难", "answered_on_spot": False}],
        }
        return "post", "/api/v1/forums/", payload, office(201, officer=403, others=403)
    if name == "time-limits-create":
        payload = {"community": cast.beijie.pk, "handling_type": "promised", "working_days": 4}
        return "post", "/api/v1/time-limits/", payload, office(201, officer=403, others=403)
    if name == "disclosures-create":
        payload = {"community": cast.beijie.pk, "kind": "discipline", "body": "不得吃拿卡要"}
        return "post", "/api/v1/disclosures/", payload, office(201, officer=403, others=403)
    if name == "announcements-create":
        payload = {"community": cast.beijie.pk, "category": "conscription", "title": "征兵", "body": "报名"}
        return "post", "/api/v1/announcements/", payload, office(201, officer=403, others=403)
    if name == "announcements-list":
        return "get", "/api/v1/announcements/", None, ALL_READ
    if name == "workdays-list":
        return "get", "/api/v1/workday-overrides/", None, ALL_READ
    if name == "workdays-create":
        payload = {"date": "2027-01-01", "is_working_day": False, "name": "元旦", "town": cast.town_obj.pk}
        return "post", "/api/v1/workday-overrides/", payload, expect(403, town=201)
    if name == "workdays-warning":
        return "get", "/api/v1/workday-overrides/warning/?year=2027", None, ALL_READ
    if name == "public-submit":
        payload = {"community": cast.beijie.code, "content": "路灯坏了", "consent": True}
        return "post", "/api/v1/public/cases/", payload, expect(201, anonymous=201)
    if name == "public-lookup":
        c = _case(cast, CaseState.ASSIGNED)
        payload = {"tracking_no": c.tracking_no, "access_code": c.access_code}
        return "post", "/api/v1/public/cases/lookup/", payload, expect(200, anonymous=200)
    if name == "public-rate":
        c = _case(cast, CaseState.FEEDBACK_GIVEN)
        payload = {"tracking_no": c.tracking_no, "access_code": c.access_code, "rating": "basically"}
        return "post", "/api/v1/public/cases/rate/", payload, expect(200, anonymous=200)
    if name == "public-receptions":
        return "get", "/api/v1/public/receptions/", None, expect(200, anonymous=200)
    if name == "public-disclosure":
        return "get", f"/api/v1/public/disclosures/{cast.beijie.code}/", None, expect(200, anonymous=200)
    if name == "public-privacy-notice":
        path = f"/api/v1/public/cases/privacy-notice/?community={cast.beijie.code}"
        return "get", path, None, expect(200, anonymous=200)
    if name == "reveal":
        # the resident's full phone: the office of the case's community, and the assignee who calls back
        c = _case(cast, CaseState.ASSIGNED)
        payload = {"reason": "回电告知办理进展"}
        return "post", f"/api/v1/cases/{c.pk}/reveal/", payload, office(200, officer=200)
    if name == "erase":
        c = _case(cast, CaseState.ASSIGNED)
        payload = {"reason": "居民来电申请删除个人信息"}
        return "post", f"/api/v1/cases/{c.pk}/erase/", payload, office(200, officer=403)
    if name == "diary-retrieve":
        entry = services.diary_add(
            by=cast.officer, visited_on=timezone.localdate(), household="1号楼", heard="漏水"
        )
        return "get", f"/api/v1/diary/{entry.pk}/", None, office(200, officer=200)
    if name == "mailboxes-retrieve":
        box = services.mailbox_save(
            community=cast.beijie, by=cast.secretary, location="1号院", keeper=cast.member
        )
        return "get", f"/api/v1/mailboxes/{box.pk}/", None, office(200, member=200)
    if name == "receptions-retrieve":
        day = services.reception_schedule(
            community=cast.beijie,
            by=cast.secretary,
            kind=ReceptionKind.DEPUTIES,
            year=2027,
            month=1,
            host_name="周明",
        )
        return "get", f"/api/v1/receptions/{day.pk}/", None, office(200, deputy=200)
    if name == "forums-retrieve":
        forum = services.forum_record(
            community=cast.beijie,
            by=cast.secretary,
            held_on=timezone.localdate(),
            title="恳谈会",
            attendees=[{"name": "孙海", "role": "镇领导"}],
        )
        return "get", f"/api/v1/forums/{forum.pk}/", None, office(200)
    if name == "time-limits-list":
        return "get", "/api/v1/time-limits/", None, ALL_READ
    if name == "time-limits-retrieve":
        row = services.time_limit_set(
            community=cast.beijie, by=cast.secretary, handling_type="promised", working_days=4
        )
        return "get", f"/api/v1/time-limits/{row.pk}/", None, COMMUNITY_READ
    if name == "disclosures-list":
        return "get", "/api/v1/disclosures/", None, ALL_READ
    if name == "disclosures-retrieve":
        row = services.disclosure_save(
            community=cast.beijie, by=cast.secretary, kind="discipline", body="不得吃拿卡要"
        )
        return "get", f"/api/v1/disclosures/{row.pk}/", None, COMMUNITY_READ
    if name == "announcements-retrieve":
        row = services.announcement_publish(
            community=cast.beijie, by=cast.secretary, category="conscription", title="征兵", body="报名"
        )
        return "get", f"/api/v1/announcements/{row.pk}/", None, COMMUNITY_READ
    if name == "workdays-delete":
        # every login of 城关镇 sees the town's rows (403: only the town edits); other logins do not (404)
        row = calendar.workday_override_save(
            by=cast.town, date=dt.date(2027, 1, 1), is_working_day=False, name="元旦", town=cast.town_obj
        )
        expected = expect(403, town=204, liaison=404, other_town=404, other_liaison=404, outsider=404)
        return "delete", f"/api/v1/workday-overrides/{row.pk}/", None, expected
    raise AssertionError(name)


# route → the OpenAPI operation (method, path template) it exercises; the matrix test checks each
# request against it, and tests/security/test_matrix_coverage.py checks that every operation of the
# schema is here, in another matrix, or public.
OPERATIONS = {
    "list": ("GET", "/api/v1/cases/"),
    "mine": ("GET", "/api/v1/cases/mine/"),
    "ledger-xlsx": ("GET", "/api/v1/cases/ledger-xlsx/"),
    "intake": ("POST", "/api/v1/cases/"),
    "retrieve": ("GET", "/api/v1/cases/{id}/"),
    "classify": ("POST", "/api/v1/cases/{id}/classify/"),
    "assign": ("POST", "/api/v1/cases/{id}/assign/"),
    "start": ("POST", "/api/v1/cases/{id}/start/"),
    "request-documents": ("POST", "/api/v1/cases/{id}/request-documents/"),
    "documents-received": ("POST", "/api/v1/cases/{id}/documents-received/"),
    "escalate": ("POST", "/api/v1/cases/{id}/escalate/"),
    "higher-reply": ("POST", "/api/v1/cases/{id}/higher-reply/"),
    "refer": ("POST", "/api/v1/cases/{id}/refer/"),
    "resolve": ("POST", "/api/v1/cases/{id}/resolve/"),
    "schedule-visit": ("POST", "/api/v1/cases/{id}/schedule-visit/"),
    "feedback": ("POST", "/api/v1/cases/{id}/feedback/"),
    "rate": ("POST", "/api/v1/cases/{id}/rate/"),
    "reopen": ("POST", "/api/v1/cases/{id}/reopen/"),
    "close": ("POST", "/api/v1/cases/{id}/close/"),
    "suggestions": ("GET", "/api/v1/cases/{id}/suggestions/"),
    "duplicates": ("GET", "/api/v1/cases/{id}/duplicates/"),
    "notice": ("POST", "/api/v1/cases/{id}/notice/"),
    "reveal": ("POST", "/api/v1/cases/{id}/reveal/"),
    "erase": ("POST", "/api/v1/cases/{id}/erase/"),
    "groups-list": ("GET", "/api/v1/case-groups/"),
    "groups-create": ("POST", "/api/v1/case-groups/"),
    "groups-retrieve": ("GET", "/api/v1/case-groups/{id}/"),
    "groups-add": ("POST", "/api/v1/case-groups/{id}/add-cases/"),
    "groups-reply": ("POST", "/api/v1/case-groups/{id}/reply/"),
    "mailboxes-list": ("GET", "/api/v1/mailboxes/"),
    "mailboxes-create": ("POST", "/api/v1/mailboxes/"),
    "mailboxes-retrieve": ("GET", "/api/v1/mailboxes/{id}/"),
    "mailboxes-open": ("POST", "/api/v1/mailboxes/{id}/open/"),
    "mailboxes-missed": ("GET", "/api/v1/mailboxes/missed/"),
    "diary-list": ("GET", "/api/v1/diary/"),
    "diary-create": ("POST", "/api/v1/diary/"),
    "diary-retrieve": ("GET", "/api/v1/diary/{id}/"),
    "diary-to-case": ("POST", "/api/v1/diary/{id}/to-case/"),
    "receptions-list": ("GET", "/api/v1/receptions/"),
    "receptions-create": ("POST", "/api/v1/receptions/"),
    "receptions-retrieve": ("GET", "/api/v1/receptions/{id}/"),
    "receptions-items": ("POST", "/api/v1/receptions/{id}/items/"),
    "forums-list": ("GET", "/api/v1/forums/"),
    "forums-create": ("POST", "/api/v1/forums/"),
    "forums-retrieve": ("GET", "/api/v1/forums/{id}/"),
    "time-limits-list": ("GET", "/api/v1/time-limits/"),
    "time-limits-create": ("POST", "/api/v1/time-limits/"),
    "time-limits-retrieve": ("GET", "/api/v1/time-limits/{id}/"),
    "disclosures-list": ("GET", "/api/v1/disclosures/"),
    "disclosures-create": ("POST", "/api/v1/disclosures/"),
    "disclosures-retrieve": ("GET", "/api/v1/disclosures/{id}/"),
    "announcements-list": ("GET", "/api/v1/announcements/"),
    "announcements-create": ("POST", "/api/v1/announcements/"),
    "announcements-retrieve": ("GET", "/api/v1/announcements/{id}/"),
    "workdays-list": ("GET", "/api/v1/workday-overrides/"),
    "workdays-create": ("POST", "/api/v1/workday-overrides/"),
    "workdays-warning": ("GET", "/api/v1/workday-overrides/warning/"),
    "workdays-delete": ("DELETE", "/api/v1/workday-overrides/{id}/"),
    "public-submit": ("POST", "/api/v1/public/cases/"),
    "public-lookup": ("POST", "/api/v1/public/cases/lookup/"),
    "public-rate": ("POST", "/api/v1/public/cases/rate/"),
    "public-privacy-notice": ("GET", "/api/v1/public/cases/privacy-notice/"),
    "public-receptions": ("GET", "/api/v1/public/receptions/"),
    "public-disclosure": ("GET", "/api/v1/public/disclosures/{code}/"),
}
ROUTES = list(OPERATIONS)


def covered_operations() -> set[tuple[str, str]]:
    """(METHOD, OpenAPI path) of every operation this matrix exercises."""
    return set(OPERATIONS.values())


def _is_operation(method: str, path: str, operation: tuple[str, str]) -> bool:
    """Does the request (method, concrete path) call the operation (METHOD, path template)?"""
    template = re.escape(operation[1])
    pattern = re.sub(r"\\\{\w+\\\}", "[^/]+", template)
    return method.upper() == operation[0] and re.fullmatch(pattern, path.split("?")[0]) is not None


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("route", ROUTES)
def test_cases_permission_matrix(cast, as_user, route, persona):
    method, path, payload, expected = setup_route(route, cast)
    assert _is_operation(method, path, OPERATIONS[route]), (route, method, path)
    client = as_user(persona)
    response = (
        getattr(client, method)(path, payload, format="json")
        if payload is not None
        else getattr(client, method)(path)
    )
    assert response.status_code == expected[persona], (route, persona, response.content[:300])


def test_lists_show_only_what_each_persona_may_see(cast, as_user):
    mine = _case(cast, CaseState.ASSIGNED)
    other = make_case(cast.beijie, by=cast.secretary, state=CaseState.ASSIGNED, worker=cast.staff)
    foreign = make_case(cast.changcheng, by=cast.other_secretary)
    seen = {p: {c["id"] for c in as_user(p).get("/api/v1/cases/").json()["results"]} for p in PERSONAS[:-1]}
    assert seen["secretary"] == {mine.pk, other.pk}
    assert seen["town"] == {mine.pk, other.pk, foreign.pk}
    assert seen["officer"] == {mine.pk}
    assert seen["other_secretary"] == {foreign.pk}
    for nobody in ["member", "liaison", "deputy", "other_town", "other_liaison", "outsider"]:
        assert seen[nobody] == set()


def test_a_foreign_community_case_is_404_for_every_action(cast, as_user):
    foreign = make_case(
        cast.changcheng, by=cast.other_secretary, state=CaseState.IN_PROGRESS, worker=cast.other_secretary
    )
    client = as_user("secretary")
    assert client.get(f"/api/v1/cases/{foreign.pk}/").status_code == 404
    for action in ["classify", "assign", "start", "resolve", "escalate", "rate", "close", "reopen"]:
        assert client.post(f"/api/v1/cases/{foreign.pk}/{action}/", {}, format="json").status_code == 404


# ------------------------------------------------------------------------- lists never show foreign rows

# list → the model of its rows and the lookup from a row to its community
LIST_ROWS = {
    "/api/v1/cases/": (Case, "community_id"),
    "/api/v1/cases/mine/": (Case, "community_id"),
    "/api/v1/case-groups/": (ThematicGroup, "community_id"),
    "/api/v1/mailboxes/": (Mailbox, "community_id"),
    "/api/v1/mailboxes/missed/": (Mailbox, "community_id"),
    "/api/v1/diary/": (DiaryEntry, "officer__community_id"),
    "/api/v1/receptions/": (ReceptionDay, "community_id"),
    "/api/v1/forums/": (Forum, "community_id"),
    "/api/v1/time-limits/": (HandlingTimeLimit, "community_id"),
    "/api/v1/disclosures/": (Disclosure, "community_id"),
    "/api/v1/announcements/": (Announcement, "community_id"),
}


def _community_rows(community, *, by, worker, keeper, officer):
    """One row of every listed kind in `community`, made by its office (`by`); the case goes to `worker`."""
    make_case(community, by=by, state=CaseState.ASSIGNED, worker=worker)
    services.group_create(community=community, by=by, title="路灯", cases=[])
    services.mailbox_save(community=community, by=by, location="1号院", keeper=keeper)
    services.diary_add(by=officer, visited_on=timezone.localdate(), household="1号楼", heard="漏水")
    services.reception_schedule(
        community=community, by=by, kind=ReceptionKind.DEPUTIES, year=2027, month=1, host_name="周明"
    )
    services.forum_record(
        community=community,
        by=by,
        held_on=timezone.localdate(),
        title="恳谈会",
        attendees=[{"name": "孙海", "role": "镇领导"}],
    )
    services.time_limit_set(community=community, by=by, handling_type="promised", working_days=4)
    services.disclosure_save(community=community, by=by, kind="discipline", body="不得吃拿卡要")
    services.announcement_publish(
        community=community, by=by, category="conscription", title="征兵", body="报名"
    )


@pytest.fixture
def two_communities(cast):
    """Rows of every listed kind in 北街 and in 长城 (where 长城's own officer keeps the diary)."""
    cc_officer = f.UserFactory(username="cc_officer")
    f.RoleFactory(user=cc_officer, role=Role.OFFICER, community=cast.changcheng)
    f.OfficerFactory(
        community=cast.changcheng, person=f.PersonFactory(community=cast.changcheng, user=cc_officer)
    )
    _community_rows(
        cast.beijie, by=cast.secretary, worker=cast.officer, keeper=cast.member, officer=cast.officer
    )
    _community_rows(
        cast.changcheng,
        by=cast.other_secretary,
        worker=cast.other_secretary,
        keeper=cast.other_secretary,
        officer=cc_officer,
    )
    # installed long ago and never opened: both boxes were missed on the last working day
    Mailbox.objects.update(installed_on=dt.date(2020, 1, 1))


def _rows(response) -> list[dict]:
    """The rows of a list answer (paged or not); a 403 shows no rows."""
    if response.status_code == 403:
        return []
    assert response.status_code == 200, response.content[:300]
    data = response.json()
    return data["results"] if isinstance(data, dict) else data


@pytest.mark.parametrize("path", list(LIST_ROWS))
def test_no_list_shows_a_row_of_another_community(cast, as_user, two_communities, path):
    model, to_community = LIST_ROWS[path]
    home = home_communities(cast)
    seen_anywhere = set()
    for persona in PERSONAS[:-1]:
        ids = {row["id"] for row in _rows(as_user(persona).get(path, {"page_size": 200}))}
        found = dict(model.objects.filter(pk__in=ids).values_list("pk", to_community))
        assert set(found) == ids, (path, persona)
        communities = set(found.values())
        assert communities <= home[persona], (path, persona, communities)
        seen_anywhere |= communities
    # both communities' rows exist and are listed to someone, so a leak of either would have shown
    assert seen_anywhere == {cast.beijie.pk, cast.changcheng.pk}


def test_workday_overrides_list_only_the_personas_own_town_and_the_nationwide_rows(cast, as_user):
    """The working-day table belongs to a town, not a community: nationwide rows are everyone's."""
    admin = f.UserFactory(username="root", is_superuser=True, is_staff=True)
    calendar.workday_override_save(by=admin, date=dt.date(2027, 2, 7), is_working_day=True, name="调休")
    calendar.workday_override_save(
        by=cast.town, date=dt.date(2027, 1, 1), is_working_day=False, name="元旦", town=cast.town_obj
    )
    calendar.workday_override_save(
        by=cast.other_town,
        date=dt.date(2027, 1, 2),
        is_working_day=False,
        name="东关",
        town=cast.other_town_obj,
    )
    chengguan, dongguan = cast.town_obj.pk, cast.other_town_obj.pk
    towns = {persona: {chengguan} for persona in PERSONAS[:-1] if persona not in {"other_town"}}
    towns.update(other_town={dongguan}, liaison=set(), other_liaison=set(), outsider=set())
    for persona, own in towns.items():
        rows = _rows(as_user(persona).get("/api/v1/workday-overrides/"))
        assert {row["town"] for row in rows} == own | {None}, persona
