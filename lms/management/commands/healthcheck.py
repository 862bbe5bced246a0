import json

from django.core.management.base import BaseCommand, CommandError

from lms import health


class Command(BaseCommand):
    help = (
        "Print the health report and exit 1 if a checked part is down. "
        "Name parts to check only those, e.g. `healthcheck beat` in the beat container."
    )

    def add_arguments(self, parser):
        parser.add_argument("checks", nargs="*", help=f"any of: {', '.join(health.CHECKS)}")

    def handle(self, *args, checks: list[str], **options):
        unknown = set(checks) - set(health.CHECKS)
        if unknown:
            raise CommandError(f"Unknown check(s): {', '.join(sorted(unknown))}")
        healthy, body = health.report(checks or None)
        self.stdout.write(json.dumps(body, indent=2))
        if not healthy:
            raise SystemExit(1)
