"""Roles and the one scoping mechanism every API view, page and admin list uses.

A user's roles are rows of RoleAssignment, each tied to the organisation it applies to (a town, a
community or an employer). `scope_for(user)` reads them once per request into a `Scope`, and each
model's queryset has `visible_to(user)` built on it. Views never filter by tenant by hand.
"""

from dataclasses import dataclass, field

from django.db import models


class Role(models.TextChoices):
    TOWN_SUPERVISOR = "town_supervisor", "镇管理/督查"
    SECRETARY = "secretary", "社区党总支书记"
    STAFF = "staff", "社区工作人员"
    OFFICE_DIRECTOR = "office_director", "社区办公室主任"
    OFFICER = "officer", "民情信息员"
    MEMBER = "member", "在职党员"
    EMPLOYER_LIAISON = "employer_liaison", "单位党组织联络人"
    DEPUTY = "deputy", "两代表一委员"


TOWN_ROLES = {Role.TOWN_SUPERVISOR}
COMMUNITY_ROLES = {Role.SECRETARY, Role.STAFF, Role.OFFICE_DIRECTOR, Role.OFFICER, Role.MEMBER, Role.DEPUTY}
EMPLOYER_ROLES = {Role.EMPLOYER_LIAISON}
# Roles that run a community's office: keep the roster, confirm registrations, appoint officers, route cases.
MANAGING_ROLES = {Role.SECRETARY, Role.STAFF, Role.OFFICE_DIRECTOR}
# Roles that answer for a community's roster and so see its phone and ID numbers in full (members.privacy).
FULL_DATA_ROLES = {Role.SECRETARY, Role.OFFICE_DIRECTOR}
# Roles that run an office (a community's, or a town's): a second factor may be required of them, by the
# platform (REQUIRE_2FA_FOR_STAFF) or by their town (Town.require_2fa_for_staff); see core.security.
SECOND_FACTOR_ROLES = MANAGING_ROLES | {Role.TOWN_SUPERVISOR}


@dataclass(frozen=True)
class Scope:
    user_id: int | None = None
    is_superuser: bool = False
    town_ids: frozenset = field(default_factory=frozenset)
    # communities whose office this user runs (own managing roles + every community of a supervised town)
    managed_community_ids: frozenset = field(default_factory=frozenset)
    # of those, the communities where the user holds a managing role itself (not derived from a town): for
    # the writes a town supervisor reads but does not make (volunteering.access)
    office_community_ids: frozenset = field(default_factory=frozenset)
    # communities where this user holds any role at all (officer, member, deputy included)
    community_ids: frozenset = field(default_factory=frozenset)
    officer_community_ids: frozenset = field(default_factory=frozenset)
    deputy_community_ids: frozenset = field(default_factory=frozenset)
    employer_ids: frozenset = field(default_factory=frozenset)
    roles: frozenset = field(default_factory=frozenset)
    person_id: int | None = None
    # communities whose phone and ID numbers this user sees in full by role (members.privacy)
    full_data_community_ids: frozenset = field(default_factory=frozenset)
    # a town where this user holds a SECOND_FACTOR_ROLES role (its supervisor, or the office of one of its
    # communities) requires a second factor of its office accounts (Town.require_2fa_for_staff)
    town_requires_second_factor: bool = False

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None

    # --- The office policy, named once (members/permissions.py wraps these for services and views) ---
    # Who runs a community's office: its secretary, staff and office director (MANAGING_ROLES held in the
    # community itself). A town supervisor *oversees* every community of the town: reads all of it, and acts
    # where the manual gives the town a hand (the roster the town keeps, the 民情 pipeline that its complaint-
    # supervision office follows up, the calendar); the branch's own party-building work (posts, items,
    # hours, programmes, conduct notes) is the community office's alone.

    def manages(self, community_id: int | None) -> bool:
        """Oversees the community: its own office, or a supervisor of its town (or a superuser)."""
        return self.is_superuser or community_id in self.managed_community_ids

    def runs_office(self, community_id: int | None) -> bool:
        """Holds a managing role in the community itself (or is a superuser): the branch's own business."""
        return self.is_superuser or community_id in self.office_community_ids

    @property
    def is_office_anywhere(self) -> bool:
        """Oversees at least one community (any office page or list makes sense for this user)."""
        return self.is_superuser or bool(self.managed_community_ids)

    def supervises_town(self, town_id: int | None) -> bool:
        return self.is_superuser or town_id in self.town_ids


ANONYMOUS_SCOPE = Scope()


def scope_for(user) -> Scope:
    """The user's scope, computed once and cached on the user object for the request."""
    if user is None or not user.is_authenticated:
        return ANONYMOUS_SCOPE
    cached = getattr(user, "_minqing_scope", None)
    if cached is not None:
        return cached
    from .models import Community, Person, RoleAssignment

    rows = list(
        RoleAssignment.objects.filter(user=user).values_list(
            "role",
            "town_id",
            "community_id",
            "employer_id",
            # joined into the same query: the town of the role (a town role's own, a community role's
            # community's) and whether it requires a second factor
            "town__require_2fa_for_staff",
            "community__town__require_2fa_for_staff",
        )
    )
    assignments = [row[:4] for row in rows]
    town_ids = {t for role, t, _, _ in assignments if role in TOWN_ROLES and t}
    office = {c for role, _, c, _ in assignments if role in MANAGING_ROLES and c}
    managed = set(office)
    if town_ids:
        managed |= set(Community.objects.filter(town_id__in=town_ids).values_list("pk", flat=True))
    person_id = Person.objects.filter(user=user).values_list("pk", flat=True).first()
    scope = Scope(
        user_id=user.pk,
        is_superuser=user.is_superuser,
        town_ids=frozenset(town_ids),
        managed_community_ids=frozenset(managed),
        office_community_ids=frozenset(office),
        community_ids=frozenset(managed | {c for _, _, c, _ in assignments if c}),
        officer_community_ids=frozenset(c for role, _, c, _ in assignments if role == Role.OFFICER and c),
        deputy_community_ids=frozenset(c for role, _, c, _ in assignments if role == Role.DEPUTY and c),
        employer_ids=frozenset(e for role, _, _, e in assignments if role in EMPLOYER_ROLES and e),
        roles=frozenset(role for role, *_ in assignments),
        person_id=person_id,
        full_data_community_ids=frozenset(
            c for role, _, c, _ in assignments if role in FULL_DATA_ROLES and c
        ),
        town_requires_second_factor=any(
            role in SECOND_FACTOR_ROLES and (town_requires or community_town_requires)
            for role, _, _, _, town_requires, community_town_requires in rows
        ),
    )
    user._minqing_scope = scope
    return scope


def forget_scope(user) -> None:
    if hasattr(user, "_minqing_scope"):
        del user._minqing_scope
