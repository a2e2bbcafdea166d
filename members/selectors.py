"""Reads that are more than a filter: the secretary's at-a-glance figures, vacancies, the unregistered, and
searching people by name or number."""

from dataclasses import dataclass, field

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


# ------------------------------------------------------------------------------------------ home pages


def community_home_figures(*, community_ids, today) -> dict:
    """报到待确认, 在职党员未报到 and 信息员缺额 of each community, in one query (members.home)."""
    from django.db.models import IntegerField
    from django.db.models.functions import Coalesce

    from .home import Figure

    def per_community(queryset):
        counted = (
            queryset.filter(community=OuterRef("pk")).order_by().values("community").annotate(n=Count("pk"))
        )
        return Coalesce(Subquery(counted.values("n"), output_field=IntegerField()), 0)

    rows = Community.objects.filter(pk__in=community_ids).annotate(
        waiting_n=per_community(Registration.objects.filter(status=RegistrationStatus.SUBMITTED)),
        unregistered_n=per_community(unregistered_in_service(Person.objects.all())),
        officers_n=per_community(InformationOfficer.objects.filter(status=OfficerStatus.ACTIVE)),
    )
    result = {}
    for c in rows.values("pk", "waiting_n", "unregistered_n", "officers_n", "officer_quota"):
        cid = c["pk"]
        result[cid] = [
            Figure(
                "registrations_waiting",
                "报到待确认",
                c["waiting_n"],
                "members:registrations",
                {"tab": "waiting", "community": cid},
                alert=True,
                order=10,
            ),
            Figure(
                "unregistered",
                "在职党员未报到",
                c["unregistered_n"],
                "members:registrations",
                {"tab": "unregistered", "community": cid},
                alert=True,
                order=11,
            ),
            Figure(
                "officer_vacancies",
                "信息员缺额",
                max(c["officer_quota"] - c["officers_n"], 0),
                "members:officers",
                {"community": cid},
                alert=True,
                order=40,
            ),
        ]
    return result


def notices_section(*, user, scope, person, today):
    """未读通知: how many of the user's notifications are unread (shared with the bell), and the latest three."""
    from core.models import Notification
    from core.notifications import request_unread_count

    from .home import HomeSection

    count = request_unread_count(user)  # the bell's count: one query for both
    if not count:
        return None
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    latest = list(unread.order_by("-created_at", "-pk").values("title", "url", "created_at")[:3])
    return HomeSection(
        "notices", "未读通知", "members/home/_notices.html", {"unread": count, "latest": latest}, order=5
    )


# ---------------------------------------------------------------------------------- roster import problems


@dataclass
class ProblemGroup:
    """One kind of problem (same column, same message) and the rows that have it."""

    column: str
    message: str
    rows: list[int] = field(default_factory=list)
    other_community: str = ""

    @property
    def row_count(self) -> int:
        return len(self.rows)

    @property
    def rows_text(self) -> str:
        """The first rows it happens on: "第 6、10、14 行" (and "等" when there are more)."""
        shown = "、".join(str(r) for r in self.rows[:12])
        return f"第 {shown} 行{'等' if len(self.rows) > 12 else ''}" if self.rows else ""


def group_problems(errors: list[dict]) -> list[ProblemGroup]:
    """Identical problems together, the most frequent first: one line per (column, message)."""
    groups: dict[tuple[str, str], ProblemGroup] = {}
    for e in errors or []:
        key = (str(e.get("column") or ""), str(e.get("message") or ""))
        group = groups.setdefault(key, ProblemGroup(*key))
        if e.get("row") and e["row"] not in group.rows:
            group.rows.append(e["row"])
        if e.get("other_community"):
            group.other_community = "other"
    for group in groups.values():
        group.rows.sort()
    return sorted(groups.values(), key=lambda g: (-g.row_count, g.column, g.message))
