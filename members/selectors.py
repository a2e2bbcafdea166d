"""Reads that are more than a filter: the secretary's at-a-glance figures, vacancies, the unregistered, and
searching people by name or number."""

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, Subquery

from . import privacy
from .models import (
    Community,
    InformationOfficer,
    MemberCategory,
    OfficerStatus,
    Person,
    Registration,
    RegistrationStatus,
)

PERSON_NUMBER_FIELDS = ("mobile", "id_number")


def person_search_q(user, term: str, *, prefix: str = "") -> Q:
    """A person whose name contains `term` (in every community of the user's scope), or whose phone or ID
    number does — only where `user` sees that person's numbers in full (members.privacy.number_search_q).
    `prefix` leads from the searched rows to the person, e.g. "person__" for registrations."""
    term = (term or "").strip()
    return Q(**{f"{prefix}name__icontains": term}) | privacy.number_search_q(
        user,
        term,
        fields=[f"{prefix}{name}" for name in PERSON_NUMBER_FIELDS],
        community_field=f"{prefix}community_id",
    )


def search_people(rows, user, q: str, *, prefix: str = ""):
    """`rows` narrowed to the people matching `q` (see person_search_q); `rows` unchanged for an empty q."""
    if not (q or "").strip():
        return rows
    return rows.filter(person_search_q(user, q, prefix=prefix))


def _active_registration():
    return Registration.objects.active().filter(person=OuterRef("pk"))


def with_registration_status(people):
    """`people` annotated with the status of their active registration (None when there is none)."""
    return people.annotate(registration_status=Subquery(_active_registration().values("status")[:1]))


def unregistered_in_service(people_qs):
    """In-service members (known from the roster/employer lists) with no active registration."""
    return people_qs.filter(membership__category=MemberCategory.IN_SERVICE).exclude(
        Exists(_active_registration())
    )


@dataclass(frozen=True)
class OfficerStrength:
    community_id: int
    community_name: str
    quota: int
    active: int

    @property
    def vacancies(self) -> int:
        return max(self.quota - self.active, 0)

    @property
    def short(self) -> bool:
        return self.vacancies > 0


def officer_strength(communities) -> list[OfficerStrength]:
    """Quota against active officers for each community, in one query."""
    rows = communities.annotate(
        active_officers=Count("officers", filter=Q(officers__status=OfficerStatus.ACTIVE))
    ).values_list("pk", "name", "officer_quota", "active_officers")
    return [OfficerStrength(*row) for row in rows]


def communities_short_of_officers(communities) -> list[OfficerStrength]:
    return [s for s in officer_strength(communities) if s.short]


def dashboard_counts(community_ids) -> dict:
    """The secretary's at-a-glance figures for the communities they manage."""
    people = Person.objects.filter(community_id__in=community_ids)
    in_service = people.filter(membership__category=MemberCategory.IN_SERVICE)
    strength = officer_strength(Community.objects.filter(pk__in=community_ids))
    return {
        "people": people.count(),
        "in_service": in_service.count(),
        "waiting": Registration.objects.filter(
            community_id__in=community_ids, status=RegistrationStatus.SUBMITTED
        ).count(),
        "confirmed": Registration.objects.filter(
            community_id__in=community_ids, status=RegistrationStatus.CONFIRMED
        ).count(),
        "unregistered": unregistered_in_service(people).count(),
        "officers": sum(s.active for s in strength),
        "officer_quota": sum(s.quota for s in strength),
        "vacancies": sum(s.vacancies for s in strength),
        "short_communities": [s for s in strength if s.short],
    }


def active_officers(community_ids):
    return InformationOfficer.objects.filter(community_id__in=community_ids, status=OfficerStatus.ACTIVE)
