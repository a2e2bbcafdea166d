from .complaints import staff_history, suggested_measure
from .orders import order_rows, town_summary

__all__ = ["order_rows", "staff_history", "suggested_measure", "town_summary"]
