"""The renewal sweep against one hand-written SQL statement that makes the same writes.

Ours: `assignments.services.renew_lapsed` a year after the generated "now", when a third of the
synthetic municipality's completions (valid three years) have lapsed: one query finds the
assignments due for renewal, then per slice of 2,000 one query reads what each needs, one
inserts the new rounds, one clears their film progress and one moves the due dates. The
baseline is a single `WITH … INSERT … UPDATE` statement (without the film progress). Both run
in a transaction that is rolled back, so the other benchmarks see the data unchanged. Target
ratio 2.0.

Run after `municipality.generate(...)`: `from bench import renewal; renewal.run()`.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import connection, transaction

from assignments import services
from assignments.models import Assignment, AssignmentRule
from progress.models import Completion, CourseProgress

from .harness import measure, report
from .municipality import NOW

TARGET_RATIO = 2.0


class _Undo(Exception):
    """Raised to roll a measured run back."""


def _baseline_sql() -> str:
    tables = {
        "assignment": Assignment._meta.db_table,
        "rule": AssignmentRule._meta.db_table,
        "completion": Completion._meta.db_table,
        "round": CourseProgress._meta.db_table,
    }
    return """
    WITH due AS (
        SELECT a.id, a.user_id, a.course_id,
            (SELECT max(k.valid_until) FROM {completion} k
             WHERE k.user_id = a.user_id AND k.course_id = a.course_id) AS lapsed,
            (SELECT max(p.round) FROM {round} p
             WHERE p.user_id = a.user_id AND p.course_id = a.course_id) AS last_round,
            COALESCE(r.due_days, (SELECT min(q.due_days) FROM {rule} q
                                  WHERE q.course_id = a.course_id AND q.active)) AS days
        FROM {assignment} a LEFT JOIN {rule} r ON r.id = a.rule_id
        WHERE a.ended_at IS NULL AND a.exempted_at IS NULL
          AND EXISTS (SELECT 1 FROM {completion} k WHERE k.user_id = a.user_id
                      AND k.course_id = a.course_id AND k.valid_until < %(today)s)
          AND NOT EXISTS (SELECT 1 FROM {completion} k WHERE k.user_id = a.user_id
                      AND k.course_id = a.course_id
                      AND (k.valid_until IS NULL OR k.valid_until >= %(today)s))
          AND NOT EXISTS (SELECT 1 FROM {round} p WHERE p.user_id = a.user_id
                      AND p.course_id = a.course_id AND p.completed_at IS NULL)
    ), opened AS (
        INSERT INTO {round} (user_id, course_id, round, started_at)
        SELECT user_id, course_id, last_round + 1, now() FROM due
        ON CONFLICT DO NOTHING
    )
    UPDATE {assignment} a SET due_on = GREATEST(a.due_on, due.lapsed + 1 + COALESCE(due.days, 0))
    FROM due WHERE a.id = due.id
    """.format(**tables)


def _rolled_back(work) -> int:
    done = {}
    try:
        with transaction.atomic():
            done["n"] = work()
            raise _Undo
    except _Undo:
        pass
    return done["n"]


def _baseline(today) -> int:
    with connection.cursor() as cursor:
        cursor.execute(_baseline_sql(), {"today": today})
        return cursor.rowcount


def run() -> bool:
    today = NOW.date() + timedelta(days=365)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    renewed = _rolled_back(lambda: services.renew_lapsed(today=today))
    expected = _rolled_back(lambda: _baseline(today))
    assert renewed == expected, f"ours renewed {renewed:,}, the statement {expected:,}"
    ours = measure(lambda: _rolled_back(lambda: services.renew_lapsed(today=today)), repeat=2)
    baseline = measure(lambda: _rolled_back(lambda: _baseline(today)), repeat=2)
    print(f"renewal sweep: {renewed:,} assignments renewed (new rounds)", flush=True)
    return report("renewal sweep", ours, baseline, target=TARGET_RATIO)
