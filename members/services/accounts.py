"""Logins: an account for a resident, and the town's second-factor requirement for its office staff."""

from django.db import transaction

from core.errors import Conflict, DomainError

from ..models import Person, RoleAssignment, Town, User
from ..permissions import require_manager, require_town_supervisor
from ..roles import Role


@transaction.atomic
def user_create_for_person(*, person: Person, by: User, username: str, password: str, role: str) -> User:
    """Give a resident a login with a role in their community; the initial password must be changed."""
    require_manager(by, person.community_id)
    if person.user_id:
        raise Conflict("该人员已有账号", fields={"person": ["已有账号"]})
    if User.objects.filter(username=username).exists():
        raise Conflict("用户名已被使用", fields={"username": ["用户名已被使用"]})
    if role not in (Role.MEMBER, Role.OFFICER, Role.DEPUTY):
        raise DomainError("社区只能开通党员、信息员和代表账号", fields={"role": ["不允许的角色"]})
    user = User.objects.create_user(
        username=username,
        password=password,
        first_name=person.name,
        mobile=person.mobile,
        must_change_password=True,
    )
    person.user = user
    person.save(update_fields=["user", "updated_at"])
    RoleAssignment.objects.create(user=user, role=role, community=person.community)
    return user


@transaction.atomic
def town_set_second_factor(*, town: Town, by: User, required: bool) -> Town:
    """管理人员须动态口令: whether the town's office accounts (its supervisors, and the secretaries, staff and
    office directors of its communities) verify a TOTP device after each login (core.security).

    Its own town supervisor (or a superuser) switches it; the audit trail records the change with
    before/after (core.audit's receivers). It adds to REQUIRE_2FA_FOR_STAFF, never overrides it.
    """
    require_town_supervisor(by, town.pk)
    town.require_2fa_for_staff = required
    town.save(update_fields=["require_2fa_for_staff"])
    return town
