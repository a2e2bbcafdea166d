"""The yearly requirement: the community's policy, per-member counts of the Shanghai calendar year,
who is behind by employer, and star levels by cumulative hours."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from members.models import Community, Registration, RegistrationStatus

from .. import periods
from ..models import (
    RecordStatus,
    RequirementPolicy,
    ServiceRecord,
)

# Star levels by cumulative recorded hours (national and Beijing practice): 1★ 100 h … 5★ 1500 h.
STAR_LEVELS = [(1500, 5), (1000, 4), (600, 3), (300, 2), (100, 1)]


def star_level(hours: float) -> int:
    return next((stars for threshold, stars in STAR_LEVELS if hours >= threshold), 0)


def hours_of(minutes: int | None) -> Decimal:
    return (Decimal(minutes or 0) / 60).quantize(Decimal("0.1"))


# ---------------------------------------------------------------------------------------------- policy


def policy_for(community: Community | int) -> RequirementPolicy:
    """The community's requirement, or the manual's default (min 1 item, target 2) when none is set."""
    community_id = community if isinstance(community, int) else community.pk
    policy = RequirementPolicy.objects.filter(community_id=community_id).first()
    return policy or RequirementPolicy(community_id=community_id)


def requirement_text(policy: RequirementPolicy) -> str:
    parts = []
    if policy.min_items:
        parts.append(f"至少 {policy.min_items} 项（目标 {policy.target_items} 项）")
    if policy.min_hours:
        parts.append(f"至少 {policy.min_hours} 小时（目标 {policy.target_hours} 小时）")
    return "且".join(parts)


# ---------------------------------------------------------------------------------- yearly requirement


@dataclass
class RequirementRow:
    person_id: int
    name: str
    user_id: int | None
    email: str
    community_id: int
    employer_id: int | None
    employer_name: str
    registered_on: dt.date | None
    items: int
    minutes: int
    policy: RequirementPolicy

    @property
    def hours(self) -> Decimal:
        return hours_of(self.minutes)

    @property
    def behind(self) -> bool:
        p = self.policy
        return self.items < p.min_items or self.hours < p.min_hours

    @property
    def met_target(self) -> bool:
        p = self.policy
        return self.items >= p.target_items and self.hours >= p.target_hours

    @property
    def status(self) -> str:
        return "behind" if self.behind else ("target" if self.met_target else "met")

    @property
    def status_label(self) -> str:
        return {"behind": "未达标", "met": "已达标", "target": "达到目标"}[self.status]

    @property
    def requirement_text(self) -> str:
        return requirement_text(self.policy)


def _records_in_year(year: int) -> QuerySet:
    start, end = periods.year_bounds(year)
    return ServiceRecord.objects.filter(
        status=RecordStatus.APPROVED, started_at__gte=start, started_at__lt=end
    )


def requirement_rows(*, community_ids: Iterable[int], year: int) -> list[RequirementRow]:
    """Every in-service member registered (confirmed) in these communities, with the approved service items
    and hours of the calendar year (Asia/Shanghai), against their community's policy. Ordered by employer.

    Items count once each however long; only approved records count (pending self-reports do not).
    """
    community_ids = list(community_ids)
    policies = {p.community_id: p for p in RequirementPolicy.objects.filter(community_id__in=community_ids)}
    records = _records_in_year(year).filter(person_id=OuterRef("person_id")).values("person_id")
    regs = (
        Registration.objects.filter(community_id__in=community_ids, status=RegistrationStatus.CONFIRMED)
        .select_related("person__membership__employer", "person__user")
        .annotate(
            items_done=Coalesce(
                Subquery(records.annotate(n=Count("item_id", distinct=True)).values("n")[:1]), 0
            ),
            minutes_done=Coalesce(Subquery(records.annotate(m=Sum("minutes")).values("m")[:1]), 0),
        )
    )
    rows = []
    for reg in regs:
        person = reg.person
        membership = getattr(person, "membership", None)
        employer = membership.employer if membership else None
        rows.append(
            RequirementRow(
                person_id=person.pk,
                name=person.name,
                user_id=person.user_id,
                email=person.user.email if person.user_id else "",
                community_id=reg.community_id,
                employer_id=employer.pk if employer else None,
                employer_name=employer.name if employer else "（无单位）",
                registered_on=timezone.localtime(reg.decided_at).date() if reg.decided_at else None,
                items=reg.items_done,
                minutes=reg.minutes_done,
                policy=policies.get(reg.community_id) or RequirementPolicy(community_id=reg.community_id),
            )
        )
    rows.sort(key=lambda r: (r.employer_name, r.name, r.person_id))
    return rows


@dataclass
class EmployerGroup:
    employer_id: int | None
    employer_name: str
    rows: list[RequirementRow] = field(default_factory=list)

    @property
    def behind(self) -> int:
        return sum(r.behind for r in self.rows)


def requirement_by_employer(rows: list[RequirementRow], *, only_behind: bool = False) -> list[EmployerGroup]:
    groups: dict[int | None, EmployerGroup] = {}
    for row in rows:
        if only_behind and not row.behind:
            continue
        groups.setdefault(row.employer_id, EmployerGroup(row.employer_id, row.employer_name)).rows.append(row)
    return sorted(groups.values(), key=lambda g: (-g.behind, g.employer_name))


def member_progress(person_id: int, community_id: int, year: int) -> dict:
    records = _records_in_year(year).filter(person_id=person_id)
    totals = records.aggregate(items=Count("item_id", distinct=True), minutes=Sum("minutes"))
    policy = policy_for(community_id)
    row = RequirementRow(
        person_id,
        "",
        None,
        "",
        community_id,
        None,
        "",
        None,
        totals["items"] or 0,
        totals["minutes"] or 0,
        policy,
    )
    target = max(policy.target_items, 1)
    return {
        "items": row.items,
        "hours": row.hours,
        "policy": policy,
        "behind": row.behind,
        "met_target": row.met_target,
        "status_label": row.status_label,
        "requirement_text": row.requirement_text,
        "percent": min(100, round(100 * row.items / target))
        if policy.target_items
        else min(100, round(100 * float(row.hours) / float(policy.target_hours or 1))),
    }
