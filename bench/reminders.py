"""The reminder sweep against one hand-written SQL query that selects the same recipients.

Ours: `reminders.services.sweep` on a Monday of the synthetic municipality: it reads the open
assignments in id slices through `with_state`, writes the notices (due soon, overdue, renewal,
the managers' summaries) and plans one email per person. The baseline only selects the same
decisions in one statement; ours also writes them (set-based, one statement per slice), and a
ratio of 2.0 is the target.

Run after `municipality.generate(...)`: `from bench import reminders; reminders.run()`.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection

from assignments.models import Assignment
from people.models import OrgUnit, Person
from progress.models import Completion
from reminders import calendar, services
from reminders.models import Delivery, Notice

from .harness import measure, report
from .municipality import NOW

TARGET_RATIO = 2.0


def _baseline_sql() -> str:
    tables = {
        "assignment": Assignment._meta.db_table,
        "completion": Completion._meta.db_table,
        "person": Person._meta.db_table,
        "user": get_user_model()._meta.db_table,
        "managers": OrgUnit.managers.through._meta.db_table,
    }
    return """
    WITH open AS (
        SELECT a.id, a.user_id, a.course_id, a.due_on, p.unit_id, u.email <> '' AS has_email,
            EXISTS (SELECT 1 FROM {completion} k WHERE k.user_id = a.user_id
                    AND k.course_id = a.course_id
                    AND (k.valid_until IS NULL OR k.valid_until >= %(today)s)) AS valid,
            EXISTS (SELECT 1 FROM {completion} k WHERE k.user_id = a.user_id
                    AND k.course_id = a.course_id) AS completed_once
        FROM {assignment} a
        JOIN {user} u ON u.id = a.user_id AND u.is_active
        JOIN {person} p ON p.user_id = a.user_id AND p.anonymised_at IS NULL
            AND (p.end_date IS NULL OR p.end_date > %(today)s)
        JOIN wagtailcore_page c ON c.id = a.course_id AND c.live
        WHERE a.ended_at IS NULL AND a.exempted_at IS NULL
    ), overdue AS (
        SELECT * FROM open WHERE due_on < %(today)s AND NOT completed_once
    )
    SELECT 'overdue', id, user_id, NULL::bigint FROM overdue WHERE has_email
    UNION ALL
    SELECT 'due_soon', id, user_id, NULL FROM open
        WHERE has_email AND NOT valid AND due_on BETWEEN %(today)s AND %(due_horizon)s
    UNION ALL
    SELECT 'renewal', o.id, o.user_id,
        (SELECT k.id FROM {completion} k WHERE k.user_id = o.user_id
         AND k.course_id = o.course_id ORDER BY k.valid_until DESC, k.completed_at DESC,
         k.id DESC LIMIT 1)
    FROM open o
    WHERE o.has_email
      AND EXISTS (SELECT 1 FROM {completion} k WHERE k.user_id = o.user_id
                  AND k.course_id = o.course_id AND k.valid_until <= %(renewal_horizon)s)
      AND NOT EXISTS (SELECT 1 FROM {completion} k WHERE k.user_id = o.user_id
                  AND k.course_id = o.course_id
                  AND (k.valid_until IS NULL OR k.valid_until > %(renewal_horizon)s))
    UNION ALL
    SELECT DISTINCT 'digest', NULL::bigint, m.user_id, NULL::bigint
    FROM overdue o
    JOIN {managers} m ON m.orgunit_id = o.unit_id AND m.user_id <> o.user_id
    JOIN {user} mu ON mu.id = m.user_id AND mu.is_active AND mu.email <> ''
    JOIN {person} mp ON mp.user_id = m.user_id AND mp.anonymised_at IS NULL
        AND (mp.end_date IS NULL OR mp.end_date > %(today)s)
    """.format(**tables)


def _baseline(today) -> list[tuple]:
    params = {
        "today": today,
        "due_horizon": today + timedelta(days=settings.REMINDER_DUE_SOON_DAYS),
        "renewal_horizon": today + timedelta(days=settings.REMINDER_RENEWAL_DAYS),
    }
    with connection.cursor() as cursor:
        cursor.execute(_baseline_sql(), params)
        return cursor.fetchall()


def _expected_keys(rows: list[tuple], today) -> set[str]:
    week = calendar.iso_week(today)
    due = dict(
        Assignment.objects.filter(pk__in=[r[1] for r in rows if r[0] == "due_soon"]).values_list(
            "pk", "due_on"
        )
    )
    keys = set()
    for kind, assignment_id, user_id, completion_id in rows:
        if kind == "overdue":
            keys.add(f"overdue:{assignment_id}:{week}")
        elif kind == "due_soon":
            keys.add(f"due_soon:{assignment_id}:{due[assignment_id].isoformat()}")
        elif kind == "renewal":
            keys.add(f"renewal:{completion_id}")
        else:
            keys.add(f"digest:{user_id}:{week}")
    return keys


def run() -> bool:
    # The Monday after the generated "now": every kind of reminder, the managers' summaries too.
    today = NOW.date() + timedelta(days=7 - NOW.weekday())
    with connection.cursor() as cursor:
        # A production database has planner statistics; freshly copied bench data has none.
        cursor.execute("ANALYZE")
    last_notice = Notice.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    last_delivery = Delivery.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    def forget_this_run() -> None:
        Notice.objects.filter(pk__gt=last_notice).delete()
        Delivery.objects.filter(pk__gt=last_delivery).delete()

    ours = measure(lambda: services.sweep(today=today), setup=forget_this_run, repeat=2)
    baseline = measure(lambda: _baseline(today), repeat=3)
    rows = _baseline(today)
    # Same decisions: everything the query selects is a notice after our sweep, and our sweep
    # decided nothing the query does not select.
    expected = _expected_keys(rows, today)
    decided = set(Notice.objects.values_list("key", flat=True)) & expected
    created = set(Notice.objects.filter(pk__gt=last_notice).values_list("key", flat=True))
    assert decided == expected, f"{len(expected - decided)} decisions missing from the sweep"
    assert created <= expected, f"{len(created - expected)} notices the query does not select"
    print(
        f"reminder sweep: {len(expected):,} decisions ({len(created):,} new), "
        f"{Delivery.objects.filter(pk__gt=last_delivery).count():,} emails planned",
        flush=True,
    )
    return report("reminder sweep", ours, baseline, target=TARGET_RATIO)
