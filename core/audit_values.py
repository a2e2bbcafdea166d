"""How the audit trail writes a field's value (core.audit): secrets hidden, personal identifiers masked
like on the roster, names and addresses shortened, numbers inside free text masked."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from .masking import mask_id_number, mask_mobile
from .security import mask_personal_numbers

HIDDEN = "●●●"  # a secret changed; its value is never written down
OMITTED = "（略）"
MAX_TEXT = 300

# field name → how its values are written into `changes`
_IGNORED = {"last_login"}  # plus every auto_now field: noise, not a change anyone made
_SECRET = {"password", "access_code_hash", "checkin_key", "session_data", "key", "secret", "token"}
_ID_NUMBERS = {"id_number"}
_NAMES = {"resident_name", "visitor_name", "household", "raised_by", "first_name", "last_name"}
_ADDRESSES = {"unit_room", "visit_address"}
# "app.Model.field" → how its values are written, where the field's name alone does not tell (an app
# declares them with `audit_app(qualified=…)`).
_QUALIFIED: dict[str, str] = {}


# ------------------------------------------------------------------------------------ masking values


def _plain(value):
    """A JSON-friendly copy of a field value."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if hasattr(value, "resolve_expression"):
        return "（表达式）"
    if isinstance(getattr(value, "name", None), str):  # a FieldFile
        return value.name
    return str(value)


def _scrub(value):
    """Mask phone and ID numbers wherever they appear in free text (and inside JSON values), as the log
    filter does (core.security.mask_personal_numbers)."""
    if isinstance(value, str):
        value = mask_personal_numbers(value)
        return value if len(value) <= MAX_TEXT else value[:MAX_TEXT] + "…"
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    if isinstance(value, dict):
        return {k: _scrub(v) for k, v in value.items()}
    return value


def _mask_name(value: str) -> str:
    value = value.strip()
    return value[:1] + "*" * max(len(value) - 1, 1) if value else ""


def _mask_email(value: str) -> str:
    local, _, domain = value.partition("@")
    return f"{local[:1]}***@{domain}" if domain else _mask_name(value)


def _kind(model, field) -> str:
    qualified = _QUALIFIED.get(f"{model._meta.label}.{field.name}")
    if qualified:
        return qualified
    name = field.name
    if name in _SECRET:
        return "secret"
    if name in _ID_NUMBERS:
        return "id"
    if name == "mobile" or "phone" in name:
        return "mobile"
    if name == "email":
        return "email"
    if name in _NAMES:
        return "name"
    if name in _ADDRESSES:
        return "address"
    return "plain"


def _show(kind: str, value):
    """How a value is written into `changes`."""
    if value in (None, ""):
        return value
    if kind == "secret":
        return HIDDEN
    if kind == "omit":
        return OMITTED
    value = _plain(value)
    if not isinstance(value, str):
        return _scrub(value)
    if kind == "mobile":
        return mask_mobile(value)
    if kind == "id":
        return mask_id_number(value)
    if kind == "name":
        return _mask_name(value)
    if kind == "email":
        return _mask_email(value)
    if kind == "address":
        return "*" * min(len(value), 6)
    if kind == "birth":
        return value[:4] + "-**-**"
    return _scrub(value)
