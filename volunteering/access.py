"""Who may do what in volunteering, on top of `members.roles.scope_for`.

- The community's **office** (书记 / 工作人员 / 办公室主任 — `MANAGING_ROLES` held *in that community*)
  manages posts, items, approvals, programmes and the conduct notes.
- A **town supervisor** reads every community of the town (`scope.managed_community_ids`) but changes
  nothing here: `Scope.manages()` is true for the town too, so this module asks `Scope.office_community_ids`
  (the managing roles the user holds in the community itself).
- A **member** (`Role.MEMBER`, with a person and a confirmed registration in the community) acts for
  themself; officers and deputies of the community read its posts, items and programmes.
- **Employer liaisons** see nothing of volunteering (the evaluations app decides what they get).
"""

from members.models import Registration, RegistrationStatus
from members.roles import scope_for
from members.services import PermissionDenied


def office_community_ids(user) -> frozenset | None:
    """Communities whose office this user belongs to (`Scope.office_community_ids`: its own managing roles,
    not the communities of a supervised town); None for a superuser (every community)."""
    scope = scope_for(user)
    return None if scope.is_superuser else scope.office_community_ids


def participant_community_ids(scope) -> frozenset:
    """Communities whose posts, items and programmes the user may read: any role there, or the town above."""
    return scope.community_ids


def is_office(user, community_id: int) -> bool:
    ids = office_community_ids(user)
    return ids is None or community_id in ids


def has_office(user) -> bool:
    ids = office_community_ids(user)
    return ids is None or bool(ids)


def require_office(user, community_id: int) -> None:
    if not is_office(user, community_id):
        raise PermissionDenied("只有本社区的书记、工作人员或办公室主任可以执行此操作")


def reads_community(user, community_id: int) -> bool:
    """Office or supervising town: may read everyone's rows of this community."""
    scope = scope_for(user)
    return scope.is_superuser or community_id in scope.managed_community_ids


def runs_item(user, item) -> bool:
    """The item's organiser or the community's office may run it (show the code, mark attendance, approve)."""
    return is_office(user, item.community_id) or (user.is_authenticated and item.organiser_id == user.pk)


def require_runs_item(user, item) -> None:
    if not runs_item(user, item):
        raise PermissionDenied("只有活动负责人或本社区工作人员可以执行此操作")


def is_registered_member(person_id: int | None, community_id: int) -> bool:
    """In-service member with a confirmed registration (已报到) in this community."""
    if not person_id:
        return False
    return Registration.objects.filter(
        person_id=person_id, community_id=community_id, status=RegistrationStatus.CONFIRMED
    ).exists()


def require_acting_for(user, person, community_id: int) -> bool:
    """The user acts for `person`: themself (a registered member of the community) or the office on their
    behalf. Returns True when acting for themself."""
    scope = scope_for(user)
    if scope.person_id == person.pk and scope.person_id is not None:
        return True
    if is_office(user, community_id):
        return False
    raise PermissionDenied("只能为本人办理；代他人办理须由本社区工作人员操作")
