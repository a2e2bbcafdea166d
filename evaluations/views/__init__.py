from .appraisal import (
    appraisal_action,
    appraisal_detail,
    appraisal_list,
    ballot,
    evaluator_link,
    officer_reviews,
    paper_ballot,
)

__all__ = [
    "appraisal_action",
    "appraisal_detail",
    "appraisal_list",
    "ballot",
    "evaluator_link",
    "officer_reviews",
    "paper_ballot",
]
