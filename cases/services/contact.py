"""Reaching the resident (反馈居民, 约定上门): who may see a case's phone number in full, and the reveal that
writes the access log. The office of the case's community sees it as `members.privacy` says; the case's
current assignee, who has to call back, reveals it with a one-tap reason like the office does."""

from django.db import transaction

from core.errors import DomainError, PermissionDenied
from members import privacy
from members.models import User
from members.permissions import oversees

from ..models import Case

REVEAL_REFUSED = "只有本件的承办人或本社区的管理人员可以查看完整号码"

# The reasons an assignee taps (each long enough for members.privacy.MIN_REASON_LENGTH).
REVEAL_REASONS = ("电话反馈办理结果", "约定上门时间", "核实反映情况")


def reveal_allowed(user: User, case: Case) -> bool:
    """The current assignee of the case, or the office of its community (and the town above it)."""
    return (user.pk is not None and case.assignee_id == user.pk) or oversees(user, case.community_id)


def require_reveal_allowed(user: User, case: Case) -> None:
    if not reveal_allowed(user, case):
        raise PermissionDenied(REVEAL_REFUSED)


def may_reveal_resident_phone(user: User, case: Case) -> bool:
    """Whether the page offers the reveal: allowed, and there is a number the resident did not withhold."""
    return bool(case.resident_phone) and not case.anonymous and reveal_allowed(user, case)


@transaction.atomic
def case_reveal_resident_phone(*, case: Case, by: User, reason: str) -> str:
    """The resident's full number, with an AccessLog row naming `by` and the reason (查看完整号码)."""
    require_reveal_allowed(by, case)
    try:
        values = privacy.reveal(obj=case, values={"resident_phone": case.resident_phone or ""}, reason=reason)
    except ValueError as exc:
        raise DomainError(str(exc), fields={"reason": [str(exc)]}) from exc
    return values["resident_phone"]
