"""Server-rendered pages: staff list/case/intake, the assignee's and officer's phone pages, channels, and the
public pages (/cases/public/…, the only ones open without a login).

One module per sub-domain (`cases`, `channels`, `groups`, `public`); `cases/urls.py` names them through
the package (`views.case_list`).
"""

from .cases import (
    PAGE_SIZE,
    WORKER_ACTIONS,
    attachment,
    case_act,
    case_detail,
    case_ledger_xlsx,
    case_list,
    case_reveal,
    intake,
    my_cases,
    notice_pdf,
    overdue,
)
from .channels import (
    diary,
    diary_to_case,
    forum_detail,
    forums,
    mailbox_open,
    mailboxes,
    reception_detail,
    receptions,
)
from .groups import (
    group_detail,
    groups,
)
from .public import (
    public_case,
    public_disclosure,
    public_home,
    public_schedule,
    public_submit,
    public_track,
)

__all__ = [
    "PAGE_SIZE",
    "WORKER_ACTIONS",
    "attachment",
    "case_act",
    "case_detail",
    "case_reveal",
    "case_ledger_xlsx",
    "case_list",
    "diary",
    "diary_to_case",
    "forum_detail",
    "forums",
    "group_detail",
    "groups",
    "intake",
    "mailbox_open",
    "mailboxes",
    "my_cases",
    "notice_pdf",
    "overdue",
    "public_case",
    "public_disclosure",
    "public_home",
    "public_schedule",
    "public_submit",
    "public_track",
    "reception_detail",
    "receptions",
]
