"""Server-rendered, phone-first pages of volunteering. Reads go through `visible_to` and the selectors;
every POST calls one service and turns a refused rule into a message on the page. One module per area;
`urls` routes to the views re-exported here."""

from ._common import (
    XLSX,
)
from .attendance import (
    calendar_feed,
    checkin_code,
    checkin_scan,
    my_items,
)
from .hours import (
    record_decide,
    record_new,
    records,
)
from .items import (
    item_attendance,
    item_cancel,
    item_detail,
    item_edit,
    item_ics,
    item_qr,
    item_rotate_code,
    item_signup,
    items,
    signup_cancel,
)
from .ledger import (
    conduct_note_new,
    ledger,
    ledger_export,
    policy,
    requirement,
)
from .overview import (
    dashboard,
    index,
)
from .posts import (
    claim_decide,
    claims,
    post_claim,
    post_edit,
    posts,
    team_join,
)
from .programmes import (
    good_hand_out,
    good_new,
    pairing_end,
    pairing_new,
    programme_detail,
    programme_new,
    programmes,
    skill_new,
    skill_withdraw,
    skills,
)

__all__ = [
    "XLSX",
    "calendar_feed",
    "checkin_code",
    "checkin_scan",
    "claim_decide",
    "claims",
    "conduct_note_new",
    "dashboard",
    "good_hand_out",
    "good_new",
    "index",
    "item_attendance",
    "item_cancel",
    "item_detail",
    "item_edit",
    "item_ics",
    "item_qr",
    "item_rotate_code",
    "item_signup",
    "items",
    "ledger",
    "ledger_export",
    "my_items",
    "pairing_end",
    "pairing_new",
    "policy",
    "post_claim",
    "post_edit",
    "posts",
    "programme_detail",
    "programme_new",
    "programmes",
    "record_decide",
    "record_new",
    "records",
    "requirement",
    "signup_cancel",
    "skill_new",
    "skill_withdraw",
    "skills",
    "team_join",
]
