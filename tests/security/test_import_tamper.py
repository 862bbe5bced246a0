"""Employee imports that must end: bad files, broken runs and killed workers.

Every bad file is made here, in the test. Whatever goes wrong, the import ends as invalid (the
file) or failed (the run) with a Swedish message, within bounded time and memory; nothing is
applied; and the same file can be uploaded again.
"""

from __future__ import annotations

import csv
import importlib
import io
import os
import subprocess
import sys
import threading
import time
import tracemalloc
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from people import importing, services, tasks
from people.models import EmployeeImport, ImportStatus, OrgUnit, Person
from people.sample import as_csv, sample_rows
from tests.helpers import login_via_form, require, require_postgres, wait_for

ROOT = Path(__file__).resolve().parents[2]
UPLOAD = "/admin/employee-imports/new/"
RUNNING = {ImportStatus.PENDING, ImportStatus.CHECKING, ImportStatus.APPLYING}

OPEN_QUOTE_ON_ROW_3 = (
    'rad 3: ett fält är längre än 131072 tecken; troligen avslutas aldrig ett citattecken (") '
    "på den här raden."
)
XLSX_TOO_BIG = (
    "Excelfilen packas upp till mer än 64 MB, långt mer än en personalfil behöver; den lästes "
    "inte. Spara bladet på nytt från Excel, eller som CSV."
)
UNEXPECTED = (
    "Importen avbröts av ett oväntat fel; ingenting ändrades. Ladda upp filen igen; om det "
    "händer igen, kontakta systemadministratören."
)
CONNECTION_LOST = (
    "Anslutningen till databasen bröts under importen; ingenting ändrades. Ladda upp filen igen."
)
TIME_LIMIT = (
    "Importen tog längre tid än den får ta och avbröts; ingenting ändrades. Ladda upp filen "
    "igen; om det händer igen, kontakta systemadministratören."
)


# ---------------------------------------------------------------- files made here


def open_quote_csv(people: int = 1900) -> bytes:
    """A real export in which row 3 opens a quotation mark that is never closed: the csv
    module reads the rest of the file as one field, past its limit of 131,072 characters."""
    lines = as_csv(sample_rows(people)).decode("utf-8-sig").split("\r\n")
    lines[2] = lines[2].replace(";", ';"', 1)
    content = "\r\n".join(lines).encode("utf-8-sig")
    assert len(content) > 1.5 * csv.field_size_limit()
    return content


def big_csv(people: int) -> bytes:
    """A valid file with many rows, quick to make."""
    lines = [";".join(importing.COLUMNS)]
    lines += [
        f"B{n:06d};Anna;Andersson;anna.{n}@exempelkommun.se;KOMMUN;Exempelkommun;;"
        "Handläggare;Nej;2020-01-01;;K"
        for n in range(people)
    ]
    return ("\r\n".join(lines) + "\r\n").encode()


_NS = "http://schemas.openxmlformats.org/"
_PARTS = {
    "[Content_Types].xml": (
        f'<Types xmlns="{_NS}package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
        'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.'
        'openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
    ),
    "_rels/.rels": (
        f'<Relationships xmlns="{_NS}package/2006/relationships"><Relationship Id="rId1" '
        f'Type="{_NS}officeDocument/2006/relationships/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        f'<workbook xmlns="{_NS}spreadsheetml/2006/main" '
        f'xmlns:r="{_NS}officeDocument/2006/relationships"><sheets>'
        '<sheet name="Personal" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        f'<Relationships xmlns="{_NS}package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{_NS}officeDocument/2006/relationships/worksheet" '
        'Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{_NS}officeDocument/2006/relationships/sharedStrings" '
        'Target="sharedStrings.xml"/></Relationships>'
    ),
}


def xlsx_with_shared_strings(rows: list[list[str]], *, padding_mb: int = 0) -> bytes:
    """An Excel workbook as Excel writes it (every text in the shared-strings table), with
    `padding_mb` MB of extra, highly repetitive shared strings: about 1 MB on disk per
    1,000 MB unpacked. Written in chunks, so making it takes no memory to speak of."""
    strings: dict[str, int] = {}
    sheet_rows = []
    for number, values in enumerate(rows, start=1):
        cells = "".join(
            f'<c r="{chr(65 + column)}{number}" t="s"><v>{strings.setdefault(value, len(strings))}'
            "</v></c>"
            for column, value in enumerate(values)
        )
        sheet_rows.append(f'<row r="{number}">{cells}</row>')
    sheet = f'<worksheet xmlns="{_NS}spreadsheetml/2006/main"><sheetData>{"".join(sheet_rows)}'
    sheet += "</sheetData></worksheet>"
    entry = b"<si><t>" + b"A" * 90 + b"</t></si>"
    per_mb = 2**20 // len(entry)
    count = len(strings) + padding_mb * per_mb
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as package:
        for name, xml in _PARTS.items():
            package.writestr(name, xml)
        package.writestr("xl/worksheets/sheet1.xml", sheet)
        with package.open("xl/sharedStrings.xml", "w") as table:
            table.write(
                f'<sst xmlns="{_NS}spreadsheetml/2006/main" count="{count}" '
                f'uniqueCount="{count}">'.encode()
            )
            for text in strings:
                table.write(f"<si><t>{text}</t></si>".encode())
            chunk = entry * per_mb
            for _ in range(padding_mb):
                table.write(chunk)
            table.write(b"</sst>")
    return buffer.getvalue()


def employee_sheet(people: int = 5) -> list[list[str]]:
    return [list(importing.COLUMNS)] + [
        [row[column] for column in importing.COLUMNS] for row in sample_rows(people)[:people]
    ]


def unpacked_size(content: bytes) -> int:
    return sum(member.file_size for member in zipfile.ZipFile(io.BytesIO(content)).infolist())


@pytest.fixture(scope="module")
def xlsx_bomb() -> bytes:
    bomb = xlsx_with_shared_strings(employee_sheet(), padding_mb=300)
    assert len(bomb) < 1.5 * 2**20 and unpacked_size(bomb) > 300 * 10**6
    return bomb


# ---------------------------------------------------------------- helpers


@pytest.fixture
def admin_client(client, demo_site, demo_users):
    assert login_via_form(client, "admin", demo_users)  # the first import is an administrator's
    return client


@pytest.fixture
def worker(transactional_db, request):
    # The worker writes while the test polls: SQLite's shared in-memory test database answers
    # that with "table is locked" instead of waiting, so this needs PostgreSQL.
    require_postgres()
    return request.getfixturevalue("celery_worker")


def upload(client, content: bytes, name: str = "personal.csv") -> EmployeeImport:
    before = set(EmployeeImport.objects.values_list("pk", flat=True))
    response = client.post(UPLOAD, {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 302, response.content[:500]
    return EmployeeImport.objects.exclude(pk__in=before).get()


def ended(
    employee_import: EmployeeImport, seconds: float = 60, *, still: set[str] = RUNNING
) -> EmployeeImport:
    assert wait_for(
        lambda: EmployeeImport.objects.get(pk=employee_import.pk).status not in still, seconds
    ), f"still {EmployeeImport.objects.get(pk=employee_import.pk).status} after {seconds} s"
    return EmployeeImport.objects.get(pk=employee_import.pk)


def nothing_applied() -> bool:
    return Person.objects.count() == 0 and OrgUnit.objects.count() == 0


def apply(client, employee_import: EmployeeImport) -> EmployeeImport:
    response = client.post(f"/admin/employee-imports/{employee_import.pk}/apply/")
    assert response.status_code == 302
    # A worker's apply starts from "ready to apply"; wait for it to be claimed and to end.
    return ended(employee_import, still={*RUNNING, ImportStatus.PREVIEW})


# ---------------------------------------------------------------- a quotation mark never closed


@pytest.mark.django_db
def test_an_open_quote_in_a_small_file_ends_invalid_naming_the_row(admin_client):
    content = open_quote_csv()
    assert content.count(b"\n") <= settings.EMPLOYEE_IMPORT_SYNC_MAX_ROWS  # checked at once
    employee_import = upload(admin_client, content)
    assert employee_import.status == ImportStatus.INVALID  # not an HTTP 500
    assert employee_import.errors == [OPEN_QUOTE_ON_ROW_3]
    page = admin_client.get(f"/admin/employee-imports/{employee_import.pk}/").content.decode()
    assert "rad 3: ett fält är längre än 131072 tecken" in page
    assert nothing_applied()


@pytest.mark.django_db(transaction=True)
def test_an_open_quote_in_a_large_file_ends_invalid_in_the_worker(admin_client, worker, settings):
    settings.EMPLOYEE_IMPORT_SYNC_MAX_ROWS = 100
    employee_import = ended(upload(admin_client, open_quote_csv()), 30)
    assert employee_import.status == ImportStatus.INVALID  # not "checking" forever
    assert employee_import.errors == [OPEN_QUOTE_ON_ROW_3]
    assert nothing_applied()


@pytest.mark.django_db
def test_import_employees_dry_run_names_the_row_in_swedish(tmp_path):
    path = tmp_path / "personal.csv"
    path.write_bytes(open_quote_csv())
    errors = io.StringIO()
    with pytest.raises(CommandError, match=r"^Inget importerades\.$"):
        call_command("import_employees", str(path), "--dry-run", stderr=errors)
    assert errors.getvalue().splitlines() == [OPEN_QUOTE_ON_ROW_3]
    assert EmployeeImport.objects.get().status == ImportStatus.INVALID


@pytest.mark.django_db(transaction=True)
def test_import_employees_exits_non_zero_without_a_traceback(tmp_path):
    require_postgres()  # the command runs in its own process, on the test database
    path = tmp_path / "personal.csv"
    path.write_bytes(open_quote_csv())
    result = subprocess.run(
        [sys.executable, "manage.py", "import_employees", str(path), "--dry-run"],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "lms.settings.test",
            "DATABASE_URL": _test_database_url(),
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [OPEN_QUOTE_ON_ROW_3, "CommandError: Inget importerades."]


def _test_database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


# ---------------------------------------------------------------- Excel zip bombs


def test_the_generated_workbook_is_one_that_would_be_read():
    # Without padding the same generator makes a file the import reads: the refusals below
    # are for the size alone.
    rows = importing.read_rows(xlsx_with_shared_strings(employee_sheet(3)), "personal.xlsx")
    assert [row["Anställningsnummer"] for row in rows] == ["E000001", "E000002", "E000003"]


def test_an_xlsx_bomb_is_refused_before_it_is_unpacked_quickly_and_in_little_memory(xlsx_bomb):
    # Once untraced first: loading the translation catalogues is not the file's cost (run alone,
    # it made the traced peak 8 MB).
    with pytest.raises(importing.ImportFileError):
        importing.read_rows(xlsx_bomb, "personal.xlsx")
    tracemalloc.start()
    started = time.monotonic()
    try:
        with pytest.raises(importing.ImportFileError) as refused:
            importing.read_rows(xlsx_bomb, "personal.xlsx")
        seconds = time.monotonic() - started
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert str(refused.value) == XLSX_TOO_BIG
    # Unpacking it took 115 s and 1 GB before the check; refusing it takes neither.
    assert seconds < 2
    assert peak < 3 * len(xlsx_bomb) + 2**20


def test_an_xlsx_whose_text_table_alone_is_too_big_is_refused():
    content = xlsx_with_shared_strings(employee_sheet(), padding_mb=20)
    assert unpacked_size(content) < importing.XLSX_MAX_UNPACKED  # only the text table is
    with pytest.raises(importing.ImportFileError) as refused:
        importing.read_rows(content, "personal.xlsx")
    assert str(refused.value) == (
        "Excelfilens texttabell packas upp till mer än 16 MB; filen lästes inte. Spara bladet "
        "på nytt från Excel, eller som CSV."
    )


def test_an_xlsx_packed_tighter_than_any_spreadsheet_is_refused():
    content = xlsx_with_shared_strings(employee_sheet(), padding_mb=3)  # small, but a bomb
    with pytest.raises(importing.ImportFileError) as refused:
        importing.read_rows(content, "personal.xlsx")
    assert str(refused.value).startswith("Delar av Excelfilen är packade ")
    assert "till 1, långt tätare än i ett riktigt kalkylblad; filen lästes inte." in str(
        refused.value
    )


def xlsx_at_the_limits(shape: str) -> bytes:
    """The largest XLSX the import reads, in the shape that costs the most memory: "strings",
    a text table of unique short strings as large as allowed and a sheet of 12 columns of them
    filling the rest; or "numbers", rows as wide as allowed of distinct numbers."""
    header = list(importing.COLUMNS)
    shared_cap = importing.XLSX_MAX_SHARED_STRINGS - 1000
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as package:
        for name, xml in _PARTS.items():
            package.writestr(name, xml)
        entries = len(header)
        with package.open("xl/sharedStrings.xml", "w") as table:
            table.write(f'<sst xmlns="{_NS}spreadsheetml/2006/main">'.encode())
            size = 100 + table.write("".join(f"<si><t>{h}</t></si>" for h in header).encode())
            while shape == "strings":
                entry = b"<si><t>%x</t></si>" % entries
                if size + len(entry) > shared_cap:
                    break
                size += table.write(entry)
                entries += 1
            table.write(b"</sst>")
        sheet_cap = importing.XLSX_MAX_UNPACKED - size - 10_000
        with package.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(f'<worksheet xmlns="{_NS}spreadsheetml/2006/main"><sheetData>'.encode())
            cells = "".join(f'<c t="s"><v>{i}</v></c>' for i in range(len(header)))
            size = 200 + sheet.write(f"<row>{cells}</row>".encode())
            value = 10**6
            while size < sheet_cap - 30_000:
                if shape == "strings":
                    cells = b"".join(
                        b'<c t="s"><v>%d</v></c>' % (len(header) + (value + k) % (entries - 12))
                        for k in range(12)
                    )
                    value += 12
                else:
                    width = importing.XLSX_MAX_CELLS_PER_ROW
                    cells = b"".join(b"<c><v>%d</v></c>" % (value + k) for k in range(width))
                    value += width
                size += sheet.write(b"<row>" + cells + b"</row>")
            sheet.write(b"</sheetData></worksheet>")
    return buffer.getvalue()


@pytest.mark.parametrize("shape", ["strings", "numbers"])
def test_the_largest_xlsx_accepted_is_read_in_bounded_memory(shape, tmp_path):
    # A 7 MB file of 63 MB of unique short shared strings passed every check and took 1 GB to
    # read; one row of millions of cells took 1.5 GB. The limits keep any accepted file under
    # this bound (a worker is replaced only after its task, so the bound must hold within one).
    content = xlsx_at_the_limits(shape)
    assert unpacked_size(content) > 0.95 * importing.XLSX_MAX_UNPACKED
    path = tmp_path / "personal.xlsx"
    path.write_bytes(content)
    result = subprocess.run(
        [sys.executable, "-m", "tests.security.xlsx_memory", str(path)],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "lms.settings.test"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    grown, outcome = result.stdout.splitlines()[-2:]
    assert outcome.startswith("rows "), outcome  # read, not refused: this is the largest shape
    assert int(grown.split()[1]) < 400, result.stdout  # MB


def test_an_xlsx_row_wider_than_any_employee_file_is_refused_before_it_is_read():
    row = [["E1"] * (importing.XLSX_MAX_CELLS_PER_ROW + 1)]
    content = xlsx_with_shared_strings(employee_sheet(2) + row)
    with pytest.raises(importing.ImportFileError) as refused:
        importing.read_rows(content, "personal.xlsx")
    assert str(refused.value) == (
        "En rad i Excelbladet har fler än 1000 celler, långt fler än en personalfil behöver; "
        "den lästes inte. Spara bladet på nytt med bara personalkolumnerna, eller som CSV."
    )


def rewritten_sheet(content: bytes, edit) -> bytes:
    """The workbook with its sheet's XML passed through `edit` (bytes to bytes)."""
    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        for member in source.infolist():
            data = source.read(member.filename)
            if member.filename == "xl/worksheets/sheet1.xml":
                data = edit(data)
            package.writestr(member, data)
    return buffer.getvalue()


def far_cell_xlsx(row: int) -> bytes:
    """5 KB that declare the whole sheet (A1:XFD1048576) in use and hold one more cell, at
    column XFD of `row`: openpyxl padded every row to 16,384 columns and filled the rows up to
    it, 1.45 GB for row 150,000."""

    def edit(sheet: bytes) -> bytes:
        sheet = sheet.replace(b"<sheetData>", b'<dimension ref="A1:XFD1048576"/><sheetData>')
        far = b'<row r="%d"><c r="XFD%d"><v>1</v></c></row>' % (row, row)
        return sheet.replace(b"</sheetData>", far + b"</sheetData>")

    return rewritten_sheet(xlsx_with_shared_strings(employee_sheet(5)), edit)


def far_column_xlsx(people: int) -> bytes:
    """A valid sheet in which every row also has one cell at column XFD, the last one."""

    def edit(sheet: bytes) -> bytes:
        rows = sheet.split(b"</row>")
        return (
            b"".join(
                part + b'<c r="XFD%d"><v>1</v></c></row>' % number
                for number, part in enumerate(rows[:-1], start=1)
            )
            + rows[-1]
        )

    return rewritten_sheet(xlsx_with_shared_strings(employee_sheet(people)), edit)


def read_in_own_process(content: bytes, tmp_path) -> tuple[float, str, float]:
    """(MB grown, outcome, seconds) of reading `content` as an import does, in a process of
    its own capped at 2 GB of address space so that a regression fails instead of swapping."""
    import resource

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (2 * 2**30, 2 * 2**30))

    path = tmp_path / "personal.xlsx"
    path.write_bytes(content)
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "tests.security.xlsx_memory", str(path)],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "lms.settings.test"},
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=cap,
    )
    seconds = time.monotonic() - started
    assert result.returncode == 0, result.stderr[-3000:]
    grown, outcome = result.stdout.splitlines()[-2:]
    return float(grown.split()[1]), outcome, seconds


def test_a_declared_huge_sheet_with_a_far_cell_is_read_in_bounded_time_and_memory(tmp_path):
    content = far_cell_xlsx(150_000)
    assert len(content) < 10_000
    grown, outcome, seconds = read_in_own_process(content, tmp_path)
    # Read as it is: the header, 5 people and 149,994 empty rows (skipped when checking).
    assert outcome == "rows 149999", outcome
    assert grown < 100 and seconds < 60, (grown, seconds)
    rows = importing.read_rows(content, "personal.xlsx")
    assert [row["E-post"] for row in rows[:5]] == [row[3] for row in employee_sheet(5)[1:]]
    assert all(row == {} for row in rows[5:])


def test_a_far_cell_below_the_row_limit_is_refused_in_bounded_time_and_memory(tmp_path):
    grown, outcome, seconds = read_in_own_process(far_cell_xlsx(1_048_576), tmp_path)
    assert outcome == "refused Filen har fler än 200000 rader.", outcome
    assert grown < 100 and seconds < 60, (grown, seconds)


def test_a_cell_at_the_last_column_of_every_row_is_read_in_bounded_memory(tmp_path):
    content = far_column_xlsx(5000)  # padded, 5,000 rows of 16,384 columns took gigabytes
    grown, outcome, seconds = read_in_own_process(content, tmp_path)
    assert outcome == "rows 5000", outcome
    assert grown < 100 and seconds < 60, (grown, seconds)
    rows = importing.read_rows(far_column_xlsx(3), "personal.xlsx")
    expected = [dict(zip(importing.COLUMNS, row, strict=True)) for row in employee_sheet(3)[1:]]
    assert rows == expected


@pytest.mark.django_db(transaction=True)
def test_an_uploaded_xlsx_bomb_ends_invalid_in_the_worker(admin_client, worker, xlsx_bomb):
    started = time.monotonic()
    employee_import = ended(upload(admin_client, xlsx_bomb, "personal.xlsx"), 30)
    assert employee_import.status == ImportStatus.INVALID
    assert employee_import.errors == [XLSX_TOO_BIG]
    assert time.monotonic() - started < 30
    assert nothing_applied()


# ---------------------------------------------------------------- errors while running


@pytest.mark.django_db
def test_an_unexpected_error_while_checking_ends_failed_not_http_500(admin_client, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug in the check")

    monkeypatch.setattr(importing, "plan_import", broken)
    employee_import = upload(admin_client, as_csv(sample_rows(60)))
    assert employee_import.status == ImportStatus.FAILED
    assert employee_import.errors == [UNEXPECTED]
    page = admin_client.get(f"/admin/employee-imports/{employee_import.pk}/").content.decode()
    assert "Importen avbröts innan den var klar; ingenting ändrades:" in page
    assert UNEXPECTED in page


@pytest.mark.django_db
def test_an_error_halfway_through_apply_leaves_nothing_and_the_file_imports_again(
    admin_client, monkeypatch
):
    content = as_csv(sample_rows(60))
    apply_units = importing._apply_units
    written = []

    def units_then_crash(plan):
        written.append(len(apply_units(plan)))  # the units are written...
        raise RuntimeError("...and then something breaks")

    monkeypatch.setattr(importing, "_apply_units", units_then_crash)
    employee_import = upload(admin_client, content)
    assert employee_import.status == ImportStatus.PREVIEW
    response = admin_client.post(f"/admin/employee-imports/{employee_import.pk}/apply/")
    assert response.status_code == 302
    employee_import.refresh_from_db()
    assert written and written[0] > 0
    assert employee_import.status == ImportStatus.FAILED
    assert employee_import.errors == [UNEXPECTED]
    assert nothing_applied()
    page = admin_client.get(response["Location"]).content.decode()
    assert "Importen misslyckades; ingenting genomfördes." in page

    monkeypatch.undo()
    again = upload(admin_client, content)
    assert apply(admin_client, again).status == ImportStatus.APPLIED
    assert Person.objects.count() == 60


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", ["at once", "worker"])
@pytest.mark.parametrize(
    "where",
    [
        "plan_import",  # the re-check at the start of apply: no transaction open
        "_apply_units",  # the first write, inside the apply's transaction
    ],
)
def test_a_connection_killed_as_apply_starts_ends_failed_and_the_file_imports_again(
    admin_client, monkeypatch, request, settings, path, where
):
    require_postgres()
    if path == "worker":
        request.getfixturevalue("celery_worker")
        settings.EMPLOYEE_IMPORT_SYNC_MAX_ROWS = 5
    content = as_csv(sample_rows(60))
    employee_import = ended(upload(admin_client, content))
    assert employee_import.status == ImportStatus.PREVIEW

    original = getattr(importing, where)
    killed = []

    def kill_own_connection_then_go_on(*args, **kwargs):
        # Kill this backend from another connection, as a database restart or a network cut
        # would, and let the apply go on into it.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        other = connections.create_connection("default")
        try:
            with other.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(%s, 5000)", [pid])
                killed.append(cursor.fetchone()[0])
        finally:
            other.close()
        return original(*args, **kwargs)

    monkeypatch.setattr(importing, where, kill_own_connection_then_go_on)
    employee_import = apply(admin_client, employee_import)
    assert killed == [True]
    assert employee_import.status == ImportStatus.FAILED  # not "applying" forever
    assert employee_import.errors == [CONNECTION_LOST]
    assert nothing_applied()

    monkeypatch.undo()
    again = ended(upload(admin_client, content))
    assert apply(admin_client, again).status == ImportStatus.APPLIED
    assert Person.objects.count() == 60


@pytest.mark.django_db(transaction=True)
def test_a_check_over_the_soft_time_limit_ends_failed_in_a_real_worker(tmp_path):
    require_postgres()
    require(settings.CELERY_BROKER_URL.startswith("redis"), "needs REDIS_URL=redis://…")
    from lms.celery import app

    app.control.purge()
    log = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "lms.settings.test",
        "DATABASE_URL": _test_database_url(),
    }
    employee_import = EmployeeImport(original_name="personal.csv")
    employee_import.file.save("personal.csv", ContentFile(big_csv(100_000)), save=True)
    with open(log, "w") as output:
        # The prefork pool, as in production: time limits are signals to its child processes.
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "lms", "worker", "--pool", "prefork"]
            + ["--concurrency", "1", "-l", "warning", "--without-gossip", "--without-mingle"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            # Reading and checking 100,000 rows takes seconds; this one may take one.
            tasks.employee_import_check.apply_async(
                [employee_import.pk], soft_time_limit=1, time_limit=60
            )
            employee_import = ended(employee_import, 90)
        finally:
            worker.terminate()
            worker.wait(30)
    assert employee_import.status == ImportStatus.FAILED, log.read_text()[-3000:]
    assert employee_import.errors == [TIME_LIMIT]
    assert nothing_applied()


# ---------------------------------------------------------------- stuck imports


def test_beat_ends_stuck_imports_every_five_minutes(db):
    from django.apps import apps

    migration = importlib.import_module("people.migrations.0004_end_stuck_imports_schedule")
    migration.create_schedule(apps, None)  # idempotent: also after a test flushed the table
    migration.create_schedule(apps, None)
    schedule = PeriodicTask.objects.get(task=tasks.end_stuck_imports.name)
    assert schedule.enabled and schedule.crontab is None
    assert (schedule.interval.every, schedule.interval.period) == (300, "seconds")
    assert 0 < schedule.expire_seconds < 300  # a late run is dropped, the next one does it


@pytest.mark.django_db
def test_imports_stuck_waiting_checking_or_applying_are_ended_by_the_periodic_task(settings):
    settings.EMPLOYEE_IMPORT_STUCK_MINUTES = 16
    now = timezone.now()

    def make(status, minutes_ago):
        return EmployeeImport.objects.create(
            file="imports/personal.csv",
            original_name="personal.csv",
            status=status,
            status_changed_at=now - timedelta(minutes=minutes_ago),
        )

    stuck = [make(status, 17) for status in RUNNING]
    busy = [make(status, 15) for status in RUNNING]
    done = [
        make(status, 600)
        for status in (ImportStatus.PREVIEW, ImportStatus.INVALID, ImportStatus.APPLIED)
    ]
    tasks.end_stuck_imports.apply().get()
    for employee_import in stuck:
        employee_import.refresh_from_db()
        assert employee_import.status == ImportStatus.FAILED
        assert employee_import.errors == [
            "Importen blev inte klar inom 16 minuter och avbröts; ingenting ändrades. Ladda upp "
            "filen igen för att försöka på nytt."
        ]
    for employee_import in busy + done:
        status = employee_import.status
        employee_import.refresh_from_db()
        assert employee_import.status == status
    assert not EmployeeImport.objects.filter(
        status__in=RUNNING, status_changed_at__lt=now - timedelta(minutes=16)
    ).exists()


def test_the_stuck_limit_is_above_the_hard_time_limit():
    assert settings.EMPLOYEE_IMPORT_SOFT_TIME_LIMIT < settings.EMPLOYEE_IMPORT_TIME_LIMIT
    assert settings.EMPLOYEE_IMPORT_STUCK_MINUTES * 60 > settings.EMPLOYEE_IMPORT_TIME_LIMIT
    assert tasks.employee_import_check.soft_time_limit == settings.EMPLOYEE_IMPORT_SOFT_TIME_LIMIT
    assert tasks.employee_import_apply.time_limit == settings.EMPLOYEE_IMPORT_TIME_LIMIT
    from lms.celery import app

    assert app.conf.worker_max_memory_per_child == settings.CELERY_WORKER_MAX_MEMORY_PER_CHILD


@pytest.mark.django_db(transaction=True)
def test_an_apply_ended_as_stuck_while_it_runs_is_not_committed(monkeypatch):
    require_postgres()  # the periodic task runs on its own connection, in another thread
    employee_import = EmployeeImport(original_name="personal.csv")
    employee_import.file.save("personal.csv", ContentFile(as_csv(sample_rows(60))), save=True)
    services.employee_import_check(employee_import=employee_import)
    apply_people = importing._apply_people
    ended_by_task = []

    def slow_apply(plan, units):
        apply_people(plan, units)  # everything is written, not yet committed...

        def periodic_task():  # ...when the periodic task finds the import too old
            try:
                EmployeeImport.objects.filter(pk=employee_import.pk).update(
                    status_changed_at=timezone.now() - timedelta(days=1)
                )
                ended_by_task.append(services.employee_imports_end_stuck())
            finally:
                connection.close()

        thread = threading.Thread(target=periodic_task)
        thread.start()
        thread.join(30)

    monkeypatch.setattr(importing, "_apply_people", slow_apply)
    employee_import = services.employee_import_apply(employee_import=employee_import, user=None)
    assert ended_by_task == [1]
    assert employee_import.status == ImportStatus.FAILED
    assert employee_import.errors[0].startswith("Importen blev inte klar inom ")
    assert nothing_applied()
