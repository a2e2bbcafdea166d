"""Reads that are more than a filter: staffing of posts, matching posts, the yearly requirement, the
member's ledger (活动台账) and its Excel export. One module per area; import from the package."""

from .export import (
    ledger_workbook,
)
from .ledger import (
    Ledger,
    LedgerEntry,
    ledger_subjects,
    member_ledger,
)
from .posts import (
    current_claim,
    items_open_for_checkin,
    items_with_counts,
    my_signups,
    on_duty_for_case,
    person_skills_and_interests,
    posts_with_staffing,
    suggested_posts,
    understaffed,
    upcoming,
    waitlist_position,
)
from .requirement import (
    STAR_LEVELS,
    EmployerGroup,
    RequirementRow,
    hours_of,
    member_progress,
    policy_for,
    requirement_by_employer,
    requirement_rows,
    requirement_text,
    star_level,
)

__all__ = [
    "EmployerGroup",
    "Ledger",
    "LedgerEntry",
    "RequirementRow",
    "STAR_LEVELS",
    "current_claim",
    "hours_of",
    "items_open_for_checkin",
    "items_with_counts",
    "ledger_subjects",
    "ledger_workbook",
    "member_ledger",
    "member_progress",
    "my_signups",
    "on_duty_for_case",
    "person_skills_and_interests",
    "policy_for",
    "posts_with_staffing",
    "requirement_by_employer",
    "requirement_rows",
    "requirement_text",
    "star_level",
    "suggested_posts",
    "understaffed",
    "upcoming",
    "waitlist_position",
]
