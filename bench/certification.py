"""Workplace certification: every criterion of a programme for every unit, next to one
hand-written SQL statement that computes the same figures.

Ours: `certification.selectors.standings` over all units of the synthetic municipality (1,000
at full size) for a programme with one criterion of each built-in kind: 80 % of the staff
(rolled up the tree) have a valid completion of course 1, every manager (rolled up) has one of
course 2, and approved evidence (a tenth of the units have some). One query per criterion plus
three (criteria, certificates, evidence to review), whatever the number of units; the roll-up
adds each unit's counters to its ancestors in Python. The baseline groups people and managers
per unit and rolls up with a prefix join in SQL. Target ratio 2.0.

Run after `municipality.generate(...)`: `from bench import certification; certification.run()`.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import connection, transaction

from certification import selectors
from certification.evaluators import months_before
from certification.models import CertificationProgramme, Criterion, Evidence, EvidenceStatus
from courses.models import CoursePage
from people.models import OrgUnit, Person
from progress.models import Completion

from .harness import measure, report
from .municipality import NOW

TARGET_RATIO = 2.0


def _programme() -> CertificationProgramme:
    first, second = CoursePage.objects.order_by("pk")[:2]
    programme, _created = CertificationProgramme.objects.get_or_create(
        name="Bench: jämställd arbetsplats", defaults={"validity_months": 24}
    )
    if not programme.criteria.exists():
        Criterion.objects.bulk_create(
            [
                Criterion(
                    programme=programme,
                    kind="staff_share_completed",
                    course=first,
                    percent=80,
                    sort_order=0,
                ),
                Criterion(
                    programme=programme, kind="managers_completed", course=second, sort_order=1
                ),
                Criterion(programme=programme, kind="manual", title="Handlingsplan", sort_order=2),
            ]
        )
        manual = programme.criteria.get(kind="manual")
        Evidence.objects.bulk_create(
            Evidence(
                unit_id=unit_id,
                criterion=manual,
                text="Plan",
                status=EvidenceStatus.APPROVED,
                submitted_at=NOW,
                reviewed_at=NOW,
            )
            for unit_id in OrgUnit.objects.order_by("pk").values_list("pk", flat=True)[::10]
        )
    return programme


def _baseline_sql() -> str:
    t = {
        "unit": OrgUnit._meta.db_table,
        "person": Person._meta.db_table,
        "completion": Completion._meta.db_table,
        "managers": OrgUnit.managers.through._meta.db_table,
        "user": get_user_model()._meta.db_table,
        "evidence": Evidence._meta.db_table,
    }
    valid = (
        "EXISTS (SELECT 1 FROM {completion} c WHERE c.user_id = {who} AND c.course_id = %s "
        "AND (c.valid_until IS NULL OR c.valid_until >= %s))"
    )
    return f"""
    WITH per_unit AS (
        SELECT u.path, COUNT(*) AS staff,
               COUNT(*) FILTER (WHERE {valid.format(completion=t["completion"], who="p.user_id")})
                 AS done
        FROM {t["person"]} p JOIN {t["unit"]} u ON u.id = p.unit_id
        WHERE (p.end_date IS NULL OR p.end_date > %s) AND p.anonymised_at IS NULL
        GROUP BY u.path
    ), per_manager AS (
        SELECT u.path, m.user_id,
               {valid.format(completion=t["completion"], who="m.user_id")} AS done
        FROM {t["managers"]} m
        JOIN {t["unit"]} u ON u.id = m.orgunit_id
        JOIN {t["user"]} au ON au.id = m.user_id AND au.is_active
    ), staff AS (
        SELECT t.id, SUM(pu.staff) AS staff, SUM(pu.done) AS done
        FROM {t["unit"]} t JOIN per_unit pu ON pu.path LIKE t.path || '%%'
        GROUP BY t.id
    ), managers AS (
        SELECT t.id, COUNT(DISTINCT pm.user_id) AS total,
               COUNT(DISTINCT pm.user_id) FILTER (WHERE pm.done) AS done
        FROM {t["unit"]} t JOIN per_manager pm ON pm.path LIKE t.path || '%%'
        GROUP BY t.id
    ), approved AS (
        SELECT DISTINCT unit_id FROM {t["evidence"]}
        WHERE criterion_id = %s AND status = 'approved' AND reviewed_at >= %s
    )
    SELECT t.id, COALESCE(s.staff, 0), COALESCE(s.done, 0),
           COALESCE(m.total, 0), COALESCE(m.done, 0), a.unit_id IS NOT NULL
    FROM {t["unit"]} t
    LEFT JOIN staff s ON s.id = t.id
    LEFT JOIN managers m ON m.id = t.id
    LEFT JOIN approved a ON a.unit_id = t.id
    """


def run() -> None:
    with transaction.atomic():
        programme = _programme()
    today = NOW.date()
    criteria = {c.kind: c for c in programme.criteria.all()}
    since = months_before(today, programme.validity_months)
    units = list(OrgUnit.objects.order_by("path"))
    sql = _baseline_sql()
    params = [
        criteria["staff_share_completed"].course_id,
        today,
        today,
        criteria["managers_completed"].course_id,
        today,
        criteria["manual"].pk,
        since,
    ]
    ours_rows: list = []
    baseline_rows: list = []

    def ours() -> None:
        ours_rows[:] = selectors.standings(programme, units, today)

    def baseline() -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            baseline_rows[:] = cursor.fetchall()

    ours_measured = measure(ours, repeat=3)
    baseline_measured = measure(baseline, repeat=3)
    # Same figures, or the comparison means nothing.
    by_unit = {row[0]: row for row in baseline_rows}
    for standing in ours_rows:
        share, managers, manual = (c.result for c in standing.criteria)
        expected = by_unit[standing.unit.pk]
        got = (
            share.figures["staff"],
            share.figures["completed"],
            managers.figures["managers"],
            managers.figures["completed"],
            manual.met,
        )
        if got != tuple(expected[1:]):
            raise AssertionError(f"unit {standing.unit.pk}: ours {got}, baseline {expected[1:]}")
    report(
        f"certification: criteria for every unit ({len(units)} units)",
        ours_measured,
        baseline_measured,
        target=TARGET_RATIO,
    )
