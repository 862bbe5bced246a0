"""Evaluating the rules into assignments, and exemptions. The only writer of Assignment.

Evaluation is set-based per course: the people the course's active rules cover are computed
with one query per rule, compared with the open assignments, and the difference is written in
batches. Re-running it changes nothing (idempotent); two runs at once cannot create duplicates
because of the partial unique constraint (one open assignment per person and course).
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field

from django.apps import apps
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from wagtail.models import Page

from people.models import Person
from progress.models import Completion, CourseProgress

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


# Renewal ---------------------------------------------------------------------------------------
#
# `Completion.valid_until` is the last day a completion is valid (assignment states, reports and
# reminders all count it as valid on that day). The completion lapses at the start of the next
# local day (Europe/Stockholm), the *expiry day*: from then on, a person who still has the
# course assigned gets a new round of it (progress counts the new round from the start) and the
# assignment is due the rule's days after the expiry day. The earlier rounds and completions
# are left as they are: they are the history.


def expiry_day(valid_until: datetime.date) -> datetime.date:
    """The first day on which a completion valid until `valid_until` no longer counts."""
    return valid_until + datetime.timedelta(days=1)


def renewals_due(today: datetime.date) -> QuerySet[Assignment]:
    """Open, not exempted assignments whose person's completions of the course have all lapsed
    (and there is one), with no round of the course open since: a new round is due."""
    same = {"user_id": OuterRef("user_id"), "course_id": OuterRef("course_id")}
    return Assignment.objects.filter(ended_at__isnull=True, exempted_at__isnull=True).filter(
        Exists(Completion.objects.filter(valid_until__lt=today, **same)),
        ~Exists(
            Completion.objects.filter(
                Q(valid_until__isnull=True) | Q(valid_until__gte=today), **same
            )
        ),
        ~Exists(CourseProgress.objects.filter(completed_at__isnull=True, **same)),
    )


def _renew(candidates: QuerySet[Assignment]) -> int:
    """Open the next round and move the due date of these candidates, in the caller's
    transaction, in a fixed number of queries. Returns how many were renewed.

    Safe against a concurrent sweep and a learner opening the course at the same moment: both
    write the same round number (the unique round constraint lets one insert through, the other
    is ignored) and the same due date (a function of the lapsed completion and the rule).
    """
    same = {"user_id": OuterRef("user_id"), "course_id": OuterRef("course_id")}
    quickest_rule = AssignmentRule.objects.filter(
        course_id=OuterRef("course_id"), active=True
    ).order_by("due_days")
    rows = list(
        candidates.annotate(
            lapsed=Subquery(
                Completion.objects.filter(**same).order_by("-valid_until").values("valid_until")[:1]
            ),
            last_round=Subquery(
                CourseProgress.objects.filter(**same).order_by("-round").values("round")[:1]
            ),
            # The rule that made the assignment; if it was deleted, the course's quickest rule.
            days=Coalesce(F("rule__due_days"), Subquery(quickest_rule.values("due_days")[:1])),
        )
        .order_by("pk")
        .values_list("pk", "user_id", "course_id", "due_on", "lapsed", "last_round", "days")
    )
    if not rows:
        return 0
    with transaction.atomic():  # the sweep's slice is in its own transaction already
        _write_renewals(rows)
    return len(rows)


def _write_renewals(rows: list[tuple]) -> None:
    _open_rounds([[user_id, course_id, last + 1] for _pk, user_id, course_id, *_, last, _d in rows])
    _films_start_over({(user_id, course_id) for _pk, user_id, course_id, *_rest in rows})
    changed = []
    for pk, _user, _course, due_on, lapsed, _last, days in rows:
        renew_by = max(due_on, renewal_due_on(lapsed, days or 0))
        if renew_by != due_on:
            changed.append([pk, renew_by.isoformat()])
    _move_due_dates(changed)


# One UPDATE for all the moved due dates of a slice, the (id, date) pairs as one JSON
# parameter: Django's bulk_update builds a CASE with a branch per row, which took most of the
# sweep's time in Python.
_MOVE_DUE_DATES = {
    "postgresql": (
        "UPDATE {table} AS a SET due_on = (v.value ->> 1)::date "
        "FROM json_array_elements(%s::json) AS v(value) WHERE a.id = (v.value ->> 0)::bigint"
    ),
    "sqlite": (
        "UPDATE {table} SET due_on = v.value ->> 1 FROM json_each(%s) AS v "
        "WHERE {table}.id = v.value ->> 0"
    ),
}


# The new rounds the same way, as triples [user id, course id, round]. ON CONFLICT DO NOTHING:
# a learner who opened the course at the same moment wrote the same round (its unique
# constraint lets one through).
_OPEN_ROUNDS = {
    "postgresql": (
        "INSERT INTO {table} (user_id, course_id, round, started_at) "
        "SELECT (v.value ->> 0)::integer, (v.value ->> 1)::integer, (v.value ->> 2)::smallint, %s "
        "FROM json_array_elements(%s::json) AS v(value) ON CONFLICT DO NOTHING"
    ),
    "sqlite": (
        "INSERT INTO {table} (user_id, course_id, round, started_at) "
        "SELECT v.value ->> 0, v.value ->> 1, v.value ->> 2, %s FROM json_each(%s) AS v "
        "WHERE true ON CONFLICT DO NOTHING"
    ),
}


def _open_rounds(triples: list[list]) -> None:
    if not triples:
        return
    connection = transaction.get_connection()
    sql = _OPEN_ROUNDS[connection.vendor].format(table=CourseProgress._meta.db_table)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(sql, [now, json.dumps(triples)])


def _move_due_dates(pairs: list[list]) -> None:
    """Set due dates: pairs of [assignment id, ISO date]."""
    if not pairs:
        return
    connection = transaction.get_connection()
    sql = _MOVE_DUE_DATES[connection.vendor].format(table=Assignment._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(sql, [json.dumps(pairs)])


def _films_start_over(pairs: set[tuple[int, int]]) -> None:
    """A renewal takes the films again. Film progress is kept per person and module, not per
    round, so what was played in the lapsed round is cleared (as when an editor swaps a film);
    the earlier rounds and completions keep the record that the course was done. One query
    for the courses, one update, whatever the number of people."""
    if not pairs:
        return
    film_progress = apps.get_model("modules", "FilmProgress")
    users: dict[int, set[int]] = {}
    for user_id, course_id in pairs:
        users.setdefault(course_id, set()).add(user_id)
    condition = Q(pk__in=[])
    for course_id, path, depth in Page.objects.filter(pk__in=users).values_list(
        "pk", "path", "depth"
    ):
        condition |= Q(
            user_id__in=users[course_id], module__path__startswith=path, module__depth=depth + 1
        )
    film_progress.objects.filter(condition).update(
        played_ranges=[],
        seconds_played=0,
        watched_at=None,
        transcript_read_at=None,
        credit_from=None,
    )


def renewal_due_on(valid_until: datetime.date, due_days: int) -> datetime.date:
    """The due date of a renewal: the rule's days counted from the expiry day. (The sweep never
    moves a due date earlier: an assignment made after the lapse keeps its own.)"""
    return expiry_day(valid_until) + datetime.timedelta(days=due_days)


def renew_lapsed(*, today: datetime.date | None = None) -> int:
    """The daily sweep: open a new round for everyone whose completion of an assigned course
    has lapsed. Returns how many. Set-based: one query finds them, then slices of BATCH are
    renewed in a transaction each (re-checked inside it). Idempotent."""
    today = today or timezone.localdate()
    due = renewals_due(today)
    ids = list(due.order_by("pk").values_list("pk", flat=True))
    renewed = 0
    for start in range(0, len(ids), BATCH):
        with transaction.atomic():
            renewed += _renew(due.filter(pk__in=ids[start : start + BATCH]))
    return renewed


def renewal_open_if_due(*, user, course_id: int, today: datetime.date | None = None) -> bool:
    """The same for one learner and course, when they open it before the sweep has run.
    True when a new round was due (and is now open)."""
    today = today or timezone.localdate()
    return bool(_renew(renewals_due(today).filter(user=user, course_id=course_id)))
