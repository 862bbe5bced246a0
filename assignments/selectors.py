"""The one place that decides an assignment's state. Dashboards, reminders and the learner's
own pages all read states through `with_state`, so they can never disagree.

Order matters: an exemption wins; then a valid completion; then a passed due date (a first
round, or a renewal whose due date was set for the renewal); then a completion that has lapsed
(renewal needed, due date still in the future or not yet moved by the renewal sweep); then
started; else not started.
"""

from __future__ import annotations

import datetime

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lms import content_cache
from lms.compiled_query import CompiledQuery, fields_of
from progress.models import Completion, CourseProgress

from .models import Assignment

NOT_STARTED = "not_started"
IN_PROGRESS = "in_progress"
COMPLETED = "completed"
OVERDUE = "overdue"
EXPIRED = "expired"
EXEMPTED = "exempted"

STATE_LABELS = {
    NOT_STARTED: _("Not started"),
    IN_PROGRESS: _("In progress"),
    COMPLETED: _("Completed"),
    OVERDUE: _("Overdue"),
    EXPIRED: _("Expired, renew"),
    EXEMPTED: _("Exempted"),
}
STATES = tuple(STATE_LABELS)
# States in which the person still has to do something.
TO_DO = (NOT_STARTED, IN_PROGRESS, OVERDUE, EXPIRED)


def valid_completions(today: datetime.date) -> QuerySet[Completion]:
    return Completion.objects.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))


def _same() -> dict:
    return {"user_id": OuterRef("user_id"), "course_id": OuterRef("course_id")}


def _due_date_counts() -> Q:
    """The assignment's due date applies to the current round: there is no completion, a new
    round is open, or the due date lies after every lapsed completion's last valid day (the
    renewal moved it). Otherwise the due date is the old first-round one, already met."""
    same = _same()
    return ~Exists(Completion.objects.filter(valid_until__gte=OuterRef("due_on"), **same)) | Exists(
        CourseProgress.objects.filter(completed_at__isnull=True, **same)
    )


def with_state(queryset: QuerySet[Assignment], today: datetime.date | None = None) -> QuerySet:
    """Annotate `state` (one of STATES) on assignments, in SQL, so it can be filtered and
    counted over a million rows."""
    today = today or timezone.localdate()
    same = _same()
    return queryset.annotate(
        state=Case(
            When(exempted_at__isnull=False, then=Value(EXEMPTED)),
            When(Exists(valid_completions(today).filter(**same)), then=Value(COMPLETED)),
            # An overdue renewal is overdue, not merely "expired, renew".
            When(Q(due_on__lt=today) & _due_date_counts(), then=Value(OVERDUE)),
            When(Exists(Completion.objects.filter(**same)), then=Value(EXPIRED)),
            When(
                Exists(CourseProgress.objects.filter(completed_at__isnull=True, **same)),
                then=Value(IN_PROGRESS),
            ),
            default=Value(NOT_STARTED),
            output_field=CharField(),
        )
    )


def open_assignments() -> QuerySet[Assignment]:
    return Assignment.objects.filter(ended_at__isnull=True)


def _open_with_state(today: datetime.date, *, user_id: int) -> QuerySet:
    """The learner's open assignments as `with_state` decides, with `due_date_counts`."""
    return (
        with_state(open_assignments().filter(user_id=user_id), today)
        .annotate(due_date_counts=ExpressionWrapper(_due_date_counts(), BooleanField()))
        .values_list(*fields_of(Assignment), "state", "due_date_counts")
    )


# Every learner page asks this of every learner: compiled once per process and day.
_MINE = CompiledQuery(Assignment, _open_with_state, names=("user_id",))


def my_assignments(*, user, today: datetime.date | None = None) -> list[Assignment]:
    """The learner's open assignments, the most urgent first, each with `state` and
    `state_label` and its course (from the content cache); finished ones last."""
    rows = _MINE.instances(today or timezone.localdate(), user_id=user.pk)
    courses = content_cache.pages([row.course_id for row in rows])
    for row in rows:
        row.course = courses[row.course_id]
        _label(row)
    rows.sort(key=lambda a: (a.state not in TO_DO, a.state != OVERDUE, a.due_on, a.course.title))
    return rows


def _open_of_course(today: datetime.date, *, user_id: int, course_id: int) -> QuerySet:
    return _open_with_state(today, user_id=user_id).filter(course_id=course_id)


# The course page asks for one course's: the database works out one state, not every one.
_MINE_OF_COURSE = CompiledQuery(Assignment, _open_of_course, names=("user_id", "course_id"))


def my_assignment(*, user, course_id: int, today: datetime.date | None = None):
    """The learner's open assignment of one course with `state` and `state_label`, or None
    (one open assignment per person and course: a unique constraint)."""
    rows = _MINE_OF_COURSE.instances(
        today or timezone.localdate(), user_id=user.pk, course_id=course_id
    )
    if not rows:
        return None
    row = rows[0]
    row.course = content_cache.pages([course_id])[course_id]
    return _label(row)


def _label(row: Assignment) -> Assignment:
    """`state_label`, and `renew_by`: the date to renew by when the completion has lapsed (the
    renewal's due date, set when the new round opened), shown as "Förnya senast …"; not while
    the due date is still the old, already met one (the renewal sweep has not run yet)."""
    row.state_label = STATE_LABELS[row.state]
    counts = getattr(row, "due_date_counts", False)
    row.renew_by = row.due_on if row.state == EXPIRED and counts else None
    return row


def state_of(*, user, course_id: int, today: datetime.date | None = None) -> str | None:
    row = my_assignment(user=user, course_id=course_id, today=today)
    return row.state if row is not None else None
