"""Permission matrix: every cases API route × every persona of the cast, with the exact status.

Reads like a sentence: "the officer may start a case assigned to them (200) but not escalate it (403);
the secretary of 长城 does not even see it (404)". Anonymous API calls are 403 (session auth first)."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.utils import timezone

from cases import services
from cases.models import ReceptionKind
from cases.states import CaseState
from core import workdays
from tests.cases.factories import make_case

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
        return "get", f"/api/v1/cases/{c.pk}/notice/", None, office(200, officer=200)
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
    raise AssertionError(name)


ROUTES = [
    "list",
    "mine",
    "intake",
    "retrieve",
    "classify",
    "assign",
    "start",
    "request-documents",
    "documents-received",
    "escalate",
    "higher-reply",
    "refer",
    "resolve",
    "schedule-visit",
    "feedback",
    "rate",
    "reopen",
    "close",
    "suggestions",
    "duplicates",
    "notice",
    "groups-list",
    "groups-create",
    "groups-retrieve",
    "groups-add",
    "groups-reply",
    "mailboxes-list",
    "mailboxes-create",
    "mailboxes-open",
    "mailboxes-missed",
    "diary-list",
    "diary-create",
    "diary-to-case",
    "receptions-list",
    "receptions-create",
    "receptions-items",
    "forums-list",
    "forums-create",
    "time-limits-create",
    "disclosures-create",
    "announcements-create",
    "announcements-list",
    "workdays-list",
    "workdays-create",
    "workdays-warning",
    "public-submit",
    "public-lookup",
    "public-rate",
    "public-receptions",
    "public-disclosure",
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("route", ROUTES)
def test_cases_permission_matrix(cast, as_user, route, persona):
    method, path, payload, expected = setup_route(route, cast)
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
