"""The one home of what a phone or ID number looks like and how it is masked (PIPL: numbers never shown,
logged or audited in full unless the viewer's role sees them in full — members.privacy decides that).

Used by: the log filter (core.security), the audit trail (core.audit), the public case pages
(cases), the roster and the privacy rules (members). One table-driven test: tests/core/test_masking.py.

Two strengths over the same patterns:
- `mask_text(text)`: staff-facing text (logs, audit trail) keeps the edges as on the roster:
  138****1234, 4101**********1234.
- `mask_text(text, public=True)`: pages anyone can open hide more — an ID number entirely, landlines too:
  138****1234, ******************, *******.
"""

from __future__ import annotations

import re

# A mainland mobile number: 11 digits, 1 then 3–9 (GB/T numbering plan; no 10x/11x/12x mobiles exist).
MOBILE = r"1[3-9]\d{9}"
# An 18-character resident ID number (GB 11643): 17 digits and a check character 0–9 or X.
ID_NUMBER = r"\d{17}[\dXx]"
# A landline written without area code separators: 7 or 8 digits.
LANDLINE = r"\d{7,8}"

MOBILE_RE = re.compile(rf"^{MOBILE}$")
ID_NUMBER_RE = re.compile(r"^\d{17}[\dX]$")  # normalised (upper-case X) for validation

# In free text a number must stand alone: no digit (nor, for IDs, a letter) glued to either side.
_ID_IN_TEXT = re.compile(r"(?<![\dA-Za-z])(\d{4})\d{10}(\d{3}[\dXx])(?![\dA-Za-z])")
_MOBILE_IN_TEXT = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")
_LANDLINE_IN_TEXT = re.compile(rf"(?<!\d){LANDLINE}(?!\d)")
# Public pages also hide any other long run of digits that could be a phone (e.g. with an area code).
_LONG_NUMBER_IN_TEXT = re.compile(r"(?<!\d)\d{9,12}(?!\d)")


def mask_mobile(value: str | None) -> str:
    """138****1234 (a short value: ****)."""
    if not value:
        return ""
    return f"{value[:3]}****{value[-4:]}" if len(value) >= 7 else "****"


def mask_id_number(value: str | None) -> str:
    """4101**********1234 (a short value: ****)."""
    if not value:
        return ""
    return f"{value[:4]}**********{value[-4:]}" if len(value) >= 8 else "****"


def mask_text(text: str | None, *, public: bool = False) -> str:
    """Every phone and ID number inside free text, masked (see the module doc for the two strengths)."""
    text = text or ""
    if public:
        text = _ID_IN_TEXT.sub(lambda m: "*" * len(m.group(0)), text)
        text = _MOBILE_IN_TEXT.sub(r"\1****\2", text)
        text = _LONG_NUMBER_IN_TEXT.sub(lambda m: "*" * len(m.group(0)), text)
        return _LANDLINE_IN_TEXT.sub(lambda m: "*" * len(m.group(0)), text)
    text = _ID_IN_TEXT.sub(r"\1**********\2", text)
    return _MOBILE_IN_TEXT.sub(r"\1****\2", text)
