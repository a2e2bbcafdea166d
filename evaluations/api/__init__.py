"""REST API of the evaluations app (serializers beside their views), by sub-domain."""

from .certificates import CertificateViewSet
from .consultation import ConsultationViewSet
from .sheets import SheetBatchViewSet, SheetViewSet

__all__ = ["CertificateViewSet", "ConsultationViewSet", "SheetBatchViewSet", "SheetViewSet"]
