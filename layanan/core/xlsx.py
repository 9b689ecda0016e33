"""Spreadsheets for download (openpyxl): one sheet, a bold header, dates as dates."""

import io
import re
from datetime import date, datetime

from django.http import HttpResponse
from django.utils.functional import Promise
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _cell(value):
    if isinstance(value, Promise):  # a lazy translation
        value = str(value)
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)  # openpyxl refuses them in a cell
        # A cell starting with = + - @ would be a formula in Excel (CSV/formula injection).
        return "'" + value if value[:1] in ("=", "+", "-", "@") else value
    return value


def workbook_bytes(header: list[str], rows: list[list], *, title: str = "Data") -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = re.sub(r"[\[\]:*?/\\]", "", str(title))[:31] or "Data"
    sheet.append([str(h) for h in header])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_cell(v) for v in row])
    for column, _title in enumerate(header, start=1):
        letter = sheet.cell(row=1, column=column).column_letter
        for row_cells in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
            for cell in row_cells:
                if isinstance(cell.value, datetime):
                    cell.number_format = "dd/mm/yyyy hh:mm"
                elif isinstance(cell.value, date):
                    cell.number_format = "dd/mm/yyyy"
        sheet.column_dimensions[letter].width = 22
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def response(header, rows, *, filename: str, title: str = "Data") -> HttpResponse:
    result = HttpResponse(workbook_bytes(header, rows, title=title), content_type=CONTENT_TYPE)
    result["Content-Disposition"] = f'attachment; filename="{filename}"'
    result["Cache-Control"] = "private, no-store"
    result["X-Content-Type-Options"] = "nosniff"
    return result
