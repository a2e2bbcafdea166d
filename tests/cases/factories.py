"""Cases built through the real services, so every test case has a consistent timeline."""

import datetime as dt

from django.utils import timezone

from cases import services
from cases.models import Case, Channel, FeedbackMethod, HandlingType, Rating
from cases.states import CaseState

# The moves that bring a fresh case to each state (assignee = `worker`).
PATHS = {
    CaseState.REGISTERED: [],
    CaseState.CLASSIFIED: ["classify"],
    CaseState.ASSIGNED: ["classify", "assign"],
    CaseState.IN_PROGRESS: ["classify", "assign", "start"],
    CaseState.WAITING_DOCUMENTS: ["classify", "assign", "start", "request_documents"],
    CaseState.ESCALATED: ["classify", "assign", "start", "escalate"],
    CaseState.RESOLVED: ["classify", "assign", "start", "resolve"],
    CaseState.REFERRED: ["classify", "refer"],
    CaseState.FEEDBACK_GIVEN: ["classify", "assign", "start", "resolve", "feedback"],
    CaseState.RATED: ["classify", "assign", "start", "resolve", "feedback", "rate"],
    CaseState.CLOSED: ["classify", "assign", "start", "resolve", "feedback", "rate", "close"],
}


def step(case: Case, name: str, *, by, worker=None) -> Case:
    worker = worker or by
    if name == "classify":
        return services.case_classify(case=case, by=by, handling_type=HandlingType.PROMISED)
    if name == "assign":
        return services.case_assign(case=case, by=by, assignee=worker)
    if name == "start":
        return services.case_start(case=case, by=worker)
    if name == "request_documents":
        return services.case_request_documents(case=case, by=worker, missing=["户口本复印件", "身份证复印件"])
    if name == "escalate":
        return services.case_escalate(case=case, by=by, to_unit="镇城建办")
    if name == "resolve":
        return services.case_resolve(case=case, by=worker, resolution="已联系物业修复")
    if name == "refer":
        return services.case_refer(case=case, by=by, department="县人社局", explanation="不属社区职权")
    if name == "feedback":
        return services.case_give_feedback(
            case=case, by=worker, method=FeedbackMethod.PHONE, text="已电话告知"
        )
    if name == "rate":
        return services.case_rate(case=case, rating=Rating.SATISFIED, comment="很好")
    if name == "close":
        return services.case_close(case=case, by=by)
    raise ValueError(name)


def make_case(
    community,
    *,
    by,
    state: str = CaseState.REGISTERED,
    worker=None,
    channel: str = Channel.HOTLINE,
    content: str = "3号楼楼道灯坏了，晚上看不见",
    building=None,
    received_at: dt.datetime | None = None,
    **extra,
) -> Case:
    case = services.case_register(
        community=community,
        by=by,
        channel=channel,
        content=content,
        building=building,
        resident_name="王大妈",
        resident_phone="13912345678",
        received_at=received_at or timezone.now(),
        **extra,
    )
    code = case.access_code
    for name in PATHS[state]:
        step(case, name, by=by, worker=worker)
    case.refresh_from_db()
    case.access_code = code
    assert case.state == state
    return case
