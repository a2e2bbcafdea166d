"""Writing user-entered text into Excel workbooks safely (every export goes through here).

Two things can go wrong with text that came in through a form or the API:
- a control character (other than tab and newline) cannot be stored in a worksheet at all: openpyxl
  raises IllegalCharacterError and the whole export fails; such characters are dropped from the cell;
- text starting with "=" would be written as a formula (spreadsheet formula injection: a resident's
  complaint reading "=HYPERLINK(...)" runs in the secretary's Excel); text cells are always strings.
"""

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE


def clean_text(value):
    """`value` with the characters a worksheet cannot hold removed (other values pass unchanged)."""
    if isinstance(value, str) and value:
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def append_row(sheet, values) -> None:
    """Append one row to a (normal, not write-only) worksheet: text cleaned and stored as text."""
    sheet.append([clean_text(v) for v in values])
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"
