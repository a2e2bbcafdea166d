"""How long the evaluations app keeps what it says about a member; core.retention runs these nightly
(registered from EvaluationsConfig.ready(), called with `now=`).

| data                                                        | kept                                          | then    |
| 反馈单: the stored content (ledger lines, cases, evaluation)  | the year and FEEDBACK_SHEET_RETENTION_YEARS (5) | blanked |
|   and the branch's opinion (社区党组织意见)                    | more, to 31 December                          |         |
| 监督咨询: the employer's question, the community's reasons,   | CONSULTATION_RETENTION_DAYS (730) after the    | blanked |
|   the attached ledger, the question copied on the first event | answer or the withdrawal                      |         |

Why these periods (our decision; the manual sets none):
- A sheet is the employer's evidence for the member's yearly 民主评议 and for 评先评优, 干部考察 before a
  promotion and 预备党员转正 (DOMAIN.md §2, §5b; 双重管理制度 §6–7). A promotion review looks back over
  several years' performance, and a community's 两委 term is five years, so the office can answer for its
  sheets for the year and five more. Then the lines go; what stays is the register: member, employer,
  year, version, state, issue and acknowledgement dates (that the sheet was sent and received).
- A consultation serves one decision (提拔, 任用, 评优), taken within weeks of the answer. Its free text
  and the attached ledger are kept two years, as residents' data on closed cases, for a dispute about the
  decision; the register (who asked about whom, for what, when, and 同意 / 有保留意见 / 不同意) stays.

Each purge is one set-based UPDATE per table (a constant number of queries whatever the number of rows),
touches only rows that still hold something (a rerun changes nothing) and writes one audit summary.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from core import audit, retention

from .models import Consultation, ConsultationEvent, ConsultationPurpose, ConsultationState, FeedbackSheet

DEFAULT_FEEDBACK_SHEET_RETENTION_YEARS = 5
DEFAULT_CONSULTATION_RETENTION_DAYS = 730


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


@transaction.atomic
def purge_feedback_sheets(*, now: dt.datetime) -> dict:
    """反馈单 of years more than FEEDBACK_SHEET_RETENTION_YEARS before `now`'s year lose their content and
    the branch's opinion (every version); the row, its state and dates stay."""
    years = _setting("FEEDBACK_SHEET_RETENTION_YEARS", DEFAULT_FEEDBACK_SHEET_RETENTION_YEARS)
    last_year = timezone.localdate(now).year - 1 - years  # the newest year whose period is over
    with audit.bulk_operation():
        count = (
            FeedbackSheet.objects.filter(year__lte=last_year)
            .filter(~Q(content={}) | ~Q(opinion=""))
            .update(content={}, opinion="")
        )
    if count:
        audit.record(
            action="bulk_feedback_sheets_purged",
            object_type="evaluations.FeedbackSheet",
            reason=f"在职党员反馈单超过保存期限（当年及其后 {years} 年），删除内容与意见",
            extra={"sheets": count, "years_up_to": last_year},
        )
    return {"feedback_sheets": count}


@transaction.atomic
def purge_consultations(*, now: dt.datetime) -> dict:
    """监督咨询 answered or withdrawn more than CONSULTATION_RETENTION_DAYS before `now` lose the question,
    the reasons and the attached ledger, and their first event the question it copied; the register
    stays (employer, member, purpose, state, opinion, dates)."""
    days = _setting("CONSULTATION_RETENTION_DAYS", DEFAULT_CONSULTATION_RETENTION_DAYS)
    cutoff = now - dt.timedelta(days=days)
    withdrawn = ConsultationEvent.objects.filter(
        consultation=OuterRef("pk"), to_state=ConsultationState.WITHDRAWN, at__lt=cutoff
    )
    ended = Q(state=ConsultationState.ANSWERED, answered_at__lt=cutoff) | Q(
        Exists(withdrawn), state=ConsultationState.WITHDRAWN
    )
    with audit.bulk_operation():
        old = Consultation.objects.filter(ended)
        count = old.filter(~Q(question="") | ~Q(reasons="") | ~Q(ledger={})).update(
            question="", reasons="", ledger={}
        )
        # The opening event of consultations asked before the question stopped being copied there. Event
        # rows are append-only to the ORM; this purge is the one writer allowed past that, on purpose.
        events = models.QuerySet(ConsultationEvent).filter(
            consultation__in=old, to_state=ConsultationState.OPEN, from_state=""
        )
        copied = models.QuerySet.update(events.exclude(note__in=["", *ConsultationPurpose.labels]), note="")
    if count or copied:
        audit.record(
            action="bulk_consultations_purged",
            object_type="evaluations.Consultation",
            reason=f"监督咨询答复（或撤回）超过保存期限（{days} 天），删除咨询说明、理由与所附台账",
            extra={"consultations": count, "events": copied, "cutoff": cutoff.isoformat()},
        )
    return {"consultations": count, "consultation_events": copied}


def register() -> None:
    """Evaluations' entries in core.retention's registry (EvaluationsConfig.ready)."""
    retention.register(
        kinds={
            "feedback_sheet": retention.RetentionKind(
                "the sheet's year and FEEDBACK_SHEET_RETENTION_YEARS (5) more",
                "blanked",
                (purge_feedback_sheets,),
            ),
            "consultation": retention.RetentionKind(
                "while open, then CONSULTATION_RETENTION_DAYS (730) after the answer or the withdrawal",
                "blanked",
                (purge_consultations,),
            ),
        },
        personal_data={
            "evaluations.FeedbackSheet.content": "feedback_sheet",
            "evaluations.FeedbackSheet.opinion": "feedback_sheet",
            "evaluations.Consultation.question": "consultation",
            "evaluations.Consultation.reasons": "consultation",
            "evaluations.Consultation.ledger": "consultation",
        },
        nightly_purges=(purge_feedback_sheets, purge_consultations),
    )
