"""The one place that decides an assignment's state. Dashboards, reminders and the learner's
own pages all read states through `with_state`, so they can never disagree.

Order matters: an exemption wins; then a valid completion; then a completion that has lapsed
(renewal needed); then a passed due date; then started; else not started.
"""

from __future__ import annotations

import datetime

from django.db.models import Case, CharField, Exists, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

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


def with_state(queryset: QuerySet[Assignment], today: datetime.date | None = None) -> QuerySet:
    """Annotate `state` (one of STATES) on assignments, in SQL, so it can be filtered and
    counted over a million rows."""
    today = today or timezone.localdate()
    same = {"user_id": OuterRef("user_id"), "course_id": OuterRef("course_id")}
    return queryset.annotate(
        state=Case(
            When(exempted_at__isnull=False, then=Value(EXEMPTED)),
            When(Exists(valid_completions(today).filter(**same)), then=Value(COMPLETED)),
            When(Exists(Completion.objects.filter(**same)), then=Value(EXPIRED)),
            When(due_on__lt=today, then=Value(OVERDUE)),
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


def my_assignments(*, user, today: datetime.date | None = None) -> list[Assignment]:
    """The learner's open assignments, the most urgent first, each with `state` and
    `state_label`; finished ones last."""
    rows = list(
        with_state(open_assignments().filter(user=user), today)
        .select_related("course")
        .order_by("due_on", "course__title")
    )
    for row in rows:
        _label(row)
    rows.sort(key=lambda a: (a.state not in TO_DO, a.state != OVERDUE, a.due_on))
    return rows


def my_assignment(*, user, course_id: int, today: datetime.date | None = None):
    """The learner's open assignment of one course with `state` and `state_label`, or None."""
    row = with_state(open_assignments().filter(user=user, course_id=course_id), today).first()
    if row is not None:
        _label(row)
    return row


def _label(row: Assignment) -> Assignment:
    """`state_label`, and `renew_by`: the date to renew by when the completion has lapsed (the
    renewal's due date, set when the new round opened), shown as "Förnya senast …"."""
    row.state_label = STATE_LABELS[row.state]
    row.renew_by = row.due_on if row.state == EXPIRED else None
    return row


def state_of(*, user, course_id: int, today: datetime.date | None = None) -> str | None:
    row = my_assignment(user=user, course_id=course_id, today=today)
    return row.state if row is not None else None
