"""Every write of the evaluations app, one function per business action; import from the package."""

from .certificates import certificate_issue
from .consultation import consultation_answer, consultation_ask, consultation_withdraw
from .sheets import (
    acknowledgement_reminders_send,
    sheet_acknowledge,
    sheet_batch_run,
    sheet_batch_start,
    sheet_batch_start_town,
    sheet_issue,
    sheet_regenerate,
    sheet_set_opinion,
    sheets_issue_all,
)

__all__ = [
    "acknowledgement_reminders_send",
    "certificate_issue",
    "consultation_answer",
    "consultation_ask",
    "consultation_withdraw",
    "sheet_acknowledge",
    "sheet_batch_run",
    "sheet_batch_start",
    "sheet_batch_start_town",
    "sheet_issue",
    "sheet_regenerate",
    "sheet_set_opinion",
    "sheets_issue_all",
]
