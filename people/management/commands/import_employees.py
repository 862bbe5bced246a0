from pathlib import Path
from typing import NoReturn

from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from people import services
from people.models import EmployeeImport, ImportStatus


class Command(BaseCommand):
    help = (
        "Import the HR system's employee file (CSV or XLSX). Checks everything first and "
        "applies nothing if any row is wrong. Use --dry-run to only check. For scheduled imports."
    )

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, path: str, dry_run: bool, **options):
        source = Path(path)
        if not source.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": source})
        employee_import = EmployeeImport(original_name=source.name)
        employee_import.file.save(source.name, ContentFile(source.read_bytes()), save=True)
        # The services record every ending (invalid, failed) on the import: errors are shown
        # as they are, never as a traceback.
        employee_import = services.employee_import_check(employee_import=employee_import)
        if employee_import.status != ImportStatus.PREVIEW:
            self._fail(employee_import)
        summary = employee_import.summary
        self.stdout.write(
            _(
                "%(rows)s rows: %(new)s new, %(changed)s changed, %(left)s left; "
                "units %(units_new)s new, %(units_changed)s changed."
            )
            % {
                "rows": summary["rows"],
                "new": summary["people_new"],
                "changed": summary["people_changed"],
                "left": summary["leavers"],
                "units_new": summary["units_new"],
                "units_changed": summary["units_changed"],
            }
        )
        if dry_run:
            self.stdout.write(_("Dry run: nothing was changed."))
            return
        employee_import = services.employee_import_apply(employee_import=employee_import, user=None)
        if employee_import.status != ImportStatus.APPLIED:
            self._fail(employee_import)
        self.stdout.write(self.style.SUCCESS(_("Imported.")))

    def _fail(self, employee_import: EmployeeImport) -> NoReturn:
        for error in employee_import.errors:
            self.stderr.write(error)
        raise CommandError(_("Nothing was imported."))
