from .complaints import (
    LADDER,
    ComplaintEvent,
    ComplaintState,
    Finding,
    Measure,
    StaffComplaint,
    StaffSanction,
)
from .orders import (
    ACTION_LABELS,
    OPEN_ORDER_STATES,
    ORDER_WORKING_DAYS,
    OrderLevel,
    OrderState,
    SupervisionOrder,
    SupervisionOrderEvent,
)

__all__ = [
    "ACTION_LABELS",
    "LADDER",
    "OPEN_ORDER_STATES",
    "ORDER_WORKING_DAYS",
    "ComplaintEvent",
    "ComplaintState",
    "Finding",
    "Measure",
    "OrderLevel",
    "OrderState",
    "StaffComplaint",
    "StaffSanction",
    "SupervisionOrder",
    "SupervisionOrderEvent",
]
