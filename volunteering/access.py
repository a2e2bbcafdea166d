"""Who may do what in volunteering, on top of `members.permissions` (the office policy, named once there).

- The community's **office** (书记 / 工作人员 / 办公室主任 — `MANAGING_ROLES` held *in that community*)
  manages posts, items, approvals, programmes and the conduct notes: `members.permissions.runs_office` /
  `require_office`.
- A **town supervisor** reads every community of the town (`members.permissions.oversees`) but changes
  nothing here: the branch's own party-building work is the community office's alone.
- A **member** (`Role.MEMBER`, with a person and a confirmed registration in the community) acts for
  themself; officers and deputies of the community read its posts, items and programmes.
- **Employer liaisons** see nothing of volunteering (the evaluations app decides what they get).

What stays here is volunteering's own: who runs an item (its organiser), who acts for whom, who is a
registered member, and the community sets the querysets scope by.
"""

from core.errors import PermissionDenied
from members.models import Registration, RegistrationStatus
from members.permissions import runs_office
from members.roles import scope_for


def office_community_ids(user) -> frozenset | None:
    """Communities whose office this user belongs to (`Scope.office_community_ids`: its own managing roles,
    not the communities of a supervised town); None for a superuser (every community)."""
    scope = scope_for(user)
    return None if scope.is_superuser else scope.office_community_ids


def participant_community_ids(scope) -> frozenset:
    """Communities whose posts, items and programmes the user may read: any role there, or the town above."""
    return scope.community_ids


def has_office(user) -> bool:
    """Runs some community's office (or is a superuser): the office-only lists and creations make sense.
    Narrower than `members.permissions.is_office_anywhere`, which a town supervisor passes too."""
    ids = office_community_ids(user)
    return ids is None or bool(ids)


def runs_item(user, item) -> bool:
    """The item's organiser or the community's office may run it (show the code, mark attendance, approve)."""
    return runs_office(user, item.community_id) or (user.is_authenticated and item.organiser_id == user.pk)


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
    if runs_office(user, community_id):
        return False
    raise PermissionDenied("只能为本人办理；代他人办理须由本社区工作人员操作")
