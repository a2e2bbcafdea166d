"""专题反馈: cases about the same issue grouped and answered with one reply, recorded on every case."""

from django.db import transaction
from django.utils import timezone

from core import transitions
from core.errors import Conflict, DomainError
from members.models import Community, User
from members.permissions import require_manager

from ..models import AssigneeKind, Case, FeedbackMethod, ThematicGroup
from ..states import CaseState
from ._common import _log, _text
from .handling import case_assign, case_give_feedback, case_resolve, case_start


@transaction.atomic
def group_create(*, community: Community, by: User, title: str, cases: list[Case]) -> ThematicGroup:
    require_manager(by, community.pk)
    title = _text(title, "title", "专题名称", max_chars=100)
    group = ThematicGroup.objects.create(community=community, title=title, created_by=by)
    group_add_cases(group=group, by=by, cases=cases)
    return group


@transaction.atomic
def group_add_cases(*, group: ThematicGroup, by: User, cases: list[Case]) -> ThematicGroup:
    require_manager(by, group.community_id)
    foreign = [c.tracking_no for c in cases if c.community_id != group.community_id]
    if foreign:
        raise DomainError("只能归入本社区的民情件", fields={"cases": [f"不属于本社区：{'、'.join(foreign)}"]})
    for case in cases:
        locked = transitions.lock(case)
        if locked.group_id == group.pk:
            continue
        if locked.group_id is not None:
            raise Conflict(
                f"{locked.tracking_no} 已归入其他专题",
                fields={"cases": [f"{locked.tracking_no} 已归入其他专题"]},
            )
        locked.group = group
        locked.save(update_fields=["group", "updated_at"])
        _log(locked, "group", by=by, note=group.title, data={"group": group.pk})
    return group


# States a thematic reply answers, and the moves it makes to get each one to 已反馈.
_THEMATIC_PATH = {
    CaseState.CLASSIFIED: ["assign", "start", "resolve"],
    CaseState.ASSIGNED: ["start", "resolve"],
    CaseState.IN_PROGRESS: ["resolve"],
    CaseState.RESOLVED: [],
    CaseState.REFERRED: [],
}


@transaction.atomic
def group_reply(*, group: ThematicGroup, by: User, reply: str, method: str) -> dict:
    """专题反馈: one reply to every resident of the group, recorded on each case (all or nothing).

    Cases still being worked are resolved with the reply; cases waiting for documents or the higher level,
    not yet classified, or already answered are left as they are and listed in `skipped`."""
    require_manager(by, group.community_id)
    reply = _text(reply, "reply", "专题答复")
    if method not in FeedbackMethod.values or method == FeedbackMethod.HOME_VISIT:
        raise DomainError("专题反馈方式应为当面、信函、电话或网上", fields={"method": ["不支持的方式"]})
    answered, skipped = [], []
    for case in group.cases.select_for_update().order_by("pk"):
        path = _THEMATIC_PATH.get(case.state)
        if path is None:
            skipped.append({"tracking_no": case.tracking_no, "state": case.state})
            continue
        for step in path:
            if step == "assign":
                case_assign(
                    case=case, by=by, assignee=by, kind=AssigneeKind.STAFF, note=f"专题：{group.title}"
                )
            elif step == "start":
                case_start(case=case, by=by)
            else:
                case_resolve(case=case, by=by, resolution=reply)
        case_give_feedback(case=case, by=by, method=method, text=reply, group=group)
        answered.append(case.tracking_no)
    if not answered:
        raise Conflict(
            "专题中没有可以答复的民情件", code="nothing_to_answer", fields={"cases": [str(skipped)]}
        )
    group.reply, group.reply_method, group.replied_at, group.replied_by = reply, method, timezone.now(), by
    group.save(update_fields=["reply", "reply_method", "replied_at", "replied_by"])
    return {"answered": answered, "skipped": skipped}
