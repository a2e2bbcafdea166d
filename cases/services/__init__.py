"""Every write of the cases app: one function per business action, keyword-only, atomic.

State changes go through `_common._begin` (row lock + transition-table check) and `_common._commit` (save +
CaseEvent in the same transaction), both on `core.transitions`. An illegal move raises Conflict naming the
actions that are legal instead. Views hand in only objects they obtained through `visible_to`; the checks
here decide what the actor may *do* with a case they can see (403), never whether it exists for them.

One module per sub-domain; import from the package (`from cases import services`):
- `intake`: registration from every channel, the public submission and lookup;
- `handling`: the 五件式 and every transition up to rating, reopening and closure;
- `groups`: thematic groups and their one reply (专题反馈);
- `channels`: mailboxes, the officer's diary, reception days, forums;
- `publishing`: time limits, 七公开, 集中公告;
- `supervision`: the morning alerts.
"""

from ._common import time_limit
from .channels import (
    diary_add,
    diary_to_case,
    forum_record,
    mailbox_open,
    mailbox_save,
    officer_post_for,
    reception_item_record,
    reception_schedule,
)
from .contact import (
    REVEAL_REASONS,
    case_reveal_resident_phone,
    may_reveal_resident_phone,
    require_reveal_allowed,
)
from .groups import group_add_cases, group_create, group_reply
from .handling import (
    assignee_kinds_for,
    case_assign,
    case_classify,
    case_close,
    case_documents_received,
    case_escalate,
    case_give_feedback,
    case_rate,
    case_record_higher_reply,
    case_refer,
    case_reopen,
    case_request_documents,
    case_resolve,
    case_schedule_visit,
    case_start,
)
from .intake import (
    ACCESS_CODE_ALPHABET,
    access_code_matches,
    case_register,
    case_reissue_access_code,
    hash_access_code,
    public_find,
    public_submit,
)
from .publishing import announcement_publish, disclosure_save, time_limit_set
from .supervision import daily_supervision_alerts

__all__ = [
    "ACCESS_CODE_ALPHABET",
    "REVEAL_REASONS",
    "case_reveal_resident_phone",
    "may_reveal_resident_phone",
    "require_reveal_allowed",
    "access_code_matches",
    "announcement_publish",
    "assignee_kinds_for",
    "case_assign",
    "case_classify",
    "case_close",
    "case_documents_received",
    "case_escalate",
    "case_give_feedback",
    "case_rate",
    "case_record_higher_reply",
    "case_refer",
    "case_register",
    "case_reissue_access_code",
    "case_reopen",
    "case_request_documents",
    "case_resolve",
    "case_schedule_visit",
    "case_start",
    "daily_supervision_alerts",
    "diary_add",
    "diary_to_case",
    "disclosure_save",
    "forum_record",
    "group_add_cases",
    "group_create",
    "group_reply",
    "hash_access_code",
    "mailbox_open",
    "mailbox_save",
    "officer_post_for",
    "public_find",
    "public_submit",
    "reception_item_record",
    "reception_schedule",
    "time_limit",
    "time_limit_set",
]
