"""CSV (streamed) and XLSX (openpyxl write-only) files of the dashboard's tables.

CSV is written for Swedish Excel: UTF-8 with a byte order mark, `;` between fields. Text that
a spreadsheet would run as a formula (starting with = + - @, tab or carriage return) is
prefixed with an apostrophe, in both formats: names come from the HR system's file.
"""

from __future__ import annotations

import csv
import datetime
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from .selectors import UnitRow

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK = 2000


@dataclass
class Table:
    title: str
    header: list[str]
    rows: Iterable[list]
    # Column widths in characters for XLSX (rows are streamed, so not measured); None: from
    # the header.
    widths: list[int] | None = None


def safe(value):
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _goal_text(row: UnitRow) -> tuple[int | str, str]:
    if row.goal is None:
        return "", ""
    if row.goal.reached is None:
        reached = _("Nobody assigned")
    else:
        reached = _("Reached") if row.goal.reached else _("Not reached")
    return row.goal.goal.target_percent, reached


def unit_table(rows: list[UnitRow]) -> Table:
    # Headers are translated now, while the admin's language is active.
    header = [
        _("Unit code"),
        _("Unit"),
        _("Level"),
        _("People"),
        _("Assigned"),
        _("Completed"),
        _("In progress"),
        _("Not started"),
        _("Overdue"),
        _("Expired"),
        _("Exempted"),
        _("Coverage (%)"),
        _("Goal (%)"),
        _("Goal reached"),
    ]

    def lines() -> Iterator[list]:
        for row in rows:
            f = row.figures
            target, reached = _goal_text(row)
            yield [
                safe(row.unit.code),
                safe(row.unit.name),
                row.unit.depth,
                f.people,
                f.assigned,
                f.completed,
                f.in_progress,
                f.not_started,
                f.overdue,
                f.expired,
                f.exempted,
                "" if f.coverage is None else f.coverage,
                target,
                reached,
            ]

    return Table(_("Coverage per unit"), header, lines(), [12, 36, 6] + [12] * 11)


def overdue_table(assignments, today: datetime.date) -> Table:
    header = [
        _("Employee number"),
        _("Name"),
        _("Unit code"),
        _("Unit"),
        _("Course"),
        _("Assigned"),
        _("Due date"),
        _("Days overdue"),
    ]

    def lines() -> Iterator[list]:
        for a in assignments.iterator(chunk_size=CHUNK):
            person = getattr(a.user, "person", None)
            unit = person.unit if person else None
            yield [
                safe(person.employee_number if person else ""),
                safe(a.user.get_full_name() or a.user.get_username()),
                safe(unit.code if unit else ""),
                safe(unit.name if unit else ""),
                safe(a.course_title),
                timezone.localdate(a.assigned_at),
                a.due_on,
                (today - a.due_on).days,
            ]

    return Table(_("Overdue assignments"), header, lines(), [14, 30, 12, 30, 36, 12, 12, 10])


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_value(value):
    return value.isoformat() if isinstance(value, datetime.date) else value


def csv_response(filename: str, table: Table) -> StreamingHttpResponse:
    writer = csv.writer(_Echo(), delimiter=";")

    def stream() -> Iterator[str]:
        yield "\ufeff" + writer.writerow(table.header)
        for row in table.rows:
            yield writer.writerow([_csv_value(v) for v in row])

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def xlsx_response(filename: str, table: Table) -> FileResponse:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=table.title[:31])
    # Set before the first row: a write-only sheet writes its settings first.
    sheet.freeze_panes = "A2"
    for number, title in enumerate(table.header, start=1):
        width = table.widths[number - 1] if table.widths else 12
        sheet.column_dimensions[get_column_letter(number)].width = max(width, len(title) + 2)
    bold = Font(bold=True)
    header = []
    for title in table.header:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in table.rows:
        sheet.append(row)
    # Spooled: small files stay in memory, large ones go to disk, never both whole.
    output = tempfile.SpooledTemporaryFile(max_size=8 * 2**20)  # noqa: SIM115 (FileResponse closes it)
    workbook.save(output)
    output.seek(0)
    response = FileResponse(output, as_attachment=True, filename=filename, content_type=XLSX_TYPE)
    response["Cache-Control"] = "no-store"
    return response
