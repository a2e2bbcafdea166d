from .complaints import complaint_detail, complaint_new, complaints
from .orders import order_detail, orders, town_orders

__all__ = ["complaint_detail", "complaint_new", "complaints", "order_detail", "orders", "town_orders"]
