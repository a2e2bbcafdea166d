"""REST API of the evaluations app (serializers beside their views), by sub-domain."""

from .appraisal import (
    AppraisalViewSet,
    CommendationViewSet,
    EvaluatorViewSet,
    OfficerReviewViewSet,
    PublicBallotViewSet,
)
from .certificates import CertificateViewSet
from .consultation import ConsultationViewSet
from .sheets import SheetBatchViewSet, SheetViewSet

__all__ = ["CertificateViewSet", "ConsultationViewSet", "SheetBatchViewSet", "SheetViewSet"]

__all__ = [
    "AppraisalViewSet",
    "CertificateViewSet",
    "CommendationViewSet",
    "ConsultationViewSet",
    "EvaluatorViewSet",
    "OfficerReviewViewSet",
    "PublicBallotViewSet",
    "SheetBatchViewSet",
    "SheetViewSet",
]
