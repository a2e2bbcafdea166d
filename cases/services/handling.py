"""The handling of a case (限期办理): classification into the 五件式, assignment, every transition of the
state machine up to feedback, the resident's rating (不满意 reopens) and closure. Each is a guarded move
(`_begin`/`_commit`) that appends a CaseEvent."""

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from core.errors import DomainError
from core.notifications import notify
from members.models import InformationOfficer, OfficerStatus, RoleAssignment, User
from members.permissions import oversees, require_manager
from members.roles import Role

from ..models import DEFAULT_LIMITS, AssigneeKind, Case, FeedbackMethod, HandlingType, Rating, ThematicGroup
from ..states import CaseState
from ._common import _begin, _commit, _due, _local_date, _report_back, _require_worker, _text, time_limit


@transaction.atomic
def case_classify(
    *,
    case: Case,
    by: User,
    handling_type: str,
    time_limit_days: int | None = None,
    note: str = "",
) -> Case:
    """五件式 classification; sets the deadline from the community's published limit (or the promised days)."""
    require_manager(by, case.community_id)
    if handling_type not in HandlingType.values:
        raise DomainError("未知的办件类型", fields={"handling_type": ["未知的办件类型"]})
    locked = _begin(case, "classify")
    received = _local_date(locked.received_at)
    days = time_limit(locked.community_id, handling_type)
    if handling_type == HandlingType.PROMISED and time_limit_days is not None:
        if not 1 <= time_limit_days <= 60:
            raise DomainError(
                "承诺时限应为 1–60 个工作日", fields={"time_limit_days": ["应为 1–60 个工作日"]}
            )
        days = time_limit_days
    if handling_type in (HandlingType.ESCALATED, HandlingType.PENDING_DOCUMENTS):
        due = None  # the clock starts when the higher level replies / the documents are complete
    else:
        due = _due(locked, received, days)
    _commit(
        locked,
        "classify",
        by=by,
        note=note,
        caller=case,
        data={"handling_type": handling_type, "days": days},
        handling_type=handling_type,
        time_limit_days=days,
        due_on=due,
    )
    return case


def assignee_kinds_for(*, user: User, community_id: int) -> list[str]:
    """The kinds of assignee `user` can be in the community, most specific first (officer, member, staff)."""
    roles = set(
        RoleAssignment.objects.filter(user=user, community_id=community_id).values_list("role", flat=True)
    )
    kinds: list[str] = []
    if (
        Role.OFFICER in roles
        and InformationOfficer.objects.filter(
            community_id=community_id, person__user=user, status=OfficerStatus.ACTIVE
        ).exists()
    ):
        kinds.append(AssigneeKind.OFFICER)
    if Role.MEMBER in roles:
        kinds.append(AssigneeKind.MEMBER)
    if oversees(user, community_id):  # the community's office (a managing role here) or its town's supervisor
        kinds.append(AssigneeKind.STAFF)
    return kinds


@transaction.atomic
def case_assign(*, case: Case, by: User, assignee: User, kind: str | None = None, note: str = "") -> Case:
    """交办 to an information officer, an on-duty member or staff of the case's community."""
    require_manager(by, case.community_id)
    kinds = assignee_kinds_for(user=assignee, community_id=case.community_id)
    if not kinds or (kind and kind not in kinds):
        raise DomainError(
            "承办人须是本社区的信息员、党员或工作人员",
            fields={"assignee": ["不是本社区的信息员、党员或工作人员"]},
        )
    kind = kind or kinds[0]
    locked = _begin(case, "assign")
    event = _commit(
        locked,
        "assign",
        by=by,
        note=note,
        caller=case,
        data={"assignee": assignee.pk, "kind": kind, "previous": locked.assignee_id},
        assignee=assignee,
        assignee_kind=kind,
    )
    if assignee.pk != by.pk:
        notify(
            recipient=assignee,
            kind="case_assigned",
            title=f"新交办民情 {case.tracking_no}",
            body=case.content[:200],
            url=f"/cases/{case.pk}/",
            dedupe_key=f"case-assigned:{event.pk}",
        )
    return case


@transaction.atomic
def case_start(*, case: Case, by: User, note: str = "") -> Case:
    _require_worker(by, case)
    locked = _begin(case, "start")
    _commit(locked, "start", by=by, note=note, caller=case)
    return case


@transaction.atomic
def case_request_documents(*, case: Case, by: User, missing: list[str], note: str = "") -> Case:
    """补办件: the one-time written notice (一次性告知) of every missing document; the clock waits."""
    _require_worker(by, case)
    items = [m.strip() for m in (missing or []) if m and m.strip()]
    if not items:
        raise DomainError("请列出需补齐的全部材料", fields={"missing": ["至少填写一项材料"]})
    locked = _begin(case, "request_documents")
    _commit(
        locked,
        "request_documents",
        by=by,
        note=note,
        caller=case,
        data={"missing": items},
        handling_type=HandlingType.PENDING_DOCUMENTS,
        missing_documents=items,
        documents_requested_at=timezone.now(),
        due_on=None,
        time_limit_days=time_limit(locked.community_id, HandlingType.PENDING_DOCUMENTS),
    )
    return case


@transaction.atomic
def case_documents_received(*, case: Case, by: User, note: str = "") -> Case:
    """The documents are complete: the clock starts now; whoever received them handles it if nobody does."""
    _require_worker(by, case)
    locked = _begin(case, "documents_received")
    days = time_limit(locked.community_id, HandlingType.PENDING_DOCUMENTS)
    extra: dict[str, Any] = {}
    if locked.assignee_id is None:
        extra = {"assignee": by, "assignee_kind": AssigneeKind.STAFF}
    _commit(
        locked,
        "documents_received",
        by=by,
        note=note,
        caller=case,
        documents_received_at=timezone.now(),
        due_on=_due(locked, timezone.localdate(), days),
        time_limit_days=days,
        **extra,
    )
    return case


@transaction.atomic
def case_escalate(*, case: Case, by: User, to_unit: str, note: str = "") -> Case:
    """上报件: beyond the community's authority; waits for the higher level (no community deadline meanwhile)."""
    require_manager(by, case.community_id)
    to_unit = _text(to_unit, "to_unit", "上报单位", max_chars=100)
    locked = _begin(case, "escalate")
    _commit(
        locked,
        "escalate",
        by=by,
        note=note,
        caller=case,
        data={"to": to_unit},
        handling_type=HandlingType.ESCALATED,
        escalated_to=to_unit,
        escalated_at=timezone.now(),
        due_on=None,
        time_limit_days=DEFAULT_LIMITS[HandlingType.ESCALATED],
    )
    return case


@transaction.atomic
def case_record_higher_reply(*, case: Case, by: User, reply: str, replied_on: dt.date) -> Case:
    """The higher level answered: the resident must be answered within 3 working days of `replied_on`."""
    require_manager(by, case.community_id)
    reply = _text(reply, "reply", "上级批复内容")
    if replied_on > timezone.localdate():
        raise DomainError("批复日期不能晚于今天", fields={"replied_on": ["批复日期不能晚于今天"]})
    locked = _begin(case, "higher_reply")
    days = min(time_limit(locked.community_id, HandlingType.ESCALATED), 3)
    extra: dict[str, Any] = (
        {} if locked.assignee_id else {"assignee": by, "assignee_kind": AssigneeKind.STAFF}
    )
    _commit(
        locked,
        "higher_reply",
        by=by,
        caller=case,
        data={"replied_on": replied_on.isoformat()},
        higher_reply=reply,
        higher_reply_on=replied_on,
        due_on=_due(locked, replied_on, days),
        time_limit_days=days,
        **extra,
    )
    return case


@transaction.atomic
def case_refer(*, case: Case, by: User, department: str, explanation: str) -> Case:
    """提议件: not the community's business — explained, and the resident is directed to the department."""
    require_manager(by, case.community_id)
    department = _text(department, "department", "建议办理的部门", max_chars=100)
    explanation = _text(explanation, "explanation", "解释说明")
    locked = _begin(case, "refer")
    event = _commit(
        locked,
        "refer",
        by=by,
        caller=case,
        data={"department": department},
        handling_type=HandlingType.REFERRAL,
        referral_department=department,
        explanation=explanation,
        resolved_at=timezone.now(),
    )
    _report_back(case, event, f"已解释并建议到「{department}」办理")
    return case


@transaction.atomic
def case_resolve(*, case: Case, by: User, resolution: str) -> Case:
    _require_worker(by, case)
    resolution = _text(resolution, "resolution", "办理结果")
    locked = _begin(case, "resolve")
    event = _commit(locked, "resolve", by=by, caller=case, resolution=resolution, resolved_at=timezone.now())
    _report_back(case, event, "已办结")
    return case


@transaction.atomic
def case_schedule_visit(
    *, case: Case, by: User, visit_at: dt.datetime, address: str = "", note: str = ""
) -> Case:
    """约定通知: a home visit at an agreed time; it appears on the assignee's list until it is done."""
    _require_worker(by, case)
    if visit_at <= timezone.now():
        raise DomainError("约定上门时间须在将来", fields={"visit_at": ["请选择将来的时间"]})
    locked = _begin(case, "schedule_visit")
    extra: dict[str, Any] = (
        {} if locked.assignee_id else {"assignee": by, "assignee_kind": AssigneeKind.STAFF}
    )
    _commit(
        locked,
        "schedule_visit",
        by=by,
        note=note,
        caller=case,
        data={"visit_at": visit_at.isoformat()},
        visit_at=visit_at,
        visit_address=(address or "").strip()[:100],
        feedback_method=FeedbackMethod.HOME_VISIT,
        **extra,
    )
    return case


@transaction.atomic
def case_give_feedback(
    *, case: Case, by: User, method: str, text: str, group: ThematicGroup | None = None
) -> Case:
    """单项反馈 / 分散回复 / 约定通知: the answer reaches the resident by one of the five methods."""
    _require_worker(by, case)
    if method not in FeedbackMethod.values:
        raise DomainError("未知的反馈方式", fields={"method": ["未知的反馈方式"]})
    text = _text(text, "text", "反馈内容")
    locked = _begin(case, "give_feedback")
    if method == FeedbackMethod.HOME_VISIT and locked.visit_at is None:
        raise DomainError(
            "上门反馈须先约定上门时间", fields={"method": ["请先约定上门时间"]}, allowed=["schedule_visit"]
        )
    event = _commit(
        locked,
        "give_feedback",
        by=by,
        caller=case,
        data={"method": method, "group": group.pk if group else None},
        feedback_method=method,
        feedback_text=text,
        feedback_at=timezone.now(),
        group=group or locked.group,
    )
    _report_back(case, event, f"已{FeedbackMethod(method).label}居民")
    return case


@transaction.atomic
def case_rate(*, case: Case, rating: str, comment: str = "", by: User | None = None) -> Case:
    """满意度评价 by the resident online (`by=None`) or recorded by staff. 不满意 reopens the case."""
    if by is not None:
        require_manager(by, case.community_id)
    if rating not in Rating.values:
        raise DomainError("请选择满意度", fields={"rating": ["满意 / 基本满意 / 不满意"]})
    comment = (comment or "").strip()[:500]
    locked = _begin(case, "rate")
    _commit(
        locked,
        "rate",
        by=by,
        by_resident=by is None,
        note=comment,
        caller=case,
        data={"rating": rating},
        rating=rating,
        rating_comment=comment,
        rated_at=timezone.now(),
        rated_by_resident=by is None,
    )
    if rating == Rating.UNSATISFIED:
        _reopen(
            case,
            by=by,
            reason=f"居民评价不满意：{comment}" if comment else "居民评价不满意",
            by_resident=by is None,
        )
    return case


def _reopen(case: Case, *, by: User | None, reason: str, by_resident: bool = False) -> Case:
    locked = _begin(case, "reopen")
    to = CaseState.ASSIGNED if locked.assignee_id else CaseState.CLASSIFIED
    handling = locked.handling_type
    if handling in (HandlingType.ESCALATED, HandlingType.PENDING_DOCUMENTS, HandlingType.IMMEDIATE):
        handling = HandlingType.PROMISED  # the redo is a promise with a deadline, whatever it was before
    days = time_limit(locked.community_id, handling)
    event = _commit(
        locked,
        "reopen",
        by=by,
        by_resident=by_resident,
        to=to,
        note=reason,
        caller=case,
        data={"rating": locked.rating, "feedback": locked.feedback_text[:200]},
        handling_type=handling,
        time_limit_days=days,
        due_on=_due(locked, timezone.localdate(), days),
        reopen_count=locked.reopen_count + 1,
        resolved_at=None,
        feedback_at=None,
        feedback_method="",
        visit_at=None,
        rating="",
        rated_at=None,
        closed_at=None,
    )
    if locked.assignee_id and locked.assignee_id != getattr(by, "pk", None):
        notify(
            recipient=locked.assignee,
            kind="case_reopened",
            title=f"民情 {locked.tracking_no} 需重新办理",
            body=reason,
            url=f"/cases/{locked.pk}/",
            dedupe_key=f"case-reopened:{event.pk}",
        )
    return case


@transaction.atomic
def case_reopen(*, case: Case, by: User, reason: str) -> Case:
    require_manager(by, case.community_id)
    return _reopen(case, by=by, reason=_text(reason, "reason", "重新办理的原因", max_chars=300))


@transaction.atomic
def case_close(*, case: Case, by: User, note: str = "") -> Case:
    """归档. From 已反馈 (the resident did not rate) a note is required."""
    require_manager(by, case.community_id)
    locked = _begin(case, "close")
    if locked.state == CaseState.FEEDBACK_GIVEN and not (note or "").strip():
        raise DomainError("居民未评价时归档须说明情况", fields={"note": ["请说明未评价的情况"]})
    _commit(locked, "close", by=by, note=(note or "").strip(), caller=case, closed_at=timezone.now())
    return case
