"""The evaluations app's models, by sub-domain; import from the package."""

from .certificates import ServiceCertificate, new_verification_no
from .consultation import (
    ANSWER_WORKING_DAYS,
    Consultation,
    ConsultationEvent,
    ConsultationOpinion,
    ConsultationPurpose,
    ConsultationState,
)
from .sheets import FeedbackSheet, SheetBatch, SheetBatchState, SheetEvent, SheetState

__all__ = [
    "ANSWER_WORKING_DAYS",
    "Consultation",
    "ConsultationEvent",
    "ConsultationOpinion",
    "ConsultationPurpose",
    "ConsultationState",
    "FeedbackSheet",
    "ServiceCertificate",
    "SheetBatch",
    "SheetBatchState",
    "SheetEvent",
    "SheetState",
    "new_verification_no",
]
