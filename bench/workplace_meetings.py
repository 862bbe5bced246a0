"""Workplace meetings (APT): HR's group-module figures and the managers' reminder decision,
each next to one hand-written SQL statement that computes the same answer.

Setup (not measured): the first two modules of the first course are marked for group viewing,
and every third staffed unit held the first of them, every fifth the second, at meetings in
the last year. Ours: `workplace_meetings.selectors.group_module_figures` for the whole
organisation (held / total per module, rolled up to the top unit's children, the units not
held with their managers) and `units_missing_group_modules` (the reminder's decision). Both
run a fixed number of queries (asserted at two sizes in tests/workplace_meetings). Target ratio
2.0. Everything is written in a transaction that is rolled back, so the other benchmarks see
the data unchanged.

Run after `municipality.generate(...)`: `from bench import workplace_meetings; ….run()`.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import connection, transaction

from modules.models import ModulePage
from people.models import OrgUnit, Person
from workplace_meetings import selectors
from workplace_meetings.models import MeetingStatus, WorkplaceMeeting

from .harness import measure, report
from .municipality import NOW

TARGET_RATIO = 2.0


def _criterion(today, modules: list[int]) -> bool:
    """The certification criterion for every unit (1,000 at full size) against CRITERION_SQL."""
    from certification import evaluators
    from certification.models import Criterion

    criterion = Criterion(kind="group_modules_held", module_ids=modules, months=12)
    units = list(OrgUnit.objects.order_by("path"))
    evaluate = evaluators.get("group_modules_held").evaluate_many
    since = evaluators.months_before(today, 12)
    extra = {"since": since, "modules": modules, "wanted": len(modules)}
    results = evaluate(criterion, units, today)
    expected = {uid: (total, held) for uid, total, held in _sql(CRITERION_SQL, today, **extra)}
    for unit in units:
        got = results[unit.pk].figures
        assert (got["workplaces"], got["held_all"]) == expected[unit.pk], unit.pk
    ours = measure(lambda: evaluate(criterion, units, today), repeat=3)
    baseline = measure(lambda: _sql(CRITERION_SQL, today, **extra), repeat=3)
    return report(
        f"certification: group modules held, every unit ({len(units)} units)",
        ours,
        baseline,
        target=TARGET_RATIO,
    )


class _Undo(Exception):
    """Raised to roll the benchmark's writes back."""


def _tables() -> dict[str, str]:
    return {
        "unit": OrgUnit._meta.db_table,
        "person": Person._meta.db_table,
        "meeting": WorkplaceMeeting._meta.db_table,
        "managers": OrgUnit.managers.through._meta.db_table,
        "module": ModulePage._meta.db_table,
    }


# Per group module: staffed units held / total, and the units not held with their managers.
FIGURES_SQL = """
WITH staffed AS (
    SELECT DISTINCT u.id, u.path FROM {unit} u JOIN {person} p ON p.unit_id = u.id
    WHERE u.active AND p.anonymised_at IS NULL AND (p.end_date IS NULL OR p.end_date > %(today)s)
), modules AS (
    SELECT m.page_ptr_id AS id FROM {module} m JOIN wagtailcore_page pg ON pg.id = m.page_ptr_id
    WHERE m.for_group_viewing AND pg.live
), held AS (
    SELECT DISTINCT unit_id, module_id FROM {meeting}
    WHERE status = 'held' AND date >= %(since)s
)
SELECT mo.id, s.id, s.path, (h.unit_id IS NOT NULL) AS held,
    (SELECT string_agg(au.first_name || ' ' || au.last_name, ', ')
     FROM {managers} mg JOIN auth_user au ON au.id = mg.user_id WHERE mg.orgunit_id = s.id)
FROM modules mo CROSS JOIN staffed s
LEFT JOIN held h ON h.unit_id = s.id AND h.module_id = mo.id
"""

# The reminder: (manager, unit, module) for required group modules neither held nor planned.
REMINDER_SQL = """
WITH staffed AS (
    SELECT DISTINCT u.id FROM {unit} u JOIN {person} p ON p.unit_id = u.id
    WHERE u.active AND p.anonymised_at IS NULL AND (p.end_date IS NULL OR p.end_date > %(today)s)
), modules AS (
    SELECT m.page_ptr_id AS id FROM {module} m JOIN wagtailcore_page pg ON pg.id = m.page_ptr_id
    WHERE m.for_group_viewing AND m.is_required AND pg.live
)
SELECT mg.user_id, s.id, mo.id
FROM staffed s JOIN {managers} mg ON mg.orgunit_id = s.id CROSS JOIN modules mo
WHERE NOT EXISTS (SELECT 1 FROM {meeting} w WHERE w.unit_id = s.id AND w.module_id = mo.id
    AND ((w.status = 'held' AND w.date >= %(since)s)
         OR (w.status = 'planned' AND w.date >= %(today)s)))
"""


# The certification criterion "group modules held" (workplace_meetings/certification.py) for
# every unit: per unit, the workplaces (active units with current staff) in its subtree and
# those of them that held every module asked for since %(since)s.
CRITERION_SQL = """
WITH staffed AS (
    SELECT DISTINCT u.id, u.path FROM {unit} u JOIN {person} p ON p.unit_id = u.id
    WHERE u.active AND p.anonymised_at IS NULL AND (p.end_date IS NULL OR p.end_date > %(today)s)
), done AS (
    SELECT s.id, s.path,
           (SELECT COUNT(DISTINCT w.module_id) FROM {meeting} w
            WHERE w.unit_id = s.id AND w.status = 'held' AND w.date >= %(since)s
              AND w.module_id = ANY(%(modules)s)) = %(wanted)s AS ok
    FROM staffed s
)
SELECT t.id, COUNT(d.id), COUNT(d.id) FILTER (WHERE d.ok)
FROM {unit} t LEFT JOIN done d ON d.path LIKE t.path || '%%'
GROUP BY t.id
"""


def _sql(statement: str, today, **extra) -> list[tuple]:
    params = {"today": today, "since": selectors.period_start(today), **extra}
    with connection.cursor() as cursor:
        cursor.execute(statement.format(**_tables()), params)
        return cursor.fetchall()


def _setup(today) -> list[int]:
    first = ModulePage.objects.order_by("path").first()
    modules = list(
        ModulePage.objects.child_of(first.get_parent())
        .order_by("path")
        .values_list("pk", flat=True)
    )[:2]
    ModulePage.objects.filter(pk__in=modules).update(for_group_viewing=True)
    staffed = sorted(set(Person.objects.values_list("unit_id", flat=True).distinct()) - {None})
    meetings = []
    for index, unit_id in enumerate(staffed):
        for module_id, every in zip(modules, (3, 5), strict=False):
            if index % every == 0:
                meetings.append(
                    WorkplaceMeeting(
                        unit_id=unit_id,
                        module_id=module_id,
                        date=today - timedelta(days=index % 300),
                        status=MeetingStatus.HELD,
                    )
                )
    WorkplaceMeeting.objects.bulk_create(meetings, batch_size=2000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return modules


def run() -> bool:
    today = NOW.date()
    ok = True
    try:
        with transaction.atomic():
            modules = _setup(today)
            roots = list(OrgUnit.get_root_nodes())

            figures = selectors.group_module_figures(roots=roots, today=today)
            rows = _sql(FIGURES_SQL, today)
            for item in figures:
                mine = [r for r in rows if r[0] == item.module.pk]
                assert item.total == len(mine), (item.total, len(mine))
                assert item.held == sum(1 for r in mine if r[3])
                assert {u.pk for u, _m in item.not_held} == {r[1] for r in mine if not r[3]}
            print(
                "group-module figures: "
                + ", ".join(f"{f.held:,} of {f.total:,} units held" for f in figures),
                flush=True,
            )
            ours = measure(
                lambda: selectors.group_module_figures(roots=roots, today=today), repeat=3
            )
            baseline = measure(lambda: _sql(FIGURES_SQL, today), repeat=3)
            ok &= report("group-module figures (HR)", ours, baseline, target=TARGET_RATIO)

            decided = {
                (m, u, mod) for m, u, _n, mod, _t in selectors.units_missing_group_modules(today)
            }
            assert decided == set(_sql(REMINDER_SQL, today)), "reminder decisions differ"
            print(f"group-module reminder: {len(decided):,} (manager, unit, module)", flush=True)
            ours = measure(lambda: selectors.units_missing_group_modules(today), repeat=3)
            baseline = measure(lambda: _sql(REMINDER_SQL, today), repeat=3)
            ok &= report("group-module reminder decision", ours, baseline, target=TARGET_RATIO)
            ok &= _criterion(today, modules)
            raise _Undo
    except _Undo:
        pass
    return ok
