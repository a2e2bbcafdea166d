"""Reads of the evaluations app that are more than a filter, by sub-domain; import from the package."""

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
    "EmployerAcknowledgement",
    "acknowledgement_by_employer",
    "current_sheets",
    "evaluation_for",
    "member_chunks",
    "members_for_sheets",
    "sheet_content",
    "sheet_counts",
]
