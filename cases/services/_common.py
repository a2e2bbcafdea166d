"""What every sub-domain of the cases services shares: the state machine's two steps on core.transitions
(`_begin`: row lock + transition-table check; `_commit`: save + CaseEvent in the same transaction), an event
that is not a move (`_log`), deadlines on the working-day calendar, the report-back to the officer, and
the text checks."""

import datetime as dt

from django.utils import timezone

from core import transitions, workdays
from core.errors import Conflict, DomainError, PermissionDenied
from core.notifications import notify
from members.models import Community, User
from members.permissions import oversees

from ..models import DEFAULT_LIMITS, Case, CaseEvent, HandlingTimeLimit
from ..security import MAX_CONTENT_CHARS
from ..states import ACTION_LABELS, allowed_actions, targets


def _local_date(value: dt.datetime) -> dt.date:
    return timezone.localtime(value).date()


def _at(day: dt.date | None) -> dt.datetime:
    """A receipt time for something that happened on `day` (now if it is today)."""
    now = timezone.now()
    if day is None or day == timezone.localdate():
        return now
    return timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0)))


def time_limit(community_id: int, handling_type: str) -> int:
    """The community's published limit for a type, or the product default."""
    row = HandlingTimeLimit.objects.filter(community_id=community_id, handling_type=handling_type).first()
    return row.working_days if row else DEFAULT_LIMITS[handling_type]


def _town_id(case: Case) -> int:
    return Community.objects.values_list("town_id", flat=True).get(pk=case.community_id)


def _due(case: Case, start: dt.date, days: int) -> dt.date:
    return workdays.add_working_days(start, days, town=_town_id(case))


def _targets(action: str) -> transitions.Targets:
    return lambda state: targets(action, state)


def _refused(action: str):
    def refused(locked: Case) -> Conflict:
        return Conflict(
            f"此件当前状态为「{locked.get_state_display()}」，不能{ACTION_LABELS[action]}",
            code="illegal_transition",
            allowed=allowed_actions(locked.state),
        )

    return refused


def _begin(case: Case, action: str) -> Case:
    """Lock the row and refuse the action unless the transition table allows it from the current state."""
    return transitions.lock_checked(
        case, targets=_targets(action), refused=_refused(action), state_field="state"
    )


def _commit(
    locked: Case,
    action: str,
    *,
    by: User | None,
    to: str | None = None,
    note: str = "",
    by_resident: bool = False,
    data: dict | None = None,
    caller: Case | None = None,
    **fields,
) -> CaseEvent:
    """Move the locked case (a target outside the table is a service bug), save `fields` with the state and
    append the CaseEvent (core.transitions.move); `caller` sees the new values."""

    def record_event(case: Case, from_state: str, to_state: str) -> CaseEvent:
        return CaseEvent.objects.create(
            case=case,
            action=action,
            from_state=from_state,
            to_state=to_state,
            by=by,
            by_resident=by_resident,
            note=note,
            data=data or {},
        )

    return transitions.move(
        locked,
        targets=_targets(action),
        state_field="state",
        record_event=record_event,
        to=to,
        fields=fields,
        also_save=["updated_at"],
        caller=caller,
    )


def _log(case: Case, action: str, *, by: User | None, note: str = "", data: dict | None = None) -> CaseEvent:
    """An event that is not a move (from == to)."""
    return CaseEvent.objects.create(
        case=case,
        action=action,
        from_state=case.state,
        to_state=case.state,
        by=by,
        note=note,
        data=data or {},
    )


def _report_back(case: Case, event: CaseEvent, text: str) -> None:
    """民情信息员管理制度 §4: the community reports back to the officer who brought the concern."""
    officer = case.reported_by_officer
    if officer is None or officer.person.user_id is None:
        return
    notify(
        recipient=officer.person.user,
        kind="case_report_back",
        title=f"您反映的民情 {case.tracking_no} {text}",
        body=(case.resolution or case.explanation or case.feedback_text or "")[:500],
        url=f"/cases/{case.pk}/",
        dedupe_key=f"case-report-back:{event.pk}",
    )


def _text(value: str, field: str, label: str, *, max_chars: int = MAX_CONTENT_CHARS) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(f"请填写{label}", fields={field: [f"请填写{label}"]})
    if len(value) > max_chars:
        raise DomainError(f"{label}过长", fields={field: [f"不能超过 {max_chars} 字"]})
    return value


def _require_worker(by: User, case: Case) -> None:
    """The assignee works their own case; the community's office may act on any of its cases."""
    if case.assignee_id == by.pk or oversees(by, case.community_id):
        return
    raise PermissionDenied("只有承办人或本社区工作人员可以办理此件")
