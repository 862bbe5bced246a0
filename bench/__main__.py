"""Run the benchmarks: `python -m bench [--people N --units N --courses N]`.

Needs DATABASE_URL to PostgreSQL. A throwaway database is created next to DATABASE_URL's and
dropped afterwards: the employee import is measured on an empty database, then the synthetic
municipality is generated and the learner pages are measured on it.
"""

from __future__ import annotations

import argparse
import os
import sys


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--people", type=int, default=60_000)
    parser.add_argument("--units", type=int, default=1_000)
    parser.add_argument("--courses", type=int, default=20)
    parser.add_argument("--only", default="", help="comma-separated: import,pages,dashboards,…")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings.test")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    if connection.vendor != "postgresql":
        print("The benchmarks measure PostgreSQL: set DATABASE_URL=postgres://…", file=sys.stderr)
        return 2
    old = setup_databases(verbosity=0, interactive=False)
    try:
        from . import (
            api,
            certification,
            dashboards,
            diplomas,
            external,
            import_employees,
            municipality,
            pages,
            reminders,
            renewal,
            rules,
            workplace_meetings,
        )

        only = set(filter(None, args.only.split(",")))
        if not only or "import" in only:
            import_employees.run(args.people)
        municipality.generate(people=args.people, units=args.units, courses=args.courses)
        parts = (
            ("pages", pages),
            ("dashboards", dashboards),
            ("rules", rules),
            ("reminders", reminders),
            ("diplomas", diplomas),
            ("api", api),
            ("renewal", renewal),
            ("workplace_meetings", workplace_meetings),
            ("certification", certification),
            ("external", external),
        )
        for name, part in parts:
            if not only or name in only:
                part.run()
    finally:
        teardown_databases(old, verbosity=0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
