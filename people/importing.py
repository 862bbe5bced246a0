"""Reading and applying the HR system's employee file (CSV or XLSX, Swedish headers).

`read_rows` turns a file into dicts, `plan_import` checks every row against the file and the
database and works out what would change, `apply_plan` writes it in one transaction. A file
with any error applies nothing.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from . import signals
from .models import OrgUnit, Person, Sex

# Header in the file → field. Names as exported by Swedish HR systems (Heroma, Visma).
COLUMNS = {
    "Anställningsnummer": "employee_number",
    "Förnamn": "first_name",
    "Efternamn": "last_name",
    "E-post": "email",
    "Enhetskod": "unit_code",
    "Enhetsnamn": "unit_name",
    "Överordnad enhetskod": "parent_code",
    "Befattning": "position_title",
    "Chef": "is_manager",
    "Anställningsdatum": "start_date",
    "Slutdatum": "end_date",
    "Kön": "sex",
}
REQUIRED = ["Anställningsnummer", "Förnamn", "Efternamn", "E-post", "Enhetskod", "Enhetsnamn"]
HEADER_OF = {value: key for key, value in COLUMNS.items()}
YES = {"ja", "j", "yes", "x", "1", "sant", "true"}  # "true": a real boolean cell in Excel
NO = {"nej", "n", "no", "0", "", "falskt", "false"}
SEX = {
    "k": Sex.WOMAN,
    "kvinna": Sex.WOMAN,
    "m": Sex.MAN,
    "man": Sex.MAN,
    "": Sex.OTHER,
    "annat": Sex.OTHER,
    "a": Sex.OTHER,
    "ej angivet": Sex.OTHER,
    "x": Sex.OTHER,
}
MAX_ROWS = 200_000
# An XLSX file is a zip of XML files: its size on disk says little about what unpacking it
# takes (a "zip bomb" of 1 MB can hold gigabytes of repeated text). What is inside is checked
# from the zip's directory before openpyxl reads anything; Python's zipfile never unpacks more
# than a member's stated size. The limits are what a large employer's file needs with room to
# spare: 60,000 employees × 12 columns unpack to 26 MB of sheet and 4.7 MB of shared strings as
# Excel writes them (every text in the shared table), 41 MB of sheet with the texts inline. Up to
# these limits reading takes less than 400 MB (tests/security/test_import_tamper.py measures it).
XLSX_MAX_UNPACKED = 64 * 2**20
# openpyxl keeps every shared string in memory, as a Python string, while it reads the sheet:
# 16 MB of short unique strings are about a million of them.
XLSX_MAX_SHARED_STRINGS = 16 * 2**20
# Office XML packs about 5-20 to 1; a bomb packs near deflate's limit of about 1000 to 1.
XLSX_MAX_RATIO = 200
XLSX_MAX_MEMBERS = 1000
# openpyxl builds a whole row (as XML and as cells) before giving it back: one row of millions
# of cells would take gigabytes. Counted in the sheet's XML, streaming, before it is read.
XLSX_MAX_CELLS_PER_ROW = 1000
_NO_VALUES: list = []  # every empty XLSX row, shared (never changed)
_ROW_OR_CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c)[\s/>]")


class ImportFileError(Exception):
    """The file as a whole cannot be read (format, encoding, missing columns)."""


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return _("row %(row)s, column %(column)s: %(message)s") % {
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


@dataclass
class EmployeeRow:
    row: int
    employee_number: str
    first_name: str
    last_name: str
    email: str
    unit_code: str
    unit_name: str
    parent_code: str
    position_title: str
    is_manager: bool
    start_date: date | None
    end_date: date | None
    sex: str


@dataclass
class ImportPlan:
    rows: list[EmployeeRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    units_new: list[str] = field(default_factory=list)
    units_changed: list[str] = field(default_factory=list)
    units_deactivated: list[str] = field(default_factory=list)
    people_new: list[str] = field(default_factory=list)
    people_changed: dict[str, list[str]] = field(default_factory=dict)
    leavers: list[str] = field(default_factory=list)
    returners: list[str] = field(default_factory=list)
    today: date = field(default_factory=timezone.localdate)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self, sample: int = 25) -> dict:
        return {
            "rows": len(self.rows),
            "units_new": len(self.units_new),
            "units_changed": len(self.units_changed),
            "units_deactivated": len(self.units_deactivated),
            "people_new": len(self.people_new),
            "people_changed": len(self.people_changed),
            "leavers": len(self.leavers),
            "returners": len(self.returners),
            "sample": {
                "units_new": self.units_new[:sample],
                "people_new": self.people_new[:sample],
                "people_changed": [
                    f"{number}: {', '.join(fields)}"
                    for number, fields in list(self.people_changed.items())[:sample]
                ],
                "leavers": self.leavers[:sample],
            },
        }


# ---------------------------------------------------------------- reading


def read_rows(content: bytes, filename: str) -> list[dict[str, str]]:
    """Rows as {header: text}, header row first in the file. Raises ImportFileError."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        raw = _read_xlsx(content)
    elif name.endswith((".csv", ".txt")):
        raw = _read_csv(content)
    else:
        raise ImportFileError(_("The file must be CSV or XLSX (Excel)."))
    if not raw:
        raise ImportFileError(_("The file is empty."))
    header = [str(cell or "").strip() for cell in raw[0]]
    missing = [column for column in REQUIRED if column not in header]
    if missing:
        raise ImportFileError(
            _("The file lacks the column(s): %(columns)s. Expected headers: %(expected)s.")
            % {"columns": ", ".join(missing), "expected": ", ".join(COLUMNS)}
        )
    if len(raw) - 1 > MAX_ROWS:
        raise ImportFileError(_("The file has more than %(max)s rows.") % {"max": MAX_ROWS})
    rows = []
    for values in raw[1:]:
        cells = [_text(v) for v in values]
        if not any(cells):
            rows.append({})  # keep row numbers right; empty rows are skipped later
            continue
        rows.append({h: (cells[i] if i < len(cells) else "") for i, h in enumerate(header) if h})
    return rows


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()[:10]
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _file_error_at(row: int, message: str) -> ImportFileError:
    return ImportFileError(_("row %(row)s: %(message)s") % {"row": row, "message": message})


def _read_csv(content: bytes) -> list[list[str]]:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes almost anything
        raise ImportFileError(_("The file's characters could not be read; save it as UTF-8."))
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    rows: list[list[str]] = []
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        for values in reader:
            rows.append(values)
            if len(rows) > MAX_ROWS + 1:  # stop reading: read_rows reports the size
                break
    except csv.Error as exc:
        # The record being read when the reader gave up starts on the row after the last one
        # read (row 1 is the header), which is where a quotation mark was left open.
        row = len(rows) + 1
        if "field limit" in str(exc):
            raise _file_error_at(
                row,
                _(
                    "a field is longer than %(limit)s characters; most likely a quotation "
                    'mark (") on this row is never closed.'
                )
                % {"limit": csv.field_size_limit()},
            ) from exc
        raise _file_error_at(row, _("the row could not be read as CSV.")) from exc
    return rows


def _check_xlsx_sizes(content: bytes) -> None:
    """Refuse an XLSX whose contents unpack to more than an employee file can need."""
    try:
        members = zipfile.ZipFile(io.BytesIO(content)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise ImportFileError(_("The Excel file could not be opened.")) from exc
    too_big = ImportFileError(
        _(
            "The Excel file unpacks to more than %(mb)s MB, far more than an employee file "
            "needs; it was not read. Save the sheet again from Excel, or as CSV."
        )
        % {"mb": XLSX_MAX_UNPACKED // 2**20}
    )
    if len(members) > XLSX_MAX_MEMBERS:
        raise too_big
    if sum(member.file_size for member in members) > XLSX_MAX_UNPACKED:
        raise too_big
    for member in members:
        if member.filename.lower().endswith("sharedstrings.xml") and (
            member.file_size > XLSX_MAX_SHARED_STRINGS
        ):
            raise ImportFileError(
                _(
                    "The Excel file's text table unpacks to more than %(mb)s MB; it was not "
                    "read. Save the sheet again from Excel, or as CSV."
                )
                % {"mb": XLSX_MAX_SHARED_STRINGS // 2**20}
            )
        if member.file_size > 2**20 and member.file_size > XLSX_MAX_RATIO * max(
            member.compress_size, 1
        ):
            raise ImportFileError(
                _(
                    "Parts of the Excel file are packed %(ratio)s to 1, far tighter than a "
                    "real spreadsheet; it was not read. Save the sheet again from Excel, or as "
                    "CSV."
                )
                % {"ratio": member.file_size // max(member.compress_size, 1)}
            )


def _check_xlsx_rows(content: bytes) -> None:
    """Refuse a sheet with a row wider than XLSX_MAX_CELLS_PER_ROW, reading its XML in chunks."""
    package = zipfile.ZipFile(io.BytesIO(content))
    for member in package.infolist():
        if not member.filename.lower().startswith("xl/worksheets/"):
            continue
        cells, tail = 0, b""
        with package.open(member) as sheet:
            while True:
                chunk = sheet.read(2**20)
                text = tail + chunk
                # A tag cut by the chunk's end is read with the next chunk.
                keep = max(len(text) - 64, 0) if chunk else len(text)
                done = 0
                for match in _ROW_OR_CELL.finditer(text, 0, keep):
                    done = match.end()
                    cells = 0 if match.group(1) == b"row" else cells + 1
                    if cells > XLSX_MAX_CELLS_PER_ROW:
                        raise ImportFileError(
                            _(
                                "A row of the Excel sheet has more than %(max)s cells, far "
                                "more than an employee file needs; it was not read. Save "
                                "the sheet again with only the employee columns, or as CSV."
                            )
                            % {"max": XLSX_MAX_CELLS_PER_ROW}
                        )
                if not chunk:
                    break
                tail = text[max(done, keep - 64) :]


def _read_xlsx(content: bytes) -> list[list]:
    from openpyxl import load_workbook

    _check_xlsx_sizes(content)
    try:
        _check_xlsx_rows(content)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as exc:
        raise ImportFileError(_("The Excel file could not be opened.")) from exc
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise ImportFileError(_("The Excel file could not be opened.")) from exc
    rows: list[list] = []
    try:
        sheet = workbook.worksheets[0]
        # openpyxl pads every row to the width and height the sheet's <dimension> declares, and
        # to the farthest cell of each row: a 5 KB file declaring A1:XFD1048576 took 1.45 GB.
        # Only the columns named in the header are kept, so no row is wider than the header.
        sheet.reset_dimensions()
        header_rows = sheet.iter_rows(max_row=1, max_col=XLSX_MAX_CELLS_PER_ROW, values_only=True)
        header = next(header_rows, None)
        header_rows.close()
        if header is None:  # a sheet without a single row
            return []
        # The last column of each known header, as read_rows keeps the last of a repeated one.
        where = {str(cell).strip(): i for i, cell in enumerate(header) if cell is not None}
        keep = sorted(i for name, i in where.items() if name in COLUMNS)
        rows.append([header[i] for i in keep])
        if keep:
            for row in sheet.iter_rows(min_row=2, max_col=keep[-1] + 1, values_only=True):
                values = [row[i] for i in keep]
                # A row number far below the last one (a stray cell at row 1,048,576) yields an
                # empty row for each one missing: those share one object instead of a list each.
                rows.append(values if any(v is not None for v in values) else _NO_VALUES)
                if len(rows) > MAX_ROWS + 1:  # stop reading: read_rows reports the size
                    break
    except Exception as exc:  # broken XML inside the sheet shows only while reading it
        raise _file_error_at(
            len(rows) + 1, _("the Excel sheet could not be read from this row on.")
        ) from exc
    finally:
        workbook.close()
    return rows


# ---------------------------------------------------------------- checking


def _date(value: str, row: int, header: str, errors: list[RowError]) -> date | None:
    if not value:
        return None
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", value)
    try:
        if not match:
            raise ValueError
        return date(*map(int, match.groups()))
    except ValueError:
        errors.append(
            RowError(row, header, _("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": value})
        )
        return None


def _check_rows(raw: list[dict[str, str]], errors: list[RowError]) -> list[EmployeeRow]:
    rows: list[EmployeeRow] = []
    numbers: dict[str, int] = {}
    emails: dict[str, int] = {}
    for index, values in enumerate(raw, start=2):  # row 1 is the header
        if not values:
            continue
        before = len(errors)
        get = values.get
        for header in REQUIRED:
            if not get(header, ""):
                errors.append(RowError(index, header, _("a value is required.")))
        number = get("Anställningsnummer", "")
        email = get("E-post", "").lower()
        if number and number in numbers:
            errors.append(
                RowError(
                    index,
                    "Anställningsnummer",
                    _("“%(value)s” also appears on row %(other)s.")
                    % {"value": number, "other": numbers[number]},
                )
            )
        numbers.setdefault(number, index)
        if email:
            try:
                validate_email(email)
            except ValidationError:
                errors.append(
                    RowError(
                        index,
                        "E-post",
                        _("“%(value)s” is not an email address.") % {"value": email},
                    )
                )
            if email in emails:
                errors.append(
                    RowError(
                        index,
                        "E-post",
                        _("“%(value)s” also appears on row %(other)s.")
                        % {"value": email, "other": emails[email]},
                    )
                )
            emails.setdefault(email, index)
        manager_text = get("Chef", "").lower()
        if manager_text not in YES | NO:
            errors.append(
                RowError(
                    index,
                    "Chef",
                    _("write Ja or Nej, not “%(value)s”.") % {"value": get("Chef", "")},
                )
            )
        sex_text = get("Kön", "").lower()
        if sex_text not in SEX:
            errors.append(
                RowError(
                    index,
                    "Kön",
                    _("write K, M or Annat (or leave empty), not “%(value)s”.")
                    % {"value": get("Kön")},
                )
            )
        start = _date(get("Anställningsdatum", ""), index, "Anställningsdatum", errors)
        end = _date(get("Slutdatum", ""), index, "Slutdatum", errors)
        if start and end and end < start:
            errors.append(RowError(index, "Slutdatum", _("the end date is before the start date.")))
        if len(errors) > before:
            continue
        rows.append(
            EmployeeRow(
                row=index,
                employee_number=number,
                first_name=get("Förnamn", ""),
                last_name=get("Efternamn", ""),
                email=email,
                unit_code=get("Enhetskod", ""),
                unit_name=get("Enhetsnamn", ""),
                parent_code=get("Överordnad enhetskod", ""),
                position_title=get("Befattning", ""),
                is_manager=manager_text in YES,
                start_date=start,
                end_date=end,
                sex=SEX[sex_text],
            )
        )
    return rows


def plan_import(
    raw: list[dict[str, str]], *, progress: Callable[[int, int], None] | None = None
) -> ImportPlan:
    """Check every row and work out the changes. Reads the database, writes nothing."""
    plan = ImportPlan()
    plan.rows = _check_rows(raw, plan.errors)
    if progress:
        progress(len(raw) // 2, len(raw))

    # Units: every code in the file, its name and parent; parents must be known.
    units: dict[str, tuple[str, str, int]] = {}
    for row in plan.rows:
        known = units.get(row.unit_code)
        if known and (known[0] != row.unit_name or known[1] != row.parent_code):
            plan.errors.append(
                RowError(
                    row.row,
                    "Enhetsnamn",
                    _("unit %(code)s has another name or parent on row %(other)s.")
                    % {"code": row.unit_code, "other": known[2]},
                )
            )
        units.setdefault(row.unit_code, (row.unit_name, row.parent_code, row.row))
    existing_units = {u.code: u for u in OrgUnit.objects.all()}
    code_by_path = {u.path: u.code for u in existing_units.values()}
    for code, (_name, parent, row) in units.items():
        if parent and parent not in units and parent not in existing_units:
            plan.errors.append(
                RowError(
                    row,
                    "Överordnad enhetskod",
                    _("unknown unit code “%(code)s”.") % {"code": parent},
                )
            )
        if parent == code:
            plan.errors.append(
                RowError(row, "Överordnad enhetskod", _("a unit cannot be its own parent."))
            )
    # Loops are checked on the tree as it will be: the database's parents, overridden by the file.
    parent_of = {
        code: code_by_path.get(unit.path[: -OrgUnit.steplen], "")
        for code, unit in existing_units.items()
    }
    parent_of.update({code: parent for code, (_n, parent, _r) in units.items()})
    _check_cycles(units, parent_of, plan)

    # People: by employee number; an email may not belong to someone else.
    people = {p.employee_number: p for p in Person.objects.select_related("user", "unit")}
    User = get_user_model()
    emails = [r.email for r in plan.rows]
    # Addresses and logins are compared without regard to case: Anna@x.se is anna@x.se.
    email_owner = dict(
        User.objects.annotate(e=Lower("email")).filter(e__in=emails).values_list("e", "pk")
    )
    login_owner = dict(
        User.objects.annotate(u=Lower("username")).filter(u__in=emails).values_list("u", "pk")
    )
    for row in plan.rows:
        person = people.get(row.employee_number)
        mine = person.user_id if person else None
        for owner in (email_owner.get(row.email), login_owner.get(row.email)):
            if owner is not None and owner != mine:
                plan.errors.append(
                    RowError(
                        row.row,
                        "E-post",
                        _("“%(value)s” already belongs to another account.") % {"value": row.email},
                    )
                )
                break
        if (
            person
            and (person.user.is_superuser or person.user.is_staff)
            and (person.user.email.lower() != row.email)
        ):
            # The file must not be a way to take over an administrator's account.
            plan.errors.append(
                RowError(
                    row.row,
                    "E-post",
                    _("the person has an administrator account; change its email in the admin."),
                )
            )
    if plan.errors:
        plan.errors.sort(key=lambda e: e.row)
        return plan

    for code, (name, parent, _row) in units.items():
        unit = existing_units.get(code)
        if unit is None:
            plan.units_new.append(code)
        else:
            current_parent = code_by_path.get(unit.path[: -OrgUnit.steplen], "")
            if unit.name != name or current_parent != parent or not unit.active:
                plan.units_changed.append(code)
    plan.units_deactivated = [
        code for code, unit in existing_units.items() if unit.active and code not in units
    ]
    in_file = set()
    for row in plan.rows:
        in_file.add(row.employee_number)
        person = people.get(row.employee_number)
        if person is None:
            plan.people_new.append(row.employee_number)
            continue
        changed = _person_changes(person, row)
        if changed:
            plan.people_changed[row.employee_number] = changed
        if person.end_date and not row.end_date:
            plan.returners.append(row.employee_number)
    plan.leavers = [
        number
        for number, person in people.items()
        if number not in in_file and person.end_date is None and person.anonymised_at is None
    ]
    if progress:
        progress(len(raw), len(raw))
    return plan


def _check_cycles(
    units: dict[str, tuple[str, str, int]], parent_of: dict[str, str], plan: ImportPlan
) -> None:
    for code in units:
        seen = {code}
        parent = parent_of.get(code, "")
        while parent:
            if parent in seen:
                plan.errors.append(
                    RowError(
                        units[code][2],
                        "Överordnad enhetskod",
                        _("the units form a loop (%(code)s).") % {"code": code},
                    )
                )
                break
            seen.add(parent)
            parent = parent_of.get(parent, "")


def _person_changes(person: Person, row: EmployeeRow) -> list[str]:
    user = person.user
    pairs = [
        ("Förnamn", user.first_name, row.first_name),
        ("Efternamn", user.last_name, row.last_name),
        ("E-post", user.email.lower(), row.email),
        ("Enhetskod", person.unit.code if person.unit else "", row.unit_code),
        ("Befattning", person.position_title, row.position_title),
        ("Chef", person.is_manager, row.is_manager),
        ("Anställningsdatum", person.start_date, row.start_date),
        ("Slutdatum", person.end_date, row.end_date),
        ("Kön", person.sex, row.sex),
    ]
    return [header for header, old, new in pairs if old != new]


# ---------------------------------------------------------------- applying


@transaction.atomic
def apply_plan(plan: ImportPlan) -> dict:
    """Write the planned changes; all or nothing. Returns the counts."""
    if not plan.ok:
        raise ValueError("a plan with errors cannot be applied")
    units = _apply_units(plan)
    _apply_people(plan, units)
    transaction.on_commit(lambda: signals.organisation_changed.send(sender=OrgUnit))
    return plan.summary(sample=0)


def _apply_units(plan: ImportPlan) -> dict[str, OrgUnit]:
    wanted: dict[str, tuple[str, str]] = {}
    for row in plan.rows:
        wanted.setdefault(row.unit_code, (row.unit_name, row.parent_code))
    by_code = {u.code: u for u in OrgUnit.objects.all()}

    def depth_of(code: str) -> int:
        depth, parent = 0, wanted[code][1]
        while parent and parent in wanted:
            depth, parent = depth + 1, wanted[parent][1]
        return depth

    for code in sorted(wanted, key=depth_of):  # parents before children
        name, parent_code = wanted[code]
        parent = by_code.get(parent_code) if parent_code else None
        if parent is not None:
            parent.refresh_from_db()  # earlier moves and additions change paths and counts
        unit = by_code.get(code)
        if unit is None:
            new = OrgUnit(code=code, name=name)
            unit = parent.add_child(instance=new) if parent else OrgUnit.add_root(instance=new)
            by_code[code] = unit
            continue
        unit.refresh_from_db()
        current_parent = unit.get_parent()
        if (current_parent.code if current_parent else "") != parent_code:
            if parent is None:
                root = OrgUnit.get_first_root_node()
                unit.move(root, pos="last-sibling")
            else:
                parent.refresh_from_db()
                unit.move(parent, pos="last-child")
            unit.refresh_from_db()
        if unit.name != name or not unit.active:
            OrgUnit.objects.filter(pk=unit.pk).update(name=name, active=True)
    OrgUnit.objects.filter(code__in=plan.units_deactivated).update(active=False)
    return {u.code: u for u in OrgUnit.objects.filter(code__in=wanted)}


def _apply_people(plan: ImportPlan, units: dict[str, OrgUnit]) -> None:
    User = get_user_model()
    people = {p.employee_number: p for p in Person.objects.select_related("user")}
    unusable = make_password(None)  # new people log in with SSO or set a password by email
    new_users, new_people, changed_users, changed_people = [], [], [], []
    for row in plan.rows:
        person = people.get(row.employee_number)
        if person is None:
            user = User(
                username=row.email,
                email=row.email,
                first_name=row.first_name,
                last_name=row.last_name,
                password=unusable,
            )
            new_users.append(user)
            new_people.append((user, row))
            continue
        user = person.user
        if user.username.lower() == user.email.lower():  # the login follows the email
            user.username = row.email
        user.first_name, user.last_name = row.first_name, row.last_name
        user.email = row.email
        changed_users.append(user)
        _fill(person, row, units)
        changed_people.append(person)
    User.objects.bulk_create(new_users, batch_size=2000)
    if new_users and new_users[0].pk is None:  # backends without RETURNING ids
        ids = dict(
            User.objects.filter(username__in=[u.username for u in new_users]).values_list(
                "username", "pk"
            )
        )
        for user in new_users:
            user.pk = ids[user.username]
    created = []
    for user, row in new_people:
        person = Person(user_id=user.pk, employee_number=row.employee_number)
        _fill(person, row, units)
        created.append(person)
    Person.objects.bulk_create(created, batch_size=2000)
    User.objects.bulk_update(
        changed_users, ["first_name", "last_name", "email", "username"], batch_size=2000
    )
    Person.objects.bulk_update(
        changed_people,
        [
            "unit",
            "is_manager",
            "is_staff_member",
            "position_title",
            "start_date",
            "end_date",
            "sex",
        ],
        batch_size=2000,
    )
    Person.objects.filter(employee_number__in=plan.leavers).update(end_date=plan.today)
    # Whoever has left by today cannot log in; a future end date is a notice period.
    gone = [r.employee_number for r in plan.rows if r.end_date and r.end_date <= plan.today]
    User.objects.filter(person__employee_number__in=[*plan.leavers, *gone]).update(is_active=False)
    still_here = [r.employee_number for r in plan.rows if not r.end_date or r.end_date > plan.today]
    User.objects.filter(
        person__employee_number__in=[n for n in plan.returners if n in set(still_here)]
    ).update(is_active=True)

    # Managers of each unit in the file: exactly the people marked Chef there.
    managers: dict[int, list[int]] = {}
    user_ids = dict(
        Person.objects.filter(
            employee_number__in=[r.employee_number for r in plan.rows if r.is_manager]
        ).values_list("employee_number", "user_id")
    )
    for row in plan.rows:
        if row.is_manager and (not row.end_date or row.end_date > plan.today):
            managers.setdefault(units[row.unit_code].pk, []).append(user_ids[row.employee_number])
    through = OrgUnit.managers.through
    # Units in the file get exactly their managers; units gone from the file keep none, and
    # people who left manage nothing.
    through.objects.filter(orgunit_id__in=[u.pk for u in units.values()]).delete()
    through.objects.filter(orgunit__code__in=plan.units_deactivated).delete()
    through.objects.filter(user__person__employee_number__in=[*plan.leavers, *gone]).delete()
    through.objects.bulk_create(
        [
            through(orgunit_id=unit_id, user_id=user_id)
            for unit_id, user_ids_ in managers.items()
            for user_id in user_ids_
        ],
        batch_size=2000,
    )


def _fill(person: Person, row: EmployeeRow, units: dict[str, OrgUnit]) -> None:
    person.unit = units[row.unit_code]
    person.is_manager = row.is_manager
    person.is_staff_member = not row.is_manager
    person.position_title = row.position_title
    person.start_date = row.start_date
    person.end_date = row.end_date
    person.sex = row.sex


def errors_as_text(errors: Iterable[RowError]) -> list[str]:
    return [str(error) for error in errors]
