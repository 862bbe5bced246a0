"""Writes of progress. The one place that records "started" and decides "completed"."""

from __future__ import annotations

import calendar
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone
from wagtail.models import Page

from . import selectors, signals
from .models import Completion, CourseProgress, ModuleProgress


class ProgressError(Exception):
    """A learner action that the rules do not allow; `messages` say why, in the user's language."""

    def __init__(self, messages: list[str]):
        super().__init__("; ".join(str(m) for m in messages))
        self.messages = messages


@dataclass
class ModuleCompletionResult:
    module_progress: ModuleProgress
    completion: Completion | None  # set when this completed the course
    course_state: selectors.CourseState


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# Renewal: whether a lapsed completion opens a new round is for the app that knows who must
# take a course (assignments); it registers its opener here at start-up, as progress does not
# import it. An opener takes (user=, course_id=) and returns whether it opened a round.
_round_openers: list[Callable[..., bool]] = []


def register_round_opener(opener: Callable[..., bool]) -> None:
    if opener not in _round_openers:
        _round_openers.append(opener)


def renewal_open_if_due(*, user, course: Page) -> bool:
    """Open the learner's next round of the course if their completion has lapsed and a renewal
    is due, when the daily sweep has not done it yet. Called when the learner opens the course
    and before any progress is written, so that it goes into the new round."""
    if not getattr(user, "is_authenticated", False):
        return False
    opened = False
    for opener in _round_openers:
        opened = opener(user=user, course_id=course.pk) or opened
    return opened


def _round_for_update(*, user, course: Page) -> CourseProgress:
    """The learner's current round of the course, created if needed, locked for this transaction.

    The row lock serialises concurrent requests of one learner for one course (two tabs, a
    double click), so that the completion rule is evaluated once.
    """
    progress = selectors.current_round(user=user, course_id=course.pk)
    if progress is None:
        progress, _ = CourseProgress.objects.get_or_create(
            user=user, course_id=course.pk, round=1, defaults={"started_at": timezone.now()}
        )
    return CourseProgress.objects.select_for_update().get(pk=progress.pk)


@transaction.atomic
def module_start(*, user, module: Page) -> ModuleProgress:
    """Record that the learner opened a module (the first time only) and where to resume."""
    course = module.get_parent()
    renewal_open_if_due(user=user, course=course)
    progress = selectors.current_round(user=user, course_id=course.pk)
    if progress is None:
        progress, _ = CourseProgress.objects.get_or_create(
            user=user, course_id=course.pk, round=1, defaults={"started_at": timezone.now()}
        )
    module_progress, created = ModuleProgress.objects.get_or_create(
        course_progress=progress, module_id=module.pk, defaults={"started_at": timezone.now()}
    )
    if created:
        signals.module_started.send(ModuleProgress, user=user, module_progress=module_progress)
    if progress.last_module_id != module.pk:
        CourseProgress.objects.filter(pk=progress.pk).update(last_module_id=module.pk)
    return module_progress


@transaction.atomic
def module_complete(*, user, module: Page) -> ModuleCompletionResult:
    """Mark a module done; complete the course when its last required module is done.

    Raises ProgressError, changing nothing, when the module is locked or has unmet requirements.
    Idempotent: completing a module again changes nothing and creates no second completion.
    """
    module = module.specific
    course = module.get_parent().specific
    if not hasattr(module, "unmet_requirements") or not course.live:
        raise ProgressError([_not_available()])
    # A lapsed completion: this goes into the new round (never before the expiry day).
    renewal_open_if_due(user=user, course=course)
    # The lock before anything is read: a concurrent request of this learner for this course
    # (a second required quiz of this module passed in another tab) has then committed, and
    # the reads below see it; read before the lock, each could miss the other's pass. Without a
    # round yet it is created after the checks, as before: a round started now would postdate
    # the pass being reported (requirements count passes since the round started). Quizzes
    # and module pages start the round first, so a pass normally finds one to lock.
    progress = selectors.current_round(user=user, course_id=course.pk)
    if progress is not None:
        progress = CourseProgress.objects.select_for_update().get(pk=progress.pk)
    # The structure from the database: a completion is not decided on a cached copy.
    state = selectors.course_state(user=user, course=course, fresh=True)
    module_state = state.module(module.pk)
    if module_state is None:
        raise ProgressError([_not_available()])
    if module_state.locked_reason:
        raise ProgressError([module_state.locked_reason])
    unmet = module.unmet_requirements(user)
    if unmet:
        raise ProgressError(unmet)

    now = timezone.now()
    if progress is None:
        progress = _round_for_update(user=user, course=course)
    module_progress, created = ModuleProgress.objects.get_or_create(
        course_progress=progress, module_id=module.pk, defaults={"started_at": now}
    )
    if created:
        signals.module_started.send(ModuleProgress, user=user, module_progress=module_progress)
    if module_progress.completed_at is None:
        module_progress.completed_at = now
        module_progress.save(update_fields=["completed_at"])
        signals.module_completed.send(ModuleProgress, user=user, module_progress=module_progress)

    completion = _complete_if_done(user=user, course=course, progress=progress, state=state)
    return ModuleCompletionResult(
        module_progress=module_progress,
        completion=completion,
        course_state=selectors.course_state(user=user, course=course),
    )


@transaction.atomic
def module_complete_if_met(*, user, module: Page) -> ModuleCompletionResult | None:
    """Complete the module when nothing is missing any more; otherwise change nothing.

    For work that can finish a module by itself (a passed quiz), inside that work's transaction:
    the same checks and writes as `module_complete`, without asking the learner to click.
    """
    try:
        return module_complete(user=user, module=module)
    except ProgressError:  # raised before anything is written (and its savepoint is undone)
        return None


def _complete_if_done(*, user, course: Page, progress: CourseProgress, state) -> Completion | None:
    """Write the completion when every required module of the round is done (row is locked)."""
    if progress.completed_at is not None:
        return None
    done = set(
        ModuleProgress.objects.filter(
            course_progress=progress, completed_at__isnull=False
        ).values_list("module_id", flat=True)
    )
    required = selectors.required_module_ids([m.page for m in state.modules])
    if not required or not required <= done:
        return None
    now = timezone.now()
    progress.completed_at = now
    progress.save(update_fields=["completed_at"])
    validity = getattr(course, "validity_months", None)
    completion = Completion.objects.create(
        user=user,
        course_id=course.pk,
        course_progress=progress,
        completed_at=now,
        valid_until=add_months(timezone.localdate(now), validity) if validity else None,
    )
    signals.course_completed.send(Completion, user=user, completion=completion)
    return completion


@transaction.atomic
def course_complete_if_done(*, user, course: Page) -> Completion | None:
    """Complete a course whose remaining required modules were unpublished or made optional.

    Called when the learner opens the course, so that nobody is left with everything done and
    no completion.
    """
    course = course.specific
    state = selectors.course_state(user=user, course=course, fresh=True)
    if state.progress is None or state.status == selectors.COMPLETED or state.locked:
        return None
    progress = CourseProgress.objects.select_for_update().get(pk=state.progress.pk)
    return _complete_if_done(user=user, course=course, progress=progress, state=state)


def _not_available() -> str:
    from django.utils.translation import gettext

    return gettext("This module is not available.")


# Group credit: a module done together (a workplace meeting) -------------------------------


@dataclass
class CreditResult:
    credited: bool  # False: the learner had already done the module, or the course refuses
    completion: Completion | None  # set when this credit completed the course


def _allows_group_credit(course: Page, module: Page) -> bool:
    # Duck-typed (courses and modules are not imported here): the course must allow group
    # credit and the module must be one meant for group viewing.
    return bool(getattr(course, "allows_group_credit", False)) and bool(
        getattr(module, "for_group_viewing", False)
    )


@transaction.atomic
def module_credit(*, user, module: Page, credit_key: str, credited_on: date) -> CreditResult:
    """Credit the learner with a module done in a group, under `credit_key` (the source).

    Counts only where the course allows group credit and the module is for group viewing;
    elsewhere nothing is written (a course without group credit ignores group sessions). A
    module the learner already completed keeps the learner's own completion. Completes the
    course when this was its last required module, as `module_complete` does. Idempotent.
    """
    module = module.specific
    course = module.get_parent().specific
    if not _allows_group_credit(course, module) or not course.live:
        return CreditResult(credited=False, completion=None)
    renewal_open_if_due(user=user, course=course)
    progress = _round_for_update(user=user, course=course)
    now = timezone.now()
    module_progress, created = ModuleProgress.objects.get_or_create(
        course_progress=progress,
        module_id=module.pk,
        defaults={"started_at": now, "created_by_credit": True},
    )
    if created:
        signals.module_started.send(ModuleProgress, user=user, module_progress=module_progress)
    if module_progress.completed_at is not None:
        return CreditResult(credited=False, completion=None)
    module_progress.completed_at = now
    module_progress.credit_key = credit_key
    module_progress.credited_on = credited_on
    module_progress.save(update_fields=["completed_at", "credit_key", "credited_on"])
    signals.module_completed.send(ModuleProgress, user=user, module_progress=module_progress)
    state = selectors.course_state(user=user, course=course)
    completion = None
    if not state.locked:  # prerequisites still missing: the course completes when they are done
        completion = _complete_if_done(user=user, course=course, progress=progress, state=state)
    return CreditResult(credited=True, completion=completion)


def credit_withdrawable(module_progress: ModuleProgress) -> bool:
    """Whether withdrawing this credit leaves every completion standing: refused once the
    credit has completed the course (the completion, a diploma and reports rest on it)."""
    round_done = module_progress.course_progress.completed_at
    return round_done is None or round_done < module_progress.completed_at


@transaction.atomic
def module_credit_withdraw(*, user, credit_key: str) -> int:
    """Withdraw the credits given under `credit_key` to this learner; returns how many.

    Only rows completed by exactly that credit change: the learner's own completions, other
    credits and everything else they did stay. Raises ProgressError, changing nothing, when
    the credit already completed a course.
    """
    rows = list(
        ModuleProgress.objects.select_for_update()
        .filter(course_progress__user=user, credit_key=credit_key, completed_at__isnull=False)
        .select_related("course_progress")
    )
    for row in rows:
        if not credit_withdrawable(row):
            from django.utils.translation import gettext

            raise ProgressError(
                [
                    gettext(
                        "The credit cannot be withdrawn: it completed the course for "
                        "%(name)s. Ask an administrator."
                    )
                    % {"name": user.get_full_name() or user.get_username()}
                ]
            )
    for row in rows:
        if row.created_by_credit:
            row.delete()  # the learner never opened the module: as if the credit never was
        else:
            row.completed_at = None
            row.credit_key = ""
            row.credited_on = None
            row.save(update_fields=["completed_at", "credit_key", "credited_on"])
    return len(rows)
