"""Every write of the volunteering app: one function per business action, keyword-only, atomic.

State changes (claims, sign-ups, hours, items) go through `core.transitions` (via `_common._transition`):
the row is locked, the move checked against an explicit transition table, the status saved and a
`VolunteerEvent` appended in the same transaction.
Capacity rules lock the item (or post) row first, so concurrent requests queue instead of overbooking.
Notifications go through `core.notifications.notify` inside the transaction (emails leave on commit).

One module per area; import from the package (`from volunteering import services`).
"""

from ._common import (
    BACKFILL_AFTER,
)
from .attendance import (
    RECORD_TRANSITIONS,
    attendance_mark,
    check_in,
    check_out,
    record_approve,
    record_cancel,
    record_evaluate,
    record_reject,
    record_self_report,
)
from .conduct import (
    conduct_note_add,
)
from .items import (
    ITEM_FIELDS,
    ITEM_TRANSITIONS,
    SIGNUP_TRANSITIONS,
    item_cancel,
    item_create,
    item_rotate_code,
    item_update,
    signup_cancel,
    signup_create,
)
from .posts import (
    CLAIM_TRANSITIONS,
    claim_approve,
    claim_decline,
    claim_submit,
    claim_withdraw,
    post_create,
    post_update,
    team_join,
)
from .programmes import (
    good_hand_out,
    good_receive,
    pairing_create,
    pairing_end,
    programme_create,
    programme_update,
    skill_list,
    skill_withdraw,
)
from .requirement import (
    policy_set,
    requirement_reminders_send,
)

__all__ = [
    "BACKFILL_AFTER",
    "CLAIM_TRANSITIONS",
    "ITEM_FIELDS",
    "ITEM_TRANSITIONS",
    "RECORD_TRANSITIONS",
    "SIGNUP_TRANSITIONS",
    "attendance_mark",
    "check_in",
    "check_out",
    "claim_approve",
    "claim_decline",
    "claim_submit",
    "claim_withdraw",
    "conduct_note_add",
    "good_hand_out",
    "good_receive",
    "item_cancel",
    "item_create",
    "item_rotate_code",
    "item_update",
    "pairing_create",
    "pairing_end",
    "policy_set",
    "post_create",
    "post_update",
    "programme_create",
    "programme_update",
    "record_approve",
    "record_cancel",
    "record_evaluate",
    "record_reject",
    "record_self_report",
    "requirement_reminders_send",
    "signup_cancel",
    "signup_create",
    "skill_list",
    "skill_withdraw",
    "team_join",
]
