from pathlib import Path

from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError

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
            raise CommandError(f"No such file: {source}")
        employee_import = EmployeeImport(original_name=source.name)
        employee_import.file.save(source.name, ContentFile(source.read_bytes()), save=True)
        services.employee_import_check(employee_import=employee_import)
        summary = employee_import.summary
        if employee_import.status != ImportStatus.PREVIEW:
            for error in employee_import.errors:
                self.stderr.write(error)
            raise CommandError("Nothing was imported.")
        self.stdout.write(
            f"{summary['rows']} rows: {summary['people_new']} new, "
            f"{summary['people_changed']} changed, {summary['leavers']} left; "
            f"units {summary['units_new']} new, {summary['units_changed']} changed."
        )
        if dry_run:
            self.stdout.write("Dry run: nothing was changed.")
            return
        services.employee_import_apply(employee_import=employee_import, user=None)
        self.stdout.write(self.style.SUCCESS("Imported."))
