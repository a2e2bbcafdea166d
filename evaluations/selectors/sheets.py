"""What a feedback sheet (反馈单) says, computed from the activity ledger — never typed — and the lists the
secretary, the town and the liaisons read.

The evaluation result (民主评议) comes from the appraisal half of this app through ONE adapter,
`_evaluation_results`; the sheet shows "尚未评议" for a member without a result.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple

from django.db.models import Count, Min, Q, QuerySet, Sum
from django.utils import timezone

from members.models import (
    Community,
    MemberCategory,
    Person,
    Registration,
    RegistrationStatus,
    ZoneAssignment,
)
from volunteering import periods
from volunteering.models import (
    ClaimStatus,
    PostClaim,
    RecordStatus,
    RequirementPolicy,
    ServiceRecord,
    TeamMember,
)
from volunteering.selectors import hours_of, requirement_text, star_level
from volunteering.selectors.requirement import RequirementRow

from ..models import FeedbackSheet, SheetState
from .appraisal import results_for

CHUNK = 200  # members per transaction and per progress update in a batch


def _evaluation_results(community_id: int, year: int, person_ids: list[int] | None = None) -> dict:
    """person_id → AppraisalResult of the year's 民主评议 in the community (evaluations.selectors.appraisal),
    for these members only when `person_ids` is given."""
    return results_for(community_id=community_id, year=year, person_ids=person_ids)


def evaluation_for(result) -> dict | None:
    """The JSON-ready part of an AppraisalResult the sheet carries (never a ballot's comment)."""
    if result is None:
        return None
    counts = getattr(result, "counts", {}) or {}
    return {
        "grade": getattr(result, "grade", "") or "",
        "grade_label": getattr(result, "grade_label", "") or "",
        # the tally counts by panel group (EvaluatorGroup: resident_rep, member_rep); the sheet by its two
        # printed groups (居民群众代表, 党员代表)
        "counts": {
            "resident": {
                str(k): int(v)
                for k, v in (counts.get("resident_rep") or counts.get("resident") or {}).items()
            },
            "member": {
                str(k): int(v) for k, v in (counts.get("member_rep") or counts.get("member") or {}).items()
            },
        },
        "excellent": bool(getattr(result, "excellent", False)),
        "excellent_reason": getattr(result, "excellent_reason", "") or "",
    }


def _day(moment, tz=None) -> str:
    return f"{moment.astimezone(tz or timezone.get_current_timezone()):%Y-%m-%d}" if moment else ""


class _Record(NamedTuple):
    """The columns of a ServiceRecord the sheet prints (read as tuples: a chunk builds no model objects)."""

    person_id: int
    item_id: int
    status: str
    started_at: dt.datetime
    minutes: int
    item__title: str
    item__starts_at: dt.datetime


def _live_records(records) -> dict:
    """item id → the record the ledger shows for it: the live one (approved or pending) wins over rejected
    and cancelled ones (records in order of recording), as `volunteering.selectors.member_ledger`."""
    chosen: dict = {}
    for record in records:
        current = chosen.get(record.item_id)
        if current is None or record.status in (RecordStatus.APPROVED, RecordStatus.PENDING):
            chosen[record.item_id] = record
    return chosen


@dataclass
class SheetContext:
    """Everything the sheets of a group of members say, read with a constant number of queries whatever
    the number of members (a batch reads one chunk at a time, so memory stays flat). `content(person)`
    then builds one sheet without a query. The rules are the activity ledger's
    (`volunteering.selectors.member_ledger`; tests/evaluations/test_sheet_content_sets.py holds the two
    to the same answer)."""

    year: int
    registrations: dict  # person id → the registration the ledger uses (confirmed, else the newest)
    communities: dict  # community id → Community
    policies: dict  # community id → RequirementPolicy (saved or the default)
    zones: dict  # (person id, community id) → [zone names]
    posts: dict  # person id → [approved post names of the year]
    team: dict  # (person id, community id) → joined_on
    records: dict  # person id → {item id: the record shown}
    year_totals: dict  # person id → (items, minutes): every approved record of the year
    cumulative: dict  # person id → approved minutes, all years
    cases: dict  # user id → LedgerSection

    @classmethod
    def load(cls, *, people: list[Person], year: int, viewer) -> SheetContext:
        from cases.ledger import cases_sections

        ids = [p.pk for p in people]
        start, end = periods.year_bounds(year)
        registrations: dict = {}
        for reg in Registration.objects.filter(person_id__in=ids).order_by(
            "person_id", "-submitted_at", "-pk"
        ):
            chosen = registrations.get(reg.person_id)
            if chosen is None or (
                reg.status == RegistrationStatus.CONFIRMED and chosen.status != RegistrationStatus.CONFIRMED
            ):
                registrations[reg.person_id] = reg
        community_ids = {r.community_id for r in registrations.values()} | {
            p.community_id for p in people if p.pk not in registrations
        }
        communities = Community.objects.in_bulk(community_ids)
        saved = {p.community_id: p for p in RequirementPolicy.objects.filter(community_id__in=community_ids)}
        policies = {c: saved.get(c) or RequirementPolicy(community_id=c) for c in community_ids}
        zones: dict = {}
        for person_id, community_id, name in (
            ZoneAssignment.objects.filter(person_id__in=ids)
            .order_by("zone__name")
            .values_list("person_id", "zone__community_id", "zone__name")
        ):
            zones.setdefault((person_id, community_id), []).append(name)
        posts: dict = {}
        for person_id, name in (
            PostClaim.objects.filter(person_id__in=ids, year=year, status=ClaimStatus.APPROVED)
            .order_by("created_at")
            .values_list("person_id", "post__name")
        ):
            posts.setdefault(person_id, []).append(name)
        team: dict = {}
        for person_id, community_id, joined_on in TeamMember.objects.filter(person_id__in=ids).values_list(
            "person_id", "community_id", "joined_on"
        ):
            team.setdefault((person_id, community_id), joined_on)
        by_person: dict = {}
        for row in (
            ServiceRecord.objects.filter(person_id__in=ids, started_at__gte=start, started_at__lt=end)
            .order_by("recorded_at")
            .values_list(*_Record._fields)
        ):
            record = _Record._make(row)
            by_person.setdefault(record.person_id, []).append(record)
        records = {person_id: _live_records(rows) for person_id, rows in by_person.items()}
        approved = ServiceRecord.objects.filter(person_id__in=ids, status=RecordStatus.APPROVED)
        year_totals = {
            row["person_id"]: (row["items"], row["minutes"] or 0)
            for row in approved.filter(started_at__gte=start, started_at__lt=end)
            .values("person_id")
            .annotate(items=Count("item_id", distinct=True), minutes=Sum("minutes"))
            .order_by()
        }
        cumulative = dict(
            approved.values("person_id").annotate(m=Sum("minutes")).values_list("person_id", "m").order_by()
        )
        return cls(
            year=year,
            registrations=registrations,
            communities=communities,
            policies=policies,
            zones=zones,
            posts=posts,
            team=team,
            records=records,
            year_totals=year_totals,
            cumulative=cumulative,
            cases=cases_sections(user_ids=[p.user_id for p in people if p.user_id], year=year, viewer=viewer),
        )

    def content(self, person: Person, *, evaluation: dict | None) -> dict:
        """One member's sheet (the JSON stored as `FeedbackSheet.content`); no query."""
        tz = timezone.get_current_timezone()
        registration = self.registrations.get(person.pk)
        community = self.communities[registration.community_id if registration else person.community_id]
        membership = getattr(person, "membership", None)
        employer = membership.employer if membership else None
        shown = sorted(
            (r for r in self.records.get(person.pk, {}).values() if r.status == RecordStatus.APPROVED),
            key=lambda r: (r.item__starts_at, r.item_id),
        )
        policy = self.policies[community.pk]
        items_year, minutes_year = self.year_totals.get(person.pk, (0, 0))
        progress = RequirementRow(
            person.pk, "", None, "", community.pk, None, "", None, items_year, minutes_year, policy
        )
        team_joined_on = self.team.get((person.pk, community.pk))
        cases = self.cases.get(person.user_id) if person.user_id else None
        cumulative_hours = hours_of(self.cumulative.get(person.pk) or 0)
        return {
            "person_name": person.name,
            "employer_name": employer.name if employer else "",
            "party_org_name": (employer.party_org_name or f"{employer.name}党组织") if employer else "",
            "community_name": community.name,
            "zones": self.zones.get((person.pk, community.pk), []),
            "registered_on": _day(registration.decided_at, tz)
            if registration and registration.status == RegistrationStatus.CONFIRMED
            else "",
            "posts": self.posts.get(person.pk, []),
            "team_joined_on": team_joined_on.isoformat() if team_joined_on else "",
            "items": [
                {"title": r.item__title, "date": _day(r.started_at, tz), "hours": str(hours_of(r.minutes))}
                for r in shown
            ],
            "required": {
                "min_items": policy.min_items,
                "target_items": policy.target_items,
                "min_hours": str(policy.min_hours),
                "target_hours": str(policy.target_hours),
                "text": requirement_text(policy),
            },
            "done": {
                "items": len({r.item_id for r in shown}),
                "hours": str(hours_of(sum(r.minutes for r in shown))),
                "status": progress.status_label,
                "behind": bool(progress.behind),
            },
            "cumulative_hours": str(cumulative_hours),
            "stars": star_level(float(cumulative_hours)),
            "cases": {
                "columns": list(cases.columns) if cases else [],
                "rows": [[str(v) for v in row] for row in cases.rows] if cases else [],
            },
            "evaluation": evaluation,
        }


def sheet_content(*, person: Person, year: int, viewer, evaluation: dict | None) -> dict:
    """The sheet's lines for one member and year, from the activity ledger's records (a SheetContext of one).

    Conduct notes (八小时以外) are branch-only and never read here. `viewer` decides which cases the cases
    section may list (the office's)."""
    return SheetContext.load(people=[person], year=year, viewer=viewer).content(person, evaluation=evaluation)


def members_for_sheets(community_id: int) -> QuerySet:
    """The in-service members with a confirmed registration in the community (the sheet's addressees),
    ordered by id so a batch can walk them in chunks and resume."""
    registered = Registration.objects.filter(
        community_id=community_id, status=RegistrationStatus.CONFIRMED
    ).values("person_id")
    return (
        Person.objects.filter(
            pk__in=registered,
            membership__category=MemberCategory.IN_SERVICE,
            membership__employer__isnull=False,
        )
        .select_related("membership__employer")
        .order_by("pk")
    )


def member_chunks(community_id: int, *, size: int = CHUNK) -> Iterator[list[Person]]:
    """The addressees in chunks of `size` by keyset (id > last): flat memory, whatever the community's size."""
    last = 0
    base = members_for_sheets(community_id)
    while True:
        chunk = list(base.filter(pk__gt=last)[:size])
        if not chunk:
            return
        yield chunk
        last = chunk[-1].pk


# ----------------------------------------------------------------------------------- acknowledgement


@dataclass
class EmployerAcknowledgement:
    community_id: int
    community_name: str
    employer_id: int
    employer_name: str
    year: int
    issued: int
    acknowledged: int
    first_issued_on: dt.date | None

    @property
    def waiting(self) -> int:
        return self.issued - self.acknowledged

    @property
    def complete(self) -> bool:
        return self.issued > 0 and self.waiting == 0


def acknowledgement_by_employer(sheets: QuerySet, *, year: int) -> list[EmployerAcknowledgement]:
    """Per community and employer: current sheets sent and acknowledged, employers still waiting first.
    One grouped query whatever the number of sheets."""
    rows = (
        sheets.filter(year=year, is_current=True, state__in=[SheetState.ISSUED, SheetState.ACKNOWLEDGED])
        .values("community_id", "community__name", "employer_id", "employer__name")
        .annotate(
            issued=Count("pk"),
            acknowledged=Count("pk", filter=Q(state=SheetState.ACKNOWLEDGED)),
            first_issued_on=Min("issued_on"),
        )
        .order_by("community__name", "employer__name")
    )
    result = [
        EmployerAcknowledgement(
            community_id=r["community_id"],
            community_name=r["community__name"],
            employer_id=r["employer_id"],
            employer_name=r["employer__name"],
            year=year,
            issued=r["issued"],
            acknowledged=r["acknowledged"],
            first_issued_on=r["first_issued_on"],
        )
        for r in rows
    ]
    result.sort(key=lambda a: (a.complete, a.community_name, a.employer_name))
    return result


def sheet_counts(sheets: QuerySet, *, year: int) -> dict:
    """Current sheets of the year by state (for the secretary's page header)."""
    counts = dict(
        sheets.filter(year=year, is_current=True).values_list("state").annotate(n=Count("pk")).order_by()
    )
    return {state: counts.get(state, 0) for state in SheetState.values if state != SheetState.SUPERSEDED}


def current_sheets(user, *, year: int | None = None) -> QuerySet:
    qs = FeedbackSheet.objects.visible_to(user).current().select_related("community", "employer", "person")
    return qs.filter(year=year) if year else qs
