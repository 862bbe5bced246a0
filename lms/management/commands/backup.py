from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from lms import backup


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump) and the media files with a manifest of row counts and "
        "checksums (`backup create`), or restore a backup into a fresh database and folder and "
        "compare it with its manifest (`backup verify`)."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="write a new backup directory")
        create.add_argument(
            "--out", type=Path, default=None, help="directory (default: backups/<timestamp>)"
        )
        verify = sub.add_parser("verify", help="restore a backup and compare")
        verify.add_argument("path", type=Path)
        verify.add_argument("--keep", action="store_true", help="keep the restored database")

    def handle(self, *args, action: str, **options):
        try:
            if action == "create":
                out = options["out"] or Path("backups") / timezone.now().strftime("%Y%m%dT%H%M%S")
                manifest = backup.create(out)
                self.stdout.write(
                    self.style.SUCCESS(
                        f"Backup in {out}: {len(manifest['tables'])} tables, "
                        f"{sum(manifest['tables'].values())} rows, {len(manifest['media'])} files."
                    )
                )
                return
            result = backup.verify(options["path"], keep=options["keep"])
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        if not result.ok:
            raise CommandError(
                "The backup does not restore as written:\n" + "\n".join(result.problems)
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored and compared: {result.tables_checked} tables and "
                f"{result.files_checked} files equal to the manifest."
            )
        )
