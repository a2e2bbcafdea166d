from .complaints import ComplaintViewSet
from .orders import OrderViewSet

__all__ = ["ComplaintViewSet", "OrderViewSet"]
