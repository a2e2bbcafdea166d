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


# ------------------------------------------------------------------------------------- streamed tables

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def write_table(*, sheet_title: str, heading: str, headers: list[str], rows, widths=None, style=None):
    """A one-sheet workbook as offices file it: a title row, a bold header row (frozen), then `rows`.

    Written in openpyxl's write-only mode into a temporary file, so a list of any length costs little
    memory: `rows` may be a generator over a queryset iterator. Text is cleaned and always stored as text
    (never a formula); dates and datetimes become real date cells shown as ISO dates (2026-12-03,
    2026-12-03 14:05). Returns the file, positioned at its start (the caller streams and closes it).
    With `style`, each item of `rows` is (values, marks) and style(cells, marks) dresses the row's cells
    (fills, fonts) before it is written.
    """
    import datetime as dt
    import tempfile

    from django.utils import timezone
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title)
    for index, width in enumerate(widths or [], start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A3"
    last = get_column_letter(max(len(headers), 1))
    sheet.merged_cells.add(f"A1:{last}1")
    title = WriteOnlyCell(sheet, value=clean_text(heading))
    title.font = Font(bold=True, size=14)
    title.alignment = Alignment(horizontal="center")
    sheet.append([title])
    header_fill = PatternFill("solid", fgColor="F2F2F2")
    header_cells = []
    for name in headers:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = Font(bold=True)
        cell.fill = header_fill
        header_cells.append(cell)
    sheet.append(header_cells)

    def cell_of(value):
        cell = WriteOnlyCell(sheet, value=clean_text(value))
        if isinstance(value, str):
            cell.data_type = "s"
        elif isinstance(value, dt.datetime):
            if timezone.is_aware(value):  # Excel has no time zones: Shanghai wall-clock time
                cell.value = timezone.localtime(value).replace(tzinfo=None)
            cell.number_format = "yyyy-mm-dd hh:mm"
        elif isinstance(value, dt.date):
            cell.number_format = "yyyy-mm-dd"
        return cell

    for item in rows:
        if style is None:
            sheet.append([cell_of(v) for v in item])
            continue
        values, marks = item
        cells = [cell_of(v) for v in values]
        style(cells, marks)
        sheet.append(cells)
    out = tempfile.TemporaryFile()  # noqa: SIM115 (handed to the response, which closes it)
    workbook.save(out)
    out.seek(0)
    return out


def xlsx_response(fileobj, *, filename: str):
    """A streamed download of a workbook written by `write_table` (the file is closed when sent)."""
    from django.http import FileResponse
    from django.utils.http import content_disposition_header

    response = FileResponse(fileobj, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename) or "attachment"
    return response
