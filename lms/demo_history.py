"""A year and a half of history for the demo municipality's sample people, so that the
dashboards, overdue lists and reminders have something to show on the first start.

Only people from the sample file get history; the demo users start with a clean slate so
that their own journeys can be tried. Assignments are moved back in time (with due dates that
follow from their rules), and about half of them are completed: course rounds, every module,
a passed final quiz (with a real snapshot of its questions) and the completion, dated in the
past. Deterministic; runs once (it does nothing when a sample person already has progress).
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from assignments.models import Assignment
from courses.models import CoursePage
from modules.models import ModulePage
from progress.models import Completion, CourseProgress, ModuleProgress
from progress.services import add_months
from quizzes.models import QuizAttempt
from quizzes.services import build_snapshot, snapshot_with_new_keys

from .demo import DEMO_USERS

HISTORY_DAYS = 540
COMPLETED_SHARE = 0.55
STARTED_SHARE = 0.15


def _at(day, rng: random.Random) -> datetime:
    moment = datetime.combine(day, time(hour=rng.randint(8, 15), minute=rng.randint(0, 59)))
    return timezone.make_aware(moment)


@transaction.atomic
def ensure_history(seed: int = 2026) -> int:
    """Returns the number of completions written (0 when the history is already there)."""
    demo_names = [u.username for u in DEMO_USERS]
    assignments = list(
        Assignment.objects.filter(ended_at__isnull=True)
        .exclude(user__username__in=demo_names)
        .select_related("rule")
        .order_by("pk")
    )
    users = {a.user_id for a in assignments}
    if not assignments or CourseProgress.objects.filter(user_id__in=users).exists():
        return 0
    rng = random.Random(seed)  # noqa: S311  (demo data, not security)
    today = timezone.localdate()
    course_ids = {a.course_id for a in assignments}
    courses = {c.pk: c for c in CoursePage.objects.filter(pk__in=course_ids)}
    modules = {
        pk: list(ModulePage.objects.live().child_of(course).order_by("path"))
        for pk, course in courses.items()
    }
    snapshots = {}
    for pk, pages in modules.items():
        for page in pages:
            for block in page.body:
                if block.block_type == "quiz" and block.value["required"]:
                    quiz = block.value["quiz"]
                    snapshots[(pk, page.pk)] = (quiz, build_snapshot(quiz, rng=rng))
    rounds, module_rows, completions, attempts = [], [], [], []
    attempt_numbers: dict[tuple[int, int], int] = {}
    for assignment in assignments:
        assigned = today - timedelta(days=rng.randint(0, HISTORY_DAYS))
        due_days = assignment.rule.due_days if assignment.rule else 90
        assignment.assigned_at = _at(assigned, rng)
        assignment.due_on = assigned + timedelta(days=due_days)
        pages = modules.get(assignment.course_id) or []
        roll = rng.random()
        if not pages or roll >= COMPLETED_SHARE + STARTED_SHARE:
            continue
        finished = roll < COMPLETED_SHARE
        span = max(1, min((today - assigned).days, due_days + 60))
        started = assigned + timedelta(days=rng.randint(0, span // 2))
        ended = min(today, started + timedelta(days=rng.randint(0, span // 2)))
        done = len(pages) if finished else rng.randrange(len(pages))
        round_ = CourseProgress(
            user_id=assignment.user_id,
            course_id=assignment.course_id,
            started_at=_at(started, rng),
            completed_at=_at(ended, rng) if finished else None,
            last_module_id=pages[min(done, len(pages) - 1)].pk,
        )
        if round_.completed_at and round_.completed_at < round_.started_at:
            round_.completed_at = round_.started_at + timedelta(hours=2)
        rounds.append(round_)
        for n, page in enumerate(pages[: min(done + 1, len(pages))]):
            module_rows.append((round_, page, n < done))
            quiz_snapshot = snapshots.get((assignment.course_id, page.pk))
            if quiz_snapshot and n < done:
                quiz, snapshot = quiz_snapshot
                key = (assignment.user_id, quiz.pk)
                attempt_numbers[key] = attempt_numbers.get(key, 0) + 1
                finished_at = round_.completed_at or round_.started_at + timedelta(hours=1)
                attempts.append(
                    QuizAttempt(
                        user_id=assignment.user_id,
                        quiz=quiz,
                        number=attempt_numbers[key],
                        module_id=page.pk,
                        snapshot=snapshot_with_new_keys(snapshot),  # keys per attempt
                        started_at=finished_at - timedelta(minutes=25),
                        submitted_at=finished_at - timedelta(minutes=10),
                        score_percent=100,
                        passed=True,
                    )
                )
    Assignment.objects.bulk_update(assignments, ["assigned_at", "due_on"], batch_size=1000)
    CourseProgress.objects.bulk_create(rounds, batch_size=1000)
    rows = []
    for round_, page, completed in module_rows:
        moment = round_.completed_at or round_.started_at
        rows.append(
            ModuleProgress(
                course_progress=round_,
                module_id=page.pk,
                started_at=round_.started_at,
                completed_at=moment if completed else None,
            )
        )
    ModuleProgress.objects.bulk_create(rows, batch_size=1000)
    QuizAttempt.objects.bulk_create(attempts, batch_size=1000)
    for round_ in rounds:
        if round_.completed_at:
            validity = courses[round_.course_id].validity_months
            completions.append(
                Completion(
                    user_id=round_.user_id,
                    course_id=round_.course_id,
                    course_progress=round_,
                    completed_at=round_.completed_at,
                    valid_until=add_months(timezone.localdate(round_.completed_at), validity)
                    if validity
                    else None,
                )
            )
    Completion.objects.bulk_create(completions, batch_size=1000)
    return len(completions)
