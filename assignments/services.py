"""Evaluating the rules into assignments, and exemptions. The only writer of Assignment.

Evaluation is set-based per course: the people the course's active rules cover are computed
with one query per rule, compared with the open assignments, and the difference is written in
batches. Re-running it changes nothing (idempotent); two runs at once cannot create duplicates
because of the partial unique constraint (one open assignment per person and course).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from people.models import Person

from .models import Assignment, AssignmentRule, Audience, EndReason

BATCH = 2000


@dataclass
class EvaluationResult:
    created: int = 0
    ended: int = 0
    courses: list[int] = field(default_factory=list)


def employed(today: datetime.date) -> Q:
    return Q(end_date__isnull=True) | Q(end_date__gt=today)


def people_covered(rule: AssignmentRule, today: datetime.date) -> QuerySet[Person]:
    """Everyone the rule keeps assigned: employed people in its units and audience.

    The new-hire window is not applied here: it decides who is newly assigned
    (`people_to_assign`), not who keeps an assignment once made.
    """
    people = Person.objects.filter(employed(today), anonymised_at__isnull=True)
    if rule.include_subunits:
        people = people.filter(unit__path__startswith=rule.unit.path)
    else:
        people = people.filter(unit=rule.unit)
    if rule.audience == Audience.MANAGERS:
        people = people.filter(is_manager=True)
    elif rule.audience == Audience.STAFF:
        people = people.filter(is_manager=False)
    return people


def people_to_assign(rule: AssignmentRule, today: datetime.date) -> QuerySet[Person]:
    people = people_covered(rule, today)
    if rule.hired_within_days is not None:
        since = today - datetime.timedelta(days=rule.hired_within_days)
        people = people.filter(start_date__gte=since)
    return people


def _due_on(rule: AssignmentRule, start_date: datetime.date | None, today: datetime.date):
    # New hires get their days from the first day of employment (also a future one).
    counted_from = start_date if rule.hired_within_days is not None and start_date else today
    return counted_from + datetime.timedelta(days=rule.due_days)


def courses_to_evaluate() -> list[int]:
    with_rules = AssignmentRule.objects.filter(active=True).values_list("course_id", flat=True)
    with_open = (
        Assignment.objects.filter(ended_at__isnull=True)
        .values_list("course_id", flat=True)
        .distinct()
    )
    return sorted(set(with_rules) | set(with_open))


def evaluate_rules(
    *, course_ids: list[int] | None = None, today: datetime.date | None = None
) -> EvaluationResult:
    """Bring the open assignments of these courses (default: all) in line with the rules."""
    today = today or timezone.localdate()
    result = EvaluationResult()
    for course_id in course_ids if course_ids is not None else courses_to_evaluate():
        created, ended = evaluate_course(course_id, today)
        result.created += created
        result.ended += ended
        result.courses.append(course_id)
    return result


@dataclass
class CoursePlan:
    """What evaluating one course would change."""

    course_id: int
    new: dict[int, tuple[int, datetime.date]]  # user id → (rule id, due date)
    gone: list[int]  # users whose open assignment ends
    left: set[int]  # of those, the ones who left the organisation

    @property
    def changes(self) -> int:
        return len(self.new) + len(self.gone)


def plan_course(course_id: int, today: datetime.date) -> CoursePlan:
    rules = list(
        AssignmentRule.objects.filter(course_id=course_id, active=True)
        .select_related("unit")
        .order_by("pk")
    )
    covered: set[int] = set()
    wanted: dict[int, tuple[int, datetime.date]] = {}
    for rule in rules:
        covered_by_rule = people_covered(rule, today)
        if rule.hired_within_days is not None:
            # A new-hire rule keeps the people it assigned (and those in its window), not
            # everyone in its units: otherwise it would hold on to assignments that another,
            # removed rule made.
            covered_by_rule = covered_by_rule.filter(
                Q(start_date__gte=today - datetime.timedelta(days=rule.hired_within_days))
                | Q(
                    user__assignments__rule=rule,
                    user__assignments__course_id=course_id,
                    user__assignments__ended_at__isnull=True,
                )
            )
        covered.update(covered_by_rule.values_list("user_id", flat=True))
        for user_id, start_date in people_to_assign(rule, today).values_list(
            "user_id", "start_date"
        ):
            due = _due_on(rule, start_date, today)
            if user_id not in wanted or due < wanted[user_id][1]:
                wanted[user_id] = (rule.pk, due)
    open_users = set(
        Assignment.objects.filter(course_id=course_id, ended_at__isnull=True).values_list(
            "user_id", flat=True
        )
    )
    gone = sorted(open_users - covered)
    left: set[int] = set()
    for start in range(0, len(gone), BATCH):
        left.update(
            Person.objects.filter(user_id__in=gone[start : start + BATCH])
            .exclude(employed(today))
            .values_list("user_id", flat=True)
        )
    new = {u: v for u, v in wanted.items() if u not in open_users}
    return CoursePlan(course_id=course_id, new=new, gone=gone, left=left)


@transaction.atomic
def evaluate_course(course_id: int, today: datetime.date) -> tuple[int, int]:
    plan = plan_course(course_id, today)
    now = timezone.now()
    # ignore_conflicts: a concurrent run may have created the same open assignment meanwhile.
    Assignment.objects.bulk_create(
        (
            Assignment(
                user_id=user_id, course_id=course_id, rule_id=rule_id, assigned_at=now, due_on=due
            )
            for user_id, (rule_id, due) in plan.new.items()
        ),
        batch_size=BATCH,
        ignore_conflicts=True,
    )
    ended = 0
    for start in range(0, len(plan.gone), BATCH):
        batch = plan.gone[start : start + BATCH]
        for reason, users in (
            (EndReason.LEFT, [u for u in batch if u in plan.left]),
            (EndReason.OUT_OF_SCOPE, [u for u in batch if u not in plan.left]),
        ):
            if users:
                ended += Assignment.objects.filter(
                    course_id=course_id, ended_at__isnull=True, user_id__in=users
                ).update(ended_at=now, end_reason=reason)
    return len(plan.new), ended


@transaction.atomic
def exempt(*, assignment: Assignment, by, reason: str) -> Assignment:
    """Excuse one person from one assignment (e.g. already trained elsewhere), with a reason."""
    reason = reason.strip()
    if not reason:
        raise ValueError("an exemption needs a reason")
    assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
    if assignment.exempted_at is not None:
        # Already exempted: a corrected reason does not change who exempted and when.
        assignment.exemption_reason = reason
        assignment.save(update_fields=["exemption_reason"])
        return assignment
    assignment.exempted_at = timezone.now()
    assignment.exempted_by = by
    assignment.exemption_reason = reason
    assignment.save(update_fields=["exempted_at", "exempted_by", "exemption_reason"])
    return assignment


@transaction.atomic
def withdraw_exemption(*, assignment: Assignment) -> Assignment:
    assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
    assignment.exempted_at = None
    assignment.exempted_by = None
    assignment.exemption_reason = ""
    assignment.save(update_fields=["exempted_at", "exempted_by", "exemption_reason"])
    return assignment
