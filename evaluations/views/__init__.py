"""Server-rendered pages of the evaluations app, by sub-domain; `urls` routes to the views re-exported here."""

from . import certificates, consultation, employer, sheets
from .appraisal import (
    appraisal_action,
    appraisal_detail,
    appraisal_list,
    ballot,
    evaluator_link,
    officer_reviews,
    paper_ballot,
)

__all__ = ["certificates", "consultation", "employer", "sheets"]

__all__ = [
    "appraisal_action",
    "appraisal_detail",
    "appraisal_list",
    "ballot",
    "certificates",
    "consultation",
    "employer",
    "evaluator_link",
    "officer_reviews",
    "paper_ballot",
    "sheets",
]
