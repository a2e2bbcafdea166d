"""Server-rendered pages of the evaluations app, by sub-domain; `urls` routes to the views re-exported here."""

from . import certificates, consultation, employer, sheets

__all__ = ["certificates", "consultation", "employer", "sheets"]
