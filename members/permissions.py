"""The office policy in one place (see `members.roles.Scope`): services raise, pages and lists ask.

- `oversees` / `require_manager`: the community's office or a supervisor of its town — reads, and the
  acts the manual gives the town too (roster, registrations, officers, the 民情 pipeline, the calendar).
- `runs_office` / `require_office`: a managing role held in the community itself — the branch's own
  party-building work (volunteering: posts, items, approvals, hours, programmes, conduct notes).
- `is_office_anywhere`: whether office pages and lists make sense for this user at all.
"""

from core.errors import PermissionDenied

from .roles import Scope, scope_for

OFFICE_ONLY = "只有本社区的书记、工作人员或办公室主任可以执行此操作"


def is_office_anywhere(scope: Scope) -> bool:
    return scope.is_office_anywhere


def oversees(user, community_id: int | None) -> bool:
    return scope_for(user).manages(community_id)


def runs_office(user, community_id: int | None) -> bool:
    return scope_for(user).runs_office(community_id)


def require_manager(user, community_id: int | None) -> None:
    """The community's office or a supervisor of its town (or a superuser)."""
    if not oversees(user, community_id):
        raise PermissionDenied(OFFICE_ONLY)


def require_office(user, community_id: int | None) -> None:
    """Only the community's own office (or a superuser): a town supervisor reads but does not act here."""
    if not runs_office(user, community_id):
        raise PermissionDenied(OFFICE_ONLY)


def require_town_supervisor(user, town_id: int | None) -> None:
    """Only a supervisor of the town (镇管理/督查) or a superuser."""
    if not scope_for(user).supervises_town(town_id):
        raise PermissionDenied("只有本镇的镇管理/督查人员可以执行此操作")
