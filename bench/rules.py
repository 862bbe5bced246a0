"""Rule evaluation (assignments) against hand-written SQL, on the synthetic municipality.

- nightly run: every course's rules evaluated when nothing changed (what beat does at 03:00)
  vs one SQL statement per rule counting who would be assigned or ended;
- new rule: a rule for everyone in the municipality is added to a course, and its assignments
  written, vs a single INSERT … SELECT.

Target ratio 3.0 (issue 3 names none for rule evaluation: our own, the same as the pages').
"""

from __future__ import annotations

from django.db import connection
from django.utils import timezone

from assignments import services
from assignments.models import Assignment, AssignmentRule, Audience
from people.models import OrgUnit

from .harness import measure, report
from .municipality import NOW

TARGET_RATIO = 3.0

_SCOPE = """
    FROM people_person p JOIN people_orgunit u ON u.id = p.unit_id
    WHERE (p.end_date IS NULL OR p.end_date > %(today)s) AND p.anonymised_at IS NULL
      AND u.path LIKE %(prefix)s {audience}
"""
_AUDIENCE = {
    Audience.EVERYONE: "",
    Audience.MANAGERS: "AND p.is_manager",
    Audience.STAFF: "AND NOT p.is_manager",
}


def _raw_nightly(today) -> int:
    changes = 0
    with connection.cursor() as cursor:
        for rule in AssignmentRule.objects.filter(active=True).select_related("unit"):
            scope = _SCOPE.format(audience=_AUDIENCE[rule.audience])
            params = {"today": today, "prefix": rule.unit.path + "%", "course": rule.course_id}
            cursor.execute(
                f"""SELECT count(*) {scope} AND NOT EXISTS (
                    SELECT 1 FROM assignments_assignment a WHERE a.user_id = p.user_id
                    AND a.course_id = %(course)s AND a.ended_at IS NULL)""",
                params,
            )
            changes += cursor.fetchone()[0]
            cursor.execute(
                f"""SELECT count(*) FROM assignments_assignment a
                    WHERE a.course_id = %(course)s AND a.ended_at IS NULL
                    AND a.user_id NOT IN (SELECT p.user_id {scope})""",
                params,
            )
            changes += cursor.fetchone()[0]
    return changes


def _raw_insert(rule: AssignmentRule, today) -> None:
    scope = _SCOPE.format(audience=_AUDIENCE[rule.audience])
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO assignments_assignment
                (user_id, course_id, rule_id, assigned_at, due_on, end_reason, exemption_reason)
                SELECT p.user_id, %(course)s, %(rule)s, %(now)s, %(due)s, '', '' {scope}
                ON CONFLICT DO NOTHING""",
            {
                "today": today,
                "prefix": rule.unit.path + "%",
                "course": rule.course_id,
                "rule": rule.pk,
                "now": timezone.now(),
                "due": today,
            },
        )


def run() -> None:
    today = NOW.date()
    nightly = measure(lambda: services.evaluate_rules(today=today), repeat=3)
    baseline = measure(lambda: _raw_nightly(today), repeat=3)
    report("rule evaluation, nightly (no changes)", nightly, baseline, target=TARGET_RATIO)

    # A course that so far was for managers only now goes to everyone.
    managers_rule = AssignmentRule.objects.filter(audience=Audience.MANAGERS).first()
    if managers_rule is None:
        return
    root = OrgUnit.objects.get(pk=managers_rule.unit_id)
    rule = AssignmentRule.objects.create(
        name="Alla medarbetare (bench)",
        course_id=managers_rule.course_id,
        unit=root,
        audience=Audience.EVERYONE,
        due_days=90,
    )
    before = set(Assignment.objects.filter(course_id=rule.course_id).values_list("pk", flat=True))

    def reset() -> None:
        Assignment.objects.filter(course_id=rule.course_id).exclude(pk__in=before).delete()

    ours = measure(lambda: services.evaluate_course(rule.course_id, today), setup=reset, repeat=3)
    created = Assignment.objects.filter(course_id=rule.course_id).exclude(pk__in=before).count()
    raw = measure(lambda: _raw_insert(rule, today), setup=reset, repeat=3)
    reset()
    print(f"new rule for everyone in the municipality: {created:,} assignments", flush=True)
    report("rule evaluation, new rule", ours, raw, target=TARGET_RATIO)
    rule.delete()
