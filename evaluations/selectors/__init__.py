"""Reads of the evaluations app that are more than a filter, by sub-domain; import from the package."""

from .appraisal import (
    AppraisalResult,
    Eligibility,
    LedgerSummary,
    OfficerFigures,
    accepts_ballots,
    eligibility,
    grade_by_rule,
    ledger_summaries,
    officer_figures,
    results_for,
    subjects,
    tally,
)
from .sheets import (
    EmployerAcknowledgement,
    acknowledgement_by_employer,
    current_sheets,
    evaluation_for,
    member_chunks,
    members_for_sheets,
    sheet_content,
    sheet_counts,
)

__all__ = [
    "AppraisalResult",
    "Eligibility",
    "EmployerAcknowledgement",
    "LedgerSummary",
    "OfficerFigures",
    "accepts_ballots",
    "acknowledgement_by_employer",
    "current_sheets",
    "eligibility",
    "evaluation_for",
    "grade_by_rule",
    "ledger_summaries",
    "member_chunks",
    "members_for_sheets",
    "officer_figures",
    "results_for",
    "sheet_content",
    "sheet_counts",
    "subjects",
    "tally",
]
