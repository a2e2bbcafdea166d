"""The activity ledger (活动台账) of one member and year, and who may open it."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum

from members.models import Community, Person, Registration, RegistrationStatus
from members.roles import scope_for

from .. import access, periods
from ..ledger import LedgerSection, provided_sections
from ..models import (
    ConductNote,
    Pairing,
    PostClaim,
    RecordStatus,
    ServiceItem,
    ServiceRecord,
    SignUp,
    SignUpStatus,
    TeamMember,
)
from .requirement import (
    hours_of,
    member_progress,
    star_level,
)

# --------------------------------------------------------------------------------------------- ledger


def ledger_subjects(user) -> QuerySet:
    """People whose ledger the user may open: everyone registered or living in a community the user's
    office or town reads, and the member themself. Employer liaisons: none (for now)."""
    scope = scope_for(user)
    if not scope.is_authenticated:
        return Person.objects.none()
    if scope.is_superuser:
        return Person.objects.all()
    managed = scope.managed_community_ids
    q = Q(community_id__in=managed) | Q(
        pk__in=Registration.objects.filter(community_id__in=managed).values("person_id")
    )
    if scope.person_id:
        q |= Q(pk=scope.person_id)
    return Person.objects.filter(q)


@dataclass
class LedgerEntry:
    item: ServiceItem
    signup: SignUp | None = None
    record: ServiceRecord | None = None

    @property
    def counts(self) -> bool:
        return self.record is not None and self.record.status == RecordStatus.APPROVED


@dataclass
class Ledger:
    person: Person
    year: int
    community: Community
    registration: Registration | None
    claims: list[PostClaim]
    team_joined_on: dt.date | None
    entries: list[LedgerEntry]
    items_done: int
    minutes_done: int
    cumulative_minutes: int
    progress: dict
    pairings: list[Pairing]
    sections: list[LedgerSection]
    conduct_notes: (
        list[ConductNote] | None
    )  # None: the viewer may not see them (not even that there are none)

    @property
    def hours_done(self) -> Decimal:
        return hours_of(self.minutes_done)

    @property
    def cumulative_hours(self) -> Decimal:
        return hours_of(self.cumulative_minutes)

    @property
    def stars(self) -> int:
        return star_level(float(self.cumulative_hours))


def member_ledger(
    *, person: Person, year: int, viewer, extra_sections: Iterable[LedgerSection] | None = None
) -> Ledger:
    """活动台账 of one member for one calendar year.

    `extra_sections` and the providers registered in `volunteering.ledger` (e.g. cases handled, from the
    cases app) are appended after the volunteering sections. Conduct notes (八小时以外) are included only
    for the community's own office.
    """
    start, end = periods.year_bounds(year)
    registrations = list(
        Registration.objects.filter(person=person)
        .select_related("community")
        .order_by("-submitted_at", "-pk")
    )
    # the confirmed registration if there is one, else the newest
    registration = next(
        (r for r in registrations if r.status == RegistrationStatus.CONFIRMED),
        registrations[0] if registrations else None,
    )
    community = registration.community if registration else person.community
    claims = list(
        PostClaim.objects.filter(person=person, year=year)
        .select_related("post", "person")
        .order_by("created_at")
    )
    team = (
        TeamMember.objects.filter(person=person, community=community)
        .values_list("joined_on", flat=True)
        .first()
    )
    signups = {
        s.item_id: s
        for s in SignUp.objects.filter(person=person, item__starts_at__gte=start, item__starts_at__lt=end)
        .exclude(status=SignUpStatus.CANCELLED)
        .select_related("item", "item__post", "item__programme")
    }
    records: dict[int, ServiceRecord] = {}
    for record in (
        ServiceRecord.objects.filter(person=person, started_at__gte=start, started_at__lt=end)
        .select_related("item", "item__post", "item__programme", "person", "recorded_by", "approved_by")
        .order_by("recorded_at")
    ):
        current = records.get(record.item_id)
        # one line per item: the live record wins over rejected/cancelled ones
        if current is None or record.status in (RecordStatus.APPROVED, RecordStatus.PENDING):
            records[record.item_id] = record
    entries = [
        LedgerEntry(
            item=signups[i].item if i in signups else records[i].item,
            signup=signups.get(i),
            record=records.get(i),
        )
        for i in set(signups) | set(records)
    ]
    entries.sort(key=lambda e: (e.item.starts_at, e.item.pk))
    approved = [e.record for e in entries if e.record is not None and e.counts]
    cumulative = (
        ServiceRecord.objects.filter(person=person, status=RecordStatus.APPROVED).aggregate(m=Sum("minutes"))[
            "m"
        ]
        or 0
    )
    pairings = list(
        Pairing.objects.filter(person=person, started_on__lt=dt.date(year + 1, 1, 1))
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=dt.date(year, 1, 1)))
        .select_related("programme")
    )
    office_ids = access.office_community_ids(viewer)
    if office_ids is None or community.pk in office_ids:
        notes = ConductNote.objects.filter(person=person, noted_on__year=year).select_related("recorded_by")
        if office_ids is not None:
            notes = notes.filter(community_id__in=office_ids)
        conduct_notes = list(notes.order_by("noted_on", "pk"))
    else:
        conduct_notes = None
    sections = provided_sections(person=person, year=year, viewer=viewer) + list(extra_sections or [])
    sections.sort(key=lambda s: s.order)
    return Ledger(
        person=person,
        year=year,
        community=community,
        registration=registration,
        claims=claims,
        team_joined_on=team,
        entries=entries,
        items_done=len({r.item_id for r in approved}),
        minutes_done=sum(r.minutes for r in approved),
        cumulative_minutes=cumulative,
        progress=member_progress(person.pk, community.pk, year),
        pairings=pairings,
        sections=sections,
        conduct_notes=conduct_notes,
    )
