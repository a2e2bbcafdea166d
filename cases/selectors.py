"""Reads that are more than a filter: assignee suggestions, likely duplicates, missed mailbox openings,
overdue lists, the assignee's phone list, the public schedule."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch, Q
from django.utils import timezone

from core import workdays
from members.models import InformationOfficer, OfficerStatus, RoleAssignment, User, ZoneAssignment
from members.roles import MANAGING_ROLES
from volunteering.selectors import on_duty_for_case

from .models import AssigneeKind, Case, CaseEvent, Category, Mailbox, MailboxOpening, ReceptionDay
from .states import ANSWERED_STATES, OPEN_STATES, CaseState


def case_queryset_for_list(qs):
    """Everything a list row shows, in a fixed number of queries whatever the page size."""
    return qs.select_related("community", "building", "assignee")


def assignees_of(cases, *, but=None):
    """The people the given cases are assigned to, by name (the case list's 承办人 filter), one query;
    `but` (the user looking, who picks "我承办的" instead) is left out."""
    people = User.objects.filter(pk__in=cases.order_by().exclude(assignee=None).values("assignee_id"))
    if but is not None:
        people = people.exclude(pk=but.pk)
    return people.order_by("first_name", "username")


def case_queryset_for_detail(qs):
    return qs.select_related(
        "community",
        "community__town",
        "building",
        "assignee",
        "received_by",
        "resident",
        "group",
        "reported_by_officer__person",
    ).prefetch_related(
        Prefetch("events", queryset=CaseEvent.objects.select_related("by")),
        "attachments",
    )


# ---------------------------------------------------------------------------------------- suggestions


@dataclass(frozen=True)
class Suggestion:
    user_id: int
    name: str
    kind: str
    reason: str


# Which service post (volunteering's 十大服务岗位) fits a category; passed to the on-duty lookup.
CATEGORY_POST_HINTS: dict[str, list[str]] = {
    Category.POLICY: ["政策宣传", "政策咨询"],
    Category.PROCEDURE: ["便民服务", "政策咨询"],
    Category.ENVIRONMENT: ["环境卫生", "环境整治"],
    Category.PROPERTY: ["维修", "便民服务"],
    Category.NEIGHBOUR: ["矛盾调解", "法律咨询"],
    Category.SECURITY: ["治安巡逻", "消防"],
    Category.ASSISTANCE: ["困难帮扶", "社会救助"],
    Category.ELDERLY: ["关爱老人", "助残"],
    Category.EMPLOYMENT: ["就业指导"],
    Category.CADRE: [],
    Category.OTHER: [],
}


def _on_duty_members(case: Case) -> list[Suggestion]:
    """In-service members on duty at the matching post, suggested first: volunteering's claims and rosters
    (`volunteering.selectors.on_duty_for_case`, rows of (user_id, name, reason)); cases builds on
    volunteering, so it asks directly."""
    rows = on_duty_for_case(
        community_id=case.community_id,
        building_id=case.building_id,
        category=case.category,
        post_hints=CATEGORY_POST_HINTS.get(case.category, []),
        on=timezone.localdate(),
    )
    return [Suggestion(user_id=u, name=n, kind=AssigneeKind.MEMBER, reason=r) for u, n, r in rows]


def suggest_assignees(case: Case, *, limit: int = 10) -> list[Suggestion]:
    """People who could take the case, best first: on-duty members at the matching post (volunteering), members
    whose responsibility zone covers the building, the officer of the compound, other officers, staff."""
    found: list[Suggestion] = list(_on_duty_members(case))
    if case.building_id:
        zone_members = (
            ZoneAssignment.objects.filter(
                zone__community_id=case.community_id,
                zone__buildings=case.building_id,
                person__user__isnull=False,
            )
            .order_by("pk")
            .values_list("person__user_id", "person__name", "zone__name")
        )
        for user_id, name, zone_name in zone_members:
            found.append(Suggestion(user_id, name, AssigneeKind.MEMBER, f"责任区：{zone_name}"))
    compound_id = case.building.compound_id if case.building is not None else None
    officers = (
        InformationOfficer.objects.filter(
            community_id=case.community_id, status=OfficerStatus.ACTIVE, person__user__isnull=False
        )
        .select_related("person", "compound")
        .order_by("pk")
    )
    # the compound's own officer first
    for officer in sorted(
        officers, key=lambda o: (compound_id is None or o.compound_id != compound_id, o.pk)
    ):
        reason = (
            f"负责楼院：{officer.compound.name}"
            if compound_id and officer.compound_id == compound_id
            else "本社区信息员"
        )
        found.append(Suggestion(officer.person.user_id, officer.person.name, AssigneeKind.OFFICER, reason))
    staff = (
        RoleAssignment.objects.filter(community_id=case.community_id, role__in=MANAGING_ROLES)
        .select_related("user")
        .order_by("pk")
    )
    for ra in staff:
        found.append(Suggestion(ra.user_id, ra.user.display_name, AssigneeKind.STAFF, ra.get_role_display()))
    seen, unique = set(), []
    for s in found:
        if s.user_id not in seen:
            seen.add(s.user_id)
            unique.append(s)
    return unique[:limit]


def _bigrams(text: str) -> set[str]:
    text = "".join(ch for ch in (text or "") if ch.isalnum())
    return {text[i : i + 2] for i in range(len(text) - 1)} or ({text} if text else set())


def similarity(a: str, b: str) -> float:
    """Jaccard similarity of character bigrams — works for Chinese text without a tokenizer."""
    x, y = _bigrams(a), _bigrams(b)
    return len(x & y) / len(x | y) if x and y else 0.0


def likely_duplicates(case: Case, *, limit: int = 10, days: int = 90, threshold: float = 0.35) -> list[dict]:
    """Cases of the same community that look like the same issue: same building and category weigh in,
    text similarity decides. Candidates are the last `days` days, at most 300, scored in Python."""
    since = case.received_at - dt.timedelta(days=days)
    candidates = (
        Case.objects.filter(community_id=case.community_id, received_at__gte=since)
        .exclude(pk=case.pk)
        .exclude(state=CaseState.CLOSED)
        .filter(Q(building_id=case.building_id) | Q(category=case.category) | Q(building__isnull=True))
        .only("pk", "tracking_no", "content", "building_id", "category", "state", "group_id", "received_at")
        .order_by("-received_at")[:300]
    )
    scored = []
    for other in candidates:
        score = similarity(case.content, other.content)
        if case.building_id and other.building_id == case.building_id:
            score += 0.2
        if other.category == case.category:
            score += 0.1
        if score >= threshold:
            scored.append({"case": other, "score": round(min(score, 1.0), 2)})
    scored.sort(key=lambda d: -d["score"])
    return scored[:limit]


# --------------------------------------------------------------------------------------- supervision


def missed_openings(community_ids, *, on: dt.date | None = None) -> list[Mailbox]:
    """Active mailboxes with no opening logged on `on` (default: the previous working day)."""
    if on is None:
        on = workdays.previous_working_day(timezone.localdate())
    opened = MailboxOpening.objects.filter(opened_on=on).values("mailbox_id")
    return list(
        Mailbox.objects.filter(community_id__in=community_ids, active=True)
        .filter(Q(installed_on__isnull=True) | Q(installed_on__lte=on))
        .exclude(pk__in=opened)
        .select_related("community", "keeper")
        .order_by("community_id", "location")
    )


def overdue_cases(qs, *, today: dt.date | None = None):
    return case_queryset_for_list(qs.overdue(today or timezone.localdate())).order_by("due_on", "pk")


def my_work(user) -> dict:
    """The assignee's phone list: open cases assigned to them, and home visits they have agreed."""
    mine = Case.objects.filter(assignee=user).select_related("community", "building")
    return {
        "open": list(mine.filter(state__in=OPEN_STATES).order_by("due_on", "pk")),
        "visits": list(
            mine.filter(state__in=[CaseState.RESOLVED, CaseState.REFERRED], visit_at__isnull=False).order_by(
                "visit_at"
            )
        ),
        "answered": list(mine.filter(state__in=ANSWERED_STATES).order_by("-updated_at")[:20]),
    }


def public_schedule(*, today: dt.date | None = None, community_ids=None):
    """Published reception days from the start of this month on (the rota is public in advance)."""
    today = today or timezone.localdate()
    qs = ReceptionDay.objects.filter(published=True, nominal_date__gte=today.replace(day=1)).select_related(
        "community"
    )
    if community_ids is not None:
        qs = qs.filter(community_id__in=community_ids)
    return qs.order_by("held_on", "community_id", "kind", "pk")


def calendar_warning_for(case: Case) -> str | None:
    """The visible warning when the year of the case's deadline (or receipt) has only a guessed calendar."""
    year = (case.due_on or timezone.localtime(case.received_at).date()).year
    return workdays.calendar_warning(year, town=case.community.town_id)


def public_timeline(case: Case) -> list[dict]:
    """What the resident sees: the state labels and dates, no names."""
    return [
        {"at": e.at, "state": CaseState(e.to_state).label, "action": e.action}
        for e in case.events.all()
        if e.from_state != e.to_state
    ]


def public_disclosure(community) -> dict:
    """七公开, the published time limits per handling type, and the announcements of one community."""
    from .models import (
        DEFAULT_LIMITS,
        Announcement,
        Disclosure,
        DisclosureKind,
        HandlingTimeLimit,
        HandlingType,
    )

    bodies = dict(Disclosure.objects.filter(community=community).values_list("kind", "body"))
    limits = {r.handling_type: r for r in HandlingTimeLimit.objects.filter(community=community)}
    return {
        "community": community.name,
        "disclosures": [
            {"kind": k.value, "label": k.label, "body": bodies.get(k.value, "")} for k in DisclosureKind
        ],
        "time_limits": [
            {
                "handling_type": t.value,
                "label": t.label,
                "working_days": limits[t].working_days if t in limits else DEFAULT_LIMITS[t],
                "description": limits[t].description if t in limits else "",
            }
            for t in HandlingType
        ],
        "announcements": [
            {
                "category": a.get_category_display(),
                "title": a.title,
                "body": a.body,
                "published_on": a.published_on,
            }
            for a in Announcement.objects.filter(community=community).order_by("-published_on", "-pk")[:50]
        ],
    }
