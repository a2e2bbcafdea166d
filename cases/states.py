"""The one state machine of a case. `cases.services` consults this table and nothing else changes state.

registered → classified → assigned → in_progress → resolved → feedback_given → rated → closed
                                    ↘ waiting_documents ↗ (补办件: the clock waits for the documents)
                                    ↘ escalated ↗        (上报件: waiting for the higher level's reply)
classified/assigned/in_progress → referred (提议件: explained, sent to the competent department)
rated/closed → reopen (an unsatisfied rating reopens the case)
"""

from django.db import models


class CaseState(models.TextChoices):
    REGISTERED = "registered", "已登记"
    CLASSIFIED = "classified", "已分类"
    ASSIGNED = "assigned", "已交办"
    IN_PROGRESS = "in_progress", "办理中"
    WAITING_DOCUMENTS = "waiting_documents", "待补齐材料"
    ESCALATED = "escalated", "已上报待批复"
    RESOLVED = "resolved", "已办结"
    REFERRED = "referred", "已解释转办"
    FEEDBACK_GIVEN = "feedback_given", "已反馈"
    RATED = "rated", "已评价"
    CLOSED = "closed", "已归档"


S = CaseState
_WORKABLE = (S.CLASSIFIED, S.ASSIGNED, S.IN_PROGRESS)

# action -> {from_state: {possible to_states}}. The service picks one target and it must be listed here.
TRANSITIONS: dict[str, dict[str, set[str]]] = {
    "classify": {S.REGISTERED: {S.CLASSIFIED}, S.CLASSIFIED: {S.CLASSIFIED}},
    "assign": {S.CLASSIFIED: {S.ASSIGNED}, S.ASSIGNED: {S.ASSIGNED}, S.IN_PROGRESS: {S.ASSIGNED}},
    "start": {S.ASSIGNED: {S.IN_PROGRESS}},
    "request_documents": {s: {S.WAITING_DOCUMENTS} for s in _WORKABLE},
    "documents_received": {S.WAITING_DOCUMENTS: {S.IN_PROGRESS}},
    "escalate": {s: {S.ESCALATED} for s in _WORKABLE},
    "higher_reply": {S.ESCALATED: {S.IN_PROGRESS}},
    "refer": {s: {S.REFERRED} for s in _WORKABLE},
    "resolve": {S.IN_PROGRESS: {S.RESOLVED}},
    "schedule_visit": {S.RESOLVED: {S.RESOLVED}, S.REFERRED: {S.REFERRED}},
    "give_feedback": {S.RESOLVED: {S.FEEDBACK_GIVEN}, S.REFERRED: {S.FEEDBACK_GIVEN}},
    "rate": {S.FEEDBACK_GIVEN: {S.RATED}},
    "reopen": {S.RATED: {S.ASSIGNED, S.CLASSIFIED}, S.CLOSED: {S.ASSIGNED, S.CLASSIFIED}},
    "close": {S.RATED: {S.CLOSED}, S.FEEDBACK_GIVEN: {S.CLOSED}},
}

ACTION_LABELS = {
    "register": "登记",
    "classify": "分类",
    "assign": "交办",
    "start": "开始办理",
    "request_documents": "一次性告知补齐材料",
    "documents_received": "材料已补齐",
    "escalate": "上报上级",
    "higher_reply": "登记上级批复",
    "refer": "解释并建议转办",
    "resolve": "办结",
    "schedule_visit": "约定上门",
    "give_feedback": "反馈居民",
    "rate": "满意度评价",
    "reopen": "重新办理",
    "close": "归档",
    "group": "归入专题",
    "reissue_access_code": "重新生成查询码",
}

# Not yet resolved: a case here with a due date in the past is overdue.
OPEN_STATES = [S.REGISTERED, S.CLASSIFIED, S.ASSIGNED, S.IN_PROGRESS, S.WAITING_DOCUMENTS, S.ESCALATED]
ANSWERED_STATES = [S.RESOLVED, S.REFERRED, S.FEEDBACK_GIVEN, S.RATED, S.CLOSED]
CLOSED_STATES = [S.CLOSED]
ALL_STATES = list(S.values)


def allowed_actions(state: str) -> list[str]:
    """The actions legal from `state`, in the table's order (what the error names as next steps)."""
    return [action for action, table in TRANSITIONS.items() if state in table]


def targets(action: str, state: str) -> set[str]:
    return TRANSITIONS.get(action, {}).get(state, set())
