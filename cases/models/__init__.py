"""The 民情流水线 pipeline: intake channels, cases and their one state machine, feedback, disclosure.

Only `cases.services` writes these rows; only its guarded transitions change `Case.state`, each writing a
`CaseEvent` in the same transaction (the transition table lives in `cases.states`).

One module per sub-domain; import from the package (`from cases.models import Case`):
- `case`: a case, its vocabulary, timeline, photos, tracking-number counter, time limits and retention;
- `channels`: the channels with records of their own (mailboxes, diary, reception days, forums);
- `groups`: thematic groups (专题反馈);
- `publishing`: 七公开 and 集中公告.
"""

from .case import (
    DEFAULT_LIMITS,
    DEFAULT_RETENTION_DAYS,
    AssigneeKind,
    Case,
    CaseAttachment,
    CaseCounter,
    CaseCounterQuerySet,
    CaseEvent,
    CaseEventQuerySet,
    CasePartQuerySet,
    CaseQuerySet,
    Category,
    Channel,
    FeedbackMethod,
    HandlingTimeLimit,
    HandlingType,
    Rating,
    RetentionPolicy,
    attachment_path,
    case_visible_q,
)
from .channels import (
    NOMINAL_DAY,
    DiaryEntry,
    DiaryQuerySet,
    Forum,
    ForumItem,
    ForumItemQuerySet,
    ForumQuerySet,
    Mailbox,
    MailboxOpening,
    MailboxOpeningQuerySet,
    MailboxQuerySet,
    PrioritySubject,
    ReceptionDay,
    ReceptionItem,
    ReceptionItemQuerySet,
    ReceptionKind,
    ReceptionQuerySet,
)
from .groups import ThematicGroup, ThematicGroupQuerySet
from .publishing import (
    Announcement,
    AnnouncementCategory,
    Disclosure,
    DisclosureKind,
    PublicInfoQuerySet,
)

__all__ = [
    "DEFAULT_LIMITS",
    "DEFAULT_RETENTION_DAYS",
    "NOMINAL_DAY",
    "Announcement",
    "AnnouncementCategory",
    "AssigneeKind",
    "Case",
    "CaseAttachment",
    "CaseCounter",
    "CaseCounterQuerySet",
    "CaseEvent",
    "CaseEventQuerySet",
    "CasePartQuerySet",
    "CaseQuerySet",
    "Category",
    "Channel",
    "DiaryEntry",
    "DiaryQuerySet",
    "Disclosure",
    "DisclosureKind",
    "FeedbackMethod",
    "Forum",
    "ForumItem",
    "ForumItemQuerySet",
    "ForumQuerySet",
    "HandlingTimeLimit",
    "HandlingType",
    "Mailbox",
    "MailboxOpening",
    "MailboxOpeningQuerySet",
    "MailboxQuerySet",
    "PrioritySubject",
    "PublicInfoQuerySet",
    "Rating",
    "ReceptionDay",
    "ReceptionItem",
    "ReceptionItemQuerySet",
    "ReceptionKind",
    "ReceptionQuerySet",
    "RetentionPolicy",
    "ThematicGroup",
    "ThematicGroupQuerySet",
    "attachment_path",
    "case_visible_q",
]
