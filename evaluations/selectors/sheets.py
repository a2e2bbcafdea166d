"""What a feedback sheet (反馈单) says, computed from the activity ledger — never typed — and the lists the
secretary, the town and the liaisons read.

The evaluation result (民主评议) comes from the appraisal half of this app through ONE adapter,
`_evaluation_results`; the sheet shows "尚未评议" for a member without a result.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone

from members.models import MemberCategory, Person, Registration, RegistrationStatus, ZoneAssignment
from volunteering.models import ClaimStatus
from volunteering.selectors import hours_of, member_ledger, requirement_text, star_level

from ..models import FeedbackSheet, SheetState
from .appraisal import results_for

CHUNK = 200  # members per transaction and per progress update in a batch


def _evaluation_results(community_id: int, year: int) -> dict:
    """person_id → AppraisalResult of the year's 民主评议 in the community (evaluations.selectors.appraisal)."""
    return results_for(community_id=community_id, year=year)


def evaluation_for(result) -> dict | None:
    """The JSON-ready part of an AppraisalResult the sheet carries (never a ballot's comment)."""
    if result is None:
        return None
    counts = getattr(result, "counts", {}) or {}
    return {
        "grade": getattr(result, "grade", "") or "",
        "grade_label": getattr(result, "grade_label", "") or "",
        "counts": {
            "resident": {str(k): int(v) for k, v in (counts.get("resident") or {}).items()},
            "member": {str(k): int(v) for k, v in (counts.get("member") or {}).items()},
        },
        "excellent": bool(getattr(result, "excellent", False)),
        "excellent_reason": getattr(result, "excellent_reason", "") or "",
    }


def _day(moment) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d}" if moment else ""


def sheet_content(*, person: Person, year: int, viewer, evaluation: dict | None) -> dict:
    """The sheet's lines for one member and year, from `volunteering.selectors.member_ledger`.

    Conduct notes (八小时以外) are branch-only: the ledger may carry them for an office viewer, and this
    function never reads them. `viewer` decides which cases the cases section may list (the office's)."""
    ledger = member_ledger(person=person, year=year, viewer=viewer)
    membership = getattr(person, "membership", None)
    employer = membership.employer if membership else None
    registration = ledger.registration
    zones = list(
        ZoneAssignment.objects.filter(person=person, zone__community=ledger.community)
        .order_by("zone__name")
        .values_list("zone__name", flat=True)
    )
    items = [
        {
            "title": e.item.title,
            "date": _day(e.record.started_at),
            "hours": str(hours_of(e.record.minutes)),
        }
        for e in ledger.entries
        if e.record is not None and e.counts
    ]
    cases = next((s for s in ledger.sections if s.key == "cases"), None)
    policy = ledger.progress["policy"]
    return {
        "person_name": person.name,
        "employer_name": employer.name if employer else "",
        "party_org_name": (employer.party_org_name or f"{employer.name}党组织") if employer else "",
        "community_name": ledger.community.name,
        "zones": zones,
        "registered_on": _day(registration.decided_at)
        if registration and registration.status == RegistrationStatus.CONFIRMED
        else "",
        "posts": [c.post.name for c in ledger.claims if c.status == ClaimStatus.APPROVED],
        "team_joined_on": ledger.team_joined_on.isoformat() if ledger.team_joined_on else "",
        "items": items,
        "required": {
            "min_items": policy.min_items,
            "target_items": policy.target_items,
            "min_hours": str(policy.min_hours),
            "target_hours": str(policy.target_hours),
            "text": requirement_text(policy),
        },
        "done": {
            "items": ledger.items_done,
            "hours": str(ledger.hours_done),
            "status": ledger.progress["status_label"],
            "behind": bool(ledger.progress["behind"]),
        },
        "cumulative_hours": str(ledger.cumulative_hours),
        "stars": star_level(float(ledger.cumulative_hours)),
        "cases": {
            "columns": list(cases.columns) if cases else [],
            "rows": [[str(v) for v in row] for row in cases.rows] if cases else [],
        },
        "evaluation": evaluation,
    }


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
