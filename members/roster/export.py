"""The 花名册 written back out (a selector: a read that yields a file)."""

from __future__ import annotations

import io

import openpyxl
from django.utils import timezone
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from core.xlsx import clean_text

from .. import privacy
from .columns import _GENDER_LABEL, COLUMNS
from .dates import format_birth_month

_EXPORT_WIDTHS = [6, 10, 6, 8, 10, 22, 10, 12, 18, 22, 12, 14, 12, 10, 12, 24, 16]


def export_roster(people_qs, *, title: str | None = None, user=None) -> bytes:
    """The 花名册 of `people_qs` as an xlsx, in the import's columns, so the file re-imports cleanly.

    ID numbers and phone numbers are text cells with the text format (@), so Excel never turns them into
    floats; 出生年月 is written 1985.03 and 入党时间 yyyy-mm-dd, also as text. One query.
    The 花名册 lists party members only: residents without a membership (activists appointed as officers,
    say) are left out, since a row without 党员类别 could not be imported back.
    With `user`, phone and ID numbers are written as that user may see them (members.privacy) and a
    masked file says so in its title row; such a file is for reading, not for importing back.
    """
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("花名册")
    for index, width in enumerate(_EXPORT_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.merged_cells.add(f"A1:{get_column_letter(len(COLUMNS))}1")
    sheet.freeze_panes = "A3"

    title = title or f"党员花名册（{timezone.localdate():%Y年%m月%d日}导出）"
    people = people_qs.filter(membership__isnull=False).select_related(
        "community", "building", "membership", "membership__employer"
    )
    if user is not None:
        # Phone and ID numbers as the exporting user may see them (members.privacy); the title says so.
        community_ids = set(people.order_by().values_list("community_id", flat=True).distinct())
        if not all(privacy.can_see_full_personal_data(user, c) for c in community_ids):
            title += "（电话、身份证号已脱敏）"
    title_cell = WriteOnlyCell(sheet, value=title)
    title_cell.font = Font(size=14, bold=True)
    title_cell.alignment = Alignment(horizontal="center")
    sheet.append([title_cell])
    header = []
    for name in COLUMNS:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)

    for number, person in enumerate(people.iterator(chunk_size=2000), start=1):
        membership = getattr(person, "membership", None)
        values = [
            person.name,
            _GENDER_LABEL.get(person.gender, ""),
            person.ethnicity,
            format_birth_month(person.birth_date),
            privacy.shown_id_number(user, person, person.id_number)
            if user is not None
            else person.id_number or "",
            person.education,
            membership.joined_on.isoformat() if membership and membership.joined_on else "",
            membership.get_category_display() if membership else "",
            membership.employer.name if membership and membership.employer else "",
            membership.position if membership else "",
            privacy.shown_mobile(user, person, person.mobile) if user is not None else person.mobile,
            person.community.name,
            person.building.name if person.building else "",
            person.unit_room,
            "、".join(membership.specialties) if membership else "",
            person.note,
        ]
        sheet.append([number, *(_text_cell(sheet, value) for value in values)])

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _text_cell(sheet, value: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=clean_text(value))  # core.xlsx: no control characters, never a formula
    cell.data_type = "s"  # openpyxl would take a leading "=" as a formula; a name is never a formula
    cell.number_format = "@"
    return cell
