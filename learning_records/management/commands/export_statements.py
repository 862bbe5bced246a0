"""Write the xAPI statements of events between two dates (inclusive) as a JSON array."""

from __future__ import annotations

import datetime
import json
import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from learning_records.selectors import statements_between


def _day(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"Not a date (YYYY-MM-DD): {value!r}") from None


class Command(BaseCommand):
    help = "Export xAPI statements of events from one day to another (local days) as JSON."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="start", required=True, help="YYYY-MM-DD")
        parser.add_argument("--to", dest="end", required=True, help="YYYY-MM-DD (inclusive)")
        parser.add_argument("--output", "-o", help="File to write (default: standard output)")

    def handle(self, *args, start, end, output=None, **options):
        first, last = _day(start), _day(end)
        if last < first:
            raise CommandError("--to is before --from.")
        tz = timezone.get_current_timezone()
        begin = timezone.make_aware(datetime.datetime.combine(first, datetime.time.min), tz)
        stop = timezone.make_aware(
            datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time.min), tz
        )
        stream = open(output, "w", encoding="utf-8") if output else sys.stdout  # noqa: SIM115
        count = 0
        try:
            stream.write("[")
            for statement in statements_between(begin, stop):
                stream.write(
                    ("," if count else "") + "\n" + json.dumps(statement, ensure_ascii=False)
                )
                count += 1
            stream.write("\n]\n")
        finally:
            if output:
                stream.close()
        self.stderr.write(f"{count} statements")
