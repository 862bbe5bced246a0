"""Run as `python -m tests.security.xlsx_memory FILE`: read an employee XLSX the way an import
does and print how much the process's peak memory (maxrss, MB) grew while doing it, or the
refusal. A process of its own, so that nothing else the tests did counts."""

from __future__ import annotations

import os
import resource
import sys


def main(path: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings.test")
    import django

    django.setup()
    from people import importing

    with open(path, "rb") as file:
        content = file.read()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    try:
        rows = importing.read_rows(content, "personal.xlsx")
        outcome = f"rows {len(rows)}"
    except importing.ImportFileError as error:
        outcome = f"refused {error}"
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024  # KiB on Linux
    print(f"grown {grown:.0f}")
    print(outcome)


if __name__ == "__main__":
    main(sys.argv[1])
