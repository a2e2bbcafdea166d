"""个人信息显示 — who sees a phone or ID number in full, and the one helper every page, API, export and
log line goes through (PIPL: the minimum necessary).

The branch secretary and the office director answer for their community's roster, so they see its
numbers in full; so does a superuser, a user granted `members.view_full_personal_data` by the town, and a
person looking at their own record. Everyone else (community staff, the town supervisor, officers,
members, deputies, liaisons) sees them masked, and the office reveals one with a reason (an AccessLog row).
"""

from __future__ import annotations

from .roles import scope_for
from .validators import mask_id_number, mask_mobile

FULL_DATA_PERMISSION = "members.view_full_personal_data"


def can_see_full_personal_data(user, community_id: int | None) -> bool:
    """Whether `user` may see the full phone and ID numbers of the people of `community_id`."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    if community_id is not None and community_id in scope_for(user).full_data_community_ids:
        return True
    return user.has_perm(FULL_DATA_PERMISSION)  # granted by the town (cached on the user per request)


def can_search_personal_numbers(user) -> bool:
    """Whether a search by phone or ID number may match for `user`. Only for users who see every number
    such a search could match in full: for anyone else a hit would confirm a guessed full number, so they
    search by name only."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    scope = scope_for(user)
    if (
        not scope.employer_ids
        and scope.managed_community_ids
        and scope.managed_community_ids <= scope.full_data_community_ids
    ):
        return True
    return user.has_perm(FULL_DATA_PERMISSION)


def _owner_and_community(subject) -> tuple[int | None, int | None]:
    """(person id, community id) of a Person, or (None, id) for a bare community id."""
    if subject is None or isinstance(subject, int):
        return None, subject
    return getattr(subject, "pk", None), getattr(subject, "community_id", None)


def sees_full(user, subject) -> bool:
    """`subject` is a Person (their own record is always shown in full) or a community id."""
    person_id, community_id = _owner_and_community(subject)
    own = person_id is not None and user is not None and user.is_authenticated
    if own and scope_for(user).person_id == person_id:
        return True
    return can_see_full_personal_data(user, community_id)


def shown_mobile(user, subject, value: str | None) -> str:
    """The phone number as `user` may see it: in full, or 138****1234."""
    return (value or "") if sees_full(user, subject) else mask_mobile(value)


def shown_id_number(user, subject, value: str | None) -> str:
    return (value or "") if sees_full(user, subject) else mask_id_number(value)


MIN_REASON_LENGTH = 4


def reveal(*, obj, values: dict, reason: str, description: str = "") -> dict:
    """查看完整号码: hand back `values` (the full numbers of `obj`) and write the AccessLog row with the
    reason the user typed. The caller has already checked that the user manages obj's community."""
    from core import audit

    reason = (reason or "").strip()
    if len(reason) < MIN_REASON_LENGTH:
        raise ValueError(f"请填写查看原因（至少 {MIN_REASON_LENGTH} 个字）")
    audit.record_access(
        what="reveal",
        obj=obj,
        reason=reason,
        description=description or "查看完整号码",
        extra={"fields": sorted(values)},
    )
    return values
