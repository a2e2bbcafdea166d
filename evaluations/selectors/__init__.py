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

__all__ = [
    "AppraisalResult",
    "Eligibility",
    "LedgerSummary",
    "OfficerFigures",
    "accepts_ballots",
    "eligibility",
    "grade_by_rule",
    "ledger_summaries",
    "officer_figures",
    "results_for",
    "subjects",
    "tally",
]
