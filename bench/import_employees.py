"""Issue 4: importing the HR file (60,000 rows) against a bare bulk_create of the same rows."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from people import importing
from people.models import OrgUnit, Person
from people.sample import as_csv, sample_rows

from .harness import measure, report

TARGET_RATIO = 2.0


def _empty() -> None:
    Person.objects.all().delete()
    OrgUnit.managers.through.objects.all().delete()
    OrgUnit.objects.all().delete()
    get_user_model().objects.filter(is_superuser=False).delete()


def run(people: int) -> bool:
    rows = sample_rows(people, seed=60)
    content = as_csv(rows)
    print(f"employee import: {people} rows, {len(content) / 2**20:.1f} MiB CSV", flush=True)

    def ours() -> None:
        plan = importing.plan_import(importing.read_rows(content, "personal.csv"))
        assert plan.ok, plan.errors[:3]
        importing.apply_plan(plan)

    units: dict[str, OrgUnit] = {}

    def baseline_setup() -> None:
        _empty()
        # The floor: units already there, users and people written with bare bulk_create.
        units.clear()
        for row in sorted(rows, key=lambda r: (r["Överordnad enhetskod"] != "", r["Enhetskod"])):
            code, parent = row["Enhetskod"], row["Överordnad enhetskod"]
            if code in units:
                continue
            if parent and parent not in units:
                continue
            node = OrgUnit(code=code, name=row["Enhetsnamn"])
            units[code] = (
                units[parent].add_child(instance=node)
                if parent
                else OrgUnit.add_root(instance=node)
            )
        for row in rows:  # units whose parent came later in the order
            code, parent = row["Enhetskod"], row["Överordnad enhetskod"]
            if code not in units and parent in units:
                units[code] = units[parent].add_child(
                    instance=OrgUnit(code=code, name=row["Enhetsnamn"])
                )

    def baseline() -> None:
        User = get_user_model()
        password = make_password(None)
        users = User.objects.bulk_create(
            [
                User(
                    username=r["E-post"],
                    email=r["E-post"],
                    first_name=r["Förnamn"],
                    last_name=r["Efternamn"],
                    password=password,
                )
                for r in rows
            ],
            batch_size=2000,
        )
        Person.objects.bulk_create(
            [
                Person(
                    user_id=u.pk,
                    employee_number=r["Anställningsnummer"],
                    unit=units[r["Enhetskod"]],
                    is_manager=r["Chef"] == "Ja",
                    position_title=r["Befattning"],
                )
                for u, r in zip(users, rows, strict=True)
            ],
            batch_size=2000,
        )

    ours_m = measure(ours, setup=_empty)
    baseline_m = measure(baseline, setup=baseline_setup)
    _empty()
    return report("employee import (new file)", ours_m, baseline_m, target=TARGET_RATIO)
