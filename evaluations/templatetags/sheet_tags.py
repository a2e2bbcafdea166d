"""The feedback sheet's evaluation lines on a page, worded as the PDF prints them (grades in Chinese, never
their codes): `{{ c|evaluation_text }}`, `{{ c|excellent_text }}`."""

from django import template

from ..documents.sheets import evaluation_lines

register = template.Library()


@register.filter
def evaluation_text(content) -> str:
    return evaluation_lines(content or {})[0]


@register.filter
def excellent_text(content) -> str:
    return evaluation_lines(content or {})[1]


# An evaluation's history (AppraisalEvent.action and its states) as people read it, never the codes.
APPRAISAL_ACTIONS = {"open": "开始评议", "close": "结束评议", "reopen": "重新开放", "publish": "公布结果"}


@register.filter
def appraisal_action(action: str) -> str:
    return APPRAISAL_ACTIONS.get(action, action)


@register.filter
def appraisal_state(state: str) -> str:
    from ..models import AppraisalState

    return AppraisalState(state).label if state in AppraisalState.values else (state or "—")


@register.filter
def sheet_state(state: str) -> str:
    from ..models import SheetState

    return SheetState(state).label if state in SheetState.values else (state or "—")
