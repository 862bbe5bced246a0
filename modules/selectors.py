from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Q
from wagtail.models import Page

from progress import selectors as progress_selectors

from .models import FilmProgress, ReflectionAnswer


def watched_block_ids(*, user, module) -> set[str]:
    return set(
        FilmProgress.objects.filter(user=user, module_id=module.pk)
        .filter(Q(watched_at__isnull=False) | Q(transcript_read_at__isnull=False))
        .values_list("block_id", flat=True)
    )


def film_progress_by_block(*, user, module) -> dict[str, FilmProgress]:
    return {fp.block_id: fp for fp in FilmProgress.objects.filter(user=user, module_id=module.pk)}


def reflection_answers_by_block(*, user, module) -> dict[str, ReflectionAnswer]:
    return {
        answer.block_id: answer
        for answer in ReflectionAnswer.objects.filter(user=user, module_id=module.pk)
    }


@dataclass
class ModuleOutcome:
    """Where a learner stands in a module and its course: what a quiz's result page tells."""

    course: Page
    completed: bool
    course_completed_at: datetime | None = None
    next_module: Page | None = None
    unmet: list[str] = field(default_factory=list)


def module_outcome(*, user, module) -> ModuleOutcome:
    """A fixed number of queries, whatever the size of the course or the learner's history."""
    state = progress_selectors.course_state(user=user, course=module.get_parent())
    module_state = state.module(module.pk)
    completed = bool(module_state and module_state.completed)
    following = state.next_module(module.pk)
    return ModuleOutcome(
        course=state.course,
        completed=completed,
        course_completed_at=state.completed_at
        if state.status == progress_selectors.COMPLETED
        else None,
        next_module=following.page if following and not following.locked_reason else None,
        unmet=[] if completed else module.unmet_requirements(user),
    )
