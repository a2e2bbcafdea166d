"""监督咨询: the employer asks, the branch answers with the ledger attached, within 10 working days."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core import workdays
from core.errors import Conflict, DomainError, PermissionDenied
from core.notifications import notify
from core.transitions import apply_transition, table_targets
from members.models import (
    Employer,
    MemberCategory,
    Person,
    Registration,
    RegistrationStatus,
    RoleAssignment,
)
from members.permissions import require_office
from members.roles import MANAGING_ROLES, scope_for

from ..models import (
    ANSWER_WORKING_DAYS,
    Consultation,
    ConsultationEvent,
    ConsultationOpinion,
    ConsultationPurpose,
    ConsultationState,
)
from ..selectors import sheets as sheet_selectors

TRANSITIONS: dict[str, set[str]] = {
    ConsultationState.OPEN: {ConsultationState.ANSWERED, ConsultationState.WITHDRAWN},
    ConsultationState.ANSWERED: set(),
    ConsultationState.WITHDRAWN: set(),
}
_targets = table_targets(TRANSITIONS)


def _refused(consultation: Consultation) -> Conflict:
    return Conflict(
        f"该咨询当前状态为「{consultation.get_state_display()}」，不能再办理",
        code="illegal_transition",
        fields={"state": [f"当前状态为「{consultation.get_state_display()}」"]},
        allowed=sorted(TRANSITIONS[consultation.state]),
    )


def _recorder(by, note: str = ""):
    def record(consultation, from_state, to_state):
        return ConsultationEvent.objects.create(
            consultation=consultation, from_state=from_state, to_state=to_state, by=by, note=note[:300]
        )

    return record


def due_on(asked_on: dt.date, *, town_id: int) -> dt.date:
    """10 working days after the request on the town's official calendar (the day itself not counted)."""
    return workdays.add_working_days(asked_on, ANSWER_WORKING_DAYS, town=town_id)


@transaction.atomic
def consultation_ask(
    *, employer: Employer, person: Person | None, purpose: str, question: str = "", by
) -> Consultation:
    """The employer's liaison asks about one of its in-service members; anyone else is refused, naming
    the field."""
    if employer.pk not in scope_for(by).employer_ids:
        raise PermissionDenied("只有单位党组织联络人可以为本单位发起咨询")
    if purpose not in ConsultationPurpose.values:
        raise DomainError("请选择咨询事由", fields={"purpose": ["须为提拔、任用或评优评先"]})
    membership = getattr(person, "membership", None) if person is not None else None
    if (
        person is None
        or membership is None
        or membership.category != MemberCategory.IN_SERVICE
        or membership.employer_id != employer.pk
    ):
        raise DomainError("该人员不是本单位的在职党员，不能咨询", fields={"person": ["不是本单位的在职党员"]})
    registration = (
        Registration.objects.filter(person=person, status=RegistrationStatus.CONFIRMED)
        .select_related("community")
        .first()
    )
    if registration is None:
        raise DomainError("该党员尚未在居住地社区报到，无从征求意见", fields={"person": ["尚未报到"]})
    now = timezone.now()
    community = registration.community
    consultation = Consultation.objects.create(
        employer=employer,
        person=person,
        community=community,
        purpose=purpose,
        question=(question or "").strip()[:500],
        asked_by=by,
        asked_at=now,
        due_on=due_on(timezone.localdate(now), town_id=community.town_id),
    )
    ConsultationEvent.objects.create(
        # the purpose, not the question: an event row is append-only, the question has a retention period
        consultation=consultation,
        to_state=ConsultationState.OPEN,
        by=by,
        note=consultation.get_purpose_display(),
    )
    for assignment in RoleAssignment.objects.filter(
        community=community, role__in=MANAGING_ROLES
    ).select_related("user"):
        notify(
            recipient=assignment.user,
            kind="consultation_asked",
            title=f"{employer.name}就{person.name}{consultation.get_purpose_display()}征求社区意见",
            body=f"请于 {consultation.due_on:%Y-%m-%d} 前答复。",
            url=reverse("evaluations:consultation_detail", args=[consultation.pk]),
            dedupe_key=f"consultation-asked:{consultation.pk}:{assignment.user_id}",
        )
    return consultation


@transaction.atomic
def consultation_answer(*, consultation: Consultation, opinion: str, reasons: str, by) -> Consultation:
    """The branch's opinion (同意 / 有保留意见 / 不同意), with reasons (required unless it agrees), and the
    member's ledger of this year and last attached as they stand now."""
    require_office(by, consultation.community_id)
    reasons = (reasons or "").strip()
    if opinion not in ConsultationOpinion.values:
        raise DomainError("请选择社区意见", fields={"opinion": ["须为同意、有保留意见或不同意"]})
    if opinion != ConsultationOpinion.AGREE and len(reasons) < 4:
        raise DomainError("有保留意见或不同意时须写明理由", fields={"reasons": ["请写明理由（至少 4 个字）"]})
    if len(reasons) > 2000:
        raise DomainError("理由不能超过 2000 字", fields={"reasons": ["不能超过 2000 字"]})
    person = Person.objects.select_related("membership__employer").get(pk=consultation.person_id)
    year = timezone.localdate().year
    ledger = {
        str(y): sheet_selectors.sheet_content(
            person=person,
            year=y,
            viewer=by,
            evaluation=sheet_selectors.evaluation_for(
                sheet_selectors._evaluation_results(consultation.community_id, y).get(person.pk)
            ),
        )
        for y in (year - 1, year)
    }
    locked = apply_transition(
        consultation,
        to=ConsultationState.ANSWERED,
        targets=_targets,
        refused=_refused,
        record_event=_recorder(by, ConsultationOpinion(opinion).label),
        state_field="state",
        fields={
            "opinion": opinion,
            "reasons": reasons,
            "ledger": ledger,
            "answered_by": by,
            "answered_at": timezone.now(),
        },
    )
    if locked.asked_by_id:
        notify(
            recipient=locked.asked_by,
            kind="consultation_answered",
            title=f"{locked.community.name}已答复关于{person.name}的咨询",
            url=reverse("evaluations:consultation_detail", args=[locked.pk]),
            dedupe_key=f"consultation-answered:{locked.pk}",
        )
    return locked


@transaction.atomic
def consultation_withdraw(*, consultation: Consultation, by) -> Consultation:
    if consultation.employer_id not in scope_for(by).employer_ids:
        raise PermissionDenied("只有发起咨询的单位可以撤回")
    return apply_transition(
        consultation,
        to=ConsultationState.WITHDRAWN,
        targets=_targets,
        refused=_refused,
        record_event=_recorder(by),
        state_field="state",
    )
