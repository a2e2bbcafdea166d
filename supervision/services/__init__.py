from ..models import ACTION_LABELS
from .complaints import (
    COMMUNITY_OFFICE,
    OWN_OFFICE_REFUSED,
    ROUTES,
    TOWN_OFFICE,
    complaint_conclude,
    complaint_receive,
)
from .orders import (
    can_answer,
    can_close,
    can_escalate,
    close_resolved,
    daily_sweep,
    escalate_overdue,
    issue_orders,
    notify_issued,
    order_answer,
    order_close,
    order_due_on,
    order_escalate,
    working_town_ids,
)
from .reminders import due_soon_reminders

__all__ = [
    "ACTION_LABELS",
    "COMMUNITY_OFFICE",
    "OWN_OFFICE_REFUSED",
    "ROUTES",
    "TOWN_OFFICE",
    "can_answer",
    "can_close",
    "can_escalate",
    "close_resolved",
    "complaint_conclude",
    "complaint_receive",
    "daily_sweep",
    "due_soon_reminders",
    "escalate_overdue",
    "issue_orders",
    "notify_issued",
    "order_answer",
    "order_close",
    "order_due_on",
    "order_escalate",
    "working_town_ids",
]
