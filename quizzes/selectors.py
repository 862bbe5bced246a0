from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Max, Q

from .models import (
    AttemptAnswer,
    Choice,
    FeedbackPolicy,
    Quiz,
    QuizAttempt,
    QuizQuestion,
    SelectedChoice,
)
from .services import grade_question


@dataclass
class QuizStatus:
    quiz: Quiz
    attempts_used: int = 0
    passed: bool = False
    best_score: float | None = None
    open_attempt: QuizAttempt | None = None
    last_attempt: QuizAttempt | None = None
    next_allowed_at: datetime | None = None

    @property
    def attempts_left(self) -> int | None:
        if self.quiz.max_attempts is None:
            return None
        return max(0, self.quiz.max_attempts - self.attempts_used)


def quiz_statuses(
    *, user, quizzes: list[Quiz], now: datetime, since: datetime | None = None
) -> dict[int, QuizStatus]:
    """One learner's standing in several quizzes, in one query. With `since` (the start of the
    learner's current round of the course, `services.round_started_at`), only the attempts of
    that round count, as when a new attempt is allowed."""
    statuses = {quiz.pk: QuizStatus(quiz=quiz) for quiz in quizzes}
    if not statuses:
        return statuses
    attempts = QuizAttempt.objects.filter(user=user, quiz_id__in=statuses)
    if since is not None:
        attempts = attempts.filter(Q(submitted_at__isnull=True) | Q(submitted_at__gte=since))
    for attempt in attempts.order_by("number"):
        status = statuses[attempt.quiz_id]
        if attempt.submitted_at is None:
            status.open_attempt = attempt
            continue
        status.attempts_used += 1
        status.last_attempt = attempt
        status.passed = status.passed or bool(attempt.passed)
        score = float(attempt.score_percent)
        status.best_score = score if status.best_score is None else max(status.best_score, score)
    for status in statuses.values():
        status.attempts_used += status.open_attempt is not None
        last = status.last_attempt
        if last and not status.passed and status.quiz.wait_minutes:
            allowed = last.submitted_at + timedelta(minutes=status.quiz.wait_minutes)
            status.next_allowed_at = allowed if allowed > now else None
    return statuses


def answers_revealed(*, attempt: QuizAttempt, status: QuizStatus) -> bool:
    """Whether a submitted attempt's result may show the correct answers, the choices' feedback
    and the explanations (right or wrong per question is shown unless the policy is "never").

    With "correct answers only once passed or when no attempts remain", a failed attempt shows
    them only when the learner has passed since, or when no attempt is left or open. The policy
    is the stricter of the attempt's and the quiz's current one (QuizAttempt.feedback_policy).
    """
    policy = attempt.feedback_policy
    if policy == FeedbackPolicy.NEVER:
        return False
    if policy == FeedbackPolicy.AFTER_PASS:
        if status.passed or attempt.passed:
            return True
        return status.open_attempt is None and status.attempts_left == 0
    return True


def question_feedback(question: dict, selected: list[str], *, reveal: bool) -> dict:
    """One answered question for the learner: right or wrong, the points, and the choices.

    Without `reveal` only the learner's own choices are passed on, without their correct flag
    or feedback, and without the explanation: the template cannot show what it does not get.
    """
    points, is_correct = grade_question(question, selected)
    if reveal:
        choices = [{**c, "was_selected": c["key"] in selected} for c in question["choices"]]
        shown = question
    else:
        choices = [
            {"key": c["key"], "text": c["text"], "was_selected": True}
            for c in question["choices"]
            if c["key"] in selected
        ]
        shown = {k: question.get(k, "") for k in ("key", "kind", "case", "text")}
    return {
        "question": shown,
        "selected": selected,
        "points": points,
        "is_correct": is_correct,
        "choices": choices,
        "revealed": reveal,
    }


def passed_quiz_ids(*, user, quiz_ids: list[int], since: datetime | None = None) -> set[int]:
    qs = QuizAttempt.objects.filter(user=user, quiz_id__in=quiz_ids, passed=True)
    if since is not None:
        qs = qs.filter(submitted_at__gte=since)
    return set(qs.values_list("quiz_id", flat=True))


@dataclass
class ChoiceStat:
    choice: Choice
    chosen: int
    share: float


@dataclass
class QuestionStat:
    number: int
    quiz_question: QuizQuestion
    answered: int
    correct: int
    choices: list[ChoiceStat]

    @property
    def correct_share(self) -> float | None:
        return round(100 * self.correct / self.answered, 1) if self.answered else None


def question_statistics(*, quiz: Quiz) -> list[QuestionStat]:
    """How each current question of a quiz was answered: difficulty and the spread of choices."""
    quiz_questions = list(
        QuizQuestion.objects.filter(quiz=quiz).select_related("question").order_by("sort_order")
    )
    question_ids = [qq.question_id for qq in quiz_questions]
    totals = {
        row["question_id"]: row
        for row in AttemptAnswer.objects.filter(
            question_id__in=question_ids, attempt__quiz=quiz, attempt__submitted_at__isnull=False
        )
        .values("question_id")
        .annotate(answered=Count("pk"), correct=Count("pk", filter=Q(is_correct=True)))
    }
    chosen = dict(
        SelectedChoice.objects.filter(
            answer__question_id__in=question_ids, answer__attempt__quiz=quiz
        )
        .values("choice_id")
        .annotate(n=Count("pk"))
        .values_list("choice_id", "n")
    )
    choices_by_question: dict[int, list[Choice]] = {}
    for choice in Choice.objects.filter(question_id__in=question_ids).order_by("sort_order"):
        choices_by_question.setdefault(choice.question_id, []).append(choice)
    stats = []
    for number, qq in enumerate(quiz_questions, start=1):
        total = totals.get(qq.question_id, {"answered": 0, "correct": 0})
        answered = total["answered"]
        stats.append(
            QuestionStat(
                number=number,
                quiz_question=qq,
                answered=answered,
                correct=total["correct"],
                choices=[
                    ChoiceStat(
                        choice=c,
                        chosen=chosen.get(c.pk, 0),
                        share=round(100 * chosen.get(c.pk, 0) / answered, 1) if answered else 0,
                    )
                    for c in choices_by_question.get(qq.question_id, [])
                ],
            )
        )
    return stats


@dataclass
class PassRate:
    quiz: Quiz
    learners: int
    passed: int
    attempts: int
    last_attempt_at: datetime | None

    @property
    def pass_share(self) -> float | None:
        return round(100 * self.passed / self.learners, 1) if self.learners else None


def pass_rates() -> list[PassRate]:
    """Per quiz: how many learners tried, how many passed, in two aggregate queries."""
    quizzes = list(Quiz.objects.order_by("title"))
    submitted = QuizAttempt.objects.filter(submitted_at__isnull=False)
    rows = {
        row["quiz_id"]: row
        for row in submitted.values("quiz_id").annotate(
            attempts=Count("pk"), learners=Count("user", distinct=True), last=Max("submitted_at")
        )
    }
    passed = dict(
        submitted.filter(passed=True)
        .values("quiz_id")
        .annotate(n=Count("user", distinct=True))
        .values_list("quiz_id", "n")
    )
    return [
        PassRate(
            quiz=quiz,
            learners=rows.get(quiz.pk, {}).get("learners", 0),
            passed=passed.get(quiz.pk, 0),
            attempts=rows.get(quiz.pk, {}).get("attempts", 0),
            last_attempt_at=rows.get(quiz.pk, {}).get("last"),
        )
        for quiz in quizzes
    ]


def quiz_block_id(module, quiz_id: int) -> str | None:
    """The id of the block placing a quiz in a module (for the retake button), or None.

    Read from the stored blocks, which costs no query, unlike the chooser's values.
    """
    for block in module.body.raw_data:
        if block["type"] == "quiz" and block["value"].get("quiz") == quiz_id:
            return block["id"]
    return None


def first_open_number(attempt: QuizAttempt) -> int:
    """1-based number of the first unanswered question (the last one when all are answered)."""
    keys = attempt.question_keys
    for number, key in enumerate(keys, start=1):
        if not attempt.answers.get(key):
            return number
    return len(keys)


def courses_by_quiz() -> dict[int, list[str]]:
    """Titles of the live courses whose modules place each quiz (HR reads pass rates per course).

    Modules are looked up by name: the modules app depends on this one, not the other way.
    """
    from django.apps import apps
    from wagtail.models import Page

    ModulePage = apps.get_model("modules", "ModulePage")
    parents: dict[int, set[str]] = {}
    modules = list(ModulePage.objects.live().only("pk", "path", "body"))
    course_paths = {m.path[: -Page.steplen] for m in modules}
    titles = dict(Page.objects.live().filter(path__in=course_paths).values_list("path", "title"))
    for module in modules:
        course_title = titles.get(module.path[: -Page.steplen])
        if course_title is None:
            continue
        for block in module.body.raw_data:
            if block["type"] == "quiz" and block["value"].get("quiz"):
                parents.setdefault(block["value"]["quiz"], set()).add(course_title)
    return {quiz_id: sorted(titles) for quiz_id, titles in parents.items()}
