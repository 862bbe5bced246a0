"""Taking quizzes: start, answer as you go, submit once, graded on the server."""

from __future__ import annotations

import random
import secrets
from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _
from wagtail.models import Page

from .models import (
    AttemptAnswer,
    Choice,
    FeedbackPolicy,
    Question,
    Quiz,
    QuizAttempt,
    QuizQuestion,
    SelectedChoice,
)
from .signals import quiz_graded

MULTIPLE = "multiple"
# Random bytes per choice key: 72 bits, 12 URL-safe characters.
CHOICE_KEY_BYTES = 9


class QuizError(Exception):
    """A quiz action the rules do not allow. `messages` say why, in the learner's language."""

    def __init__(self, *messages: str):
        super().__init__("; ".join(messages))
        self.messages = list(messages)


def new_choice_key(taken: set[str]) -> str:
    """A random key for one choice in one attempt, unlike every key in `taken` (then added).

    The key is all the browser gets to tell the choices apart: it says nothing about the
    choice, its place in the question or whether it is right, and differs in every attempt.
    """
    while True:
        key = secrets.token_urlsafe(CHOICE_KEY_BYTES)
        if key not in taken:
            taken.add(key)
            return key


def snapshot_with_new_keys(snapshot: dict) -> dict:
    """A copy of an unanswered snapshot with fresh choice keys (for generated history)."""
    taken: set[str] = set()
    return {
        **snapshot,
        "questions": [
            {**q, "choices": [{**c, "key": new_choice_key(taken)} for c in q["choices"]]}
            for q in snapshot["questions"]
        ],
    }


def build_snapshot(quiz: Quiz, *, rng: random.Random | None = None) -> dict:
    """The quiz's questions and choices as they are now, in the order this learner gets them.

    `rng` decides only the order; the choice keys always come from `secrets`.
    """
    rng = rng or random.Random(secrets.randbits(64))  # noqa: S311  (order, not security)
    taken: set[str] = set()
    quiz_questions = list(
        QuizQuestion.objects.filter(quiz=quiz).select_related("question").order_by("sort_order")
    )
    choices: dict[int, list[Choice]] = {}
    for choice in Choice.objects.filter(
        question_id__in=[qq.question_id for qq in quiz_questions]
    ).order_by("sort_order"):
        choices.setdefault(choice.question_id, []).append(choice)
    questions = []
    for qq in quiz_questions:
        question = qq.question
        items = [
            {
                "key": new_choice_key(taken),
                "id": c.pk,
                "text": c.text,
                "correct": c.is_correct,
                "feedback": c.feedback,
            }
            for c in choices.get(question.pk, [])
        ]
        if quiz.shuffle_choices and question.kind != "true_false":
            rng.shuffle(items)
        questions.append(
            {
                "key": f"q{question.pk}",
                "id": question.pk,
                "kind": question.kind,
                "case": question.case_text,
                "text": question.text,
                "explanation": question.explanation,
                "choices": items,
            }
        )
    if quiz.shuffle_questions:
        rng.shuffle(questions)
    return {
        "title": quiz.title,
        "pass_mark_percent": quiz.pass_mark_percent,
        "feedback_policy": quiz.feedback_policy,
        "questions": questions,
    }


def grade_question(question: dict, selected: list[str]) -> tuple[float, bool]:
    """Points (0..1) and whether the answer is fully right.

    Multiple choice gives partial credit: correct choices picked minus wrong choices picked,
    divided by the number of correct choices, never below zero.
    """
    correct = {c["key"] for c in question["choices"] if c["correct"]}
    chosen = set(selected)
    if question["kind"] == MULTIPLE:
        if not correct:
            return 0.0, False
        points = max(0.0, (len(chosen & correct) - len(chosen - correct)) / len(correct))
        return points, chosen == correct
    right = chosen == correct
    return (1.0 if right else 0.0), right


def round_started_at(*, user, module_id: int | None) -> datetime | None:
    """When the learner's current round of the course of this module started (None: no module
    or no round yet, so every attempt counts)."""
    if module_id is None:
        return None
    from progress.selectors import current_round

    path = Page.objects.filter(pk=module_id).values_list("path", flat=True).first()
    if path is None:
        return None
    course_id = Page.objects.filter(path=path[: -Page.steplen]).values_list("pk", flat=True)
    progress = current_round(user=user, course_id=course_id.first() or 0)
    return progress.started_at if progress else None


def _lock_learner(user) -> None:
    # Serialises one learner's starts, so that two tabs cannot both use the last attempt.
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()


@transaction.atomic
def quiz_attempt_start(*, user, quiz: Quiz, module_id: int | None = None) -> QuizAttempt:
    """Resume the learner's open attempt, or start a new one if the quiz's rules allow."""
    _lock_learner(user)
    open_attempt = QuizAttempt.objects.filter(
        user=user, quiz=quiz, submitted_at__isnull=True
    ).first()
    if open_attempt is not None:
        return open_attempt
    numbers = list(
        QuizAttempt.objects.filter(user=user, quiz=quiz)
        .order_by("number")
        .only("number", "submitted_at", "passed")
    )
    # Passes and the attempt limit count in the learner's current round of the course the quiz
    # is taken in: a renewal (a new round after a lapsed completion) takes the quiz again.
    since = round_started_at(user=user, module_id=module_id)
    submitted = [a for a in numbers if since is None or a.submitted_at >= since]
    if any(a.passed for a in submitted):
        raise QuizError(_("You have already passed this quiz."))
    if quiz.max_attempts is not None and len(submitted) >= quiz.max_attempts:
        raise QuizError(
            _(
                "You have used all %(count)s attempts. "
                "Contact your manager or HR if you need another."
            )
            % {"count": quiz.max_attempts}
        )
    now = timezone.now()
    if submitted and quiz.wait_minutes:
        allowed = submitted[-1].submitted_at + timedelta(minutes=quiz.wait_minutes)
        if now < allowed:
            raise QuizError(
                _("You can try again at %(time)s.")
                % {"time": time_format(timezone.localtime(allowed), "H:i")}
            )
    snapshot = build_snapshot(quiz)
    if not snapshot["questions"]:
        raise QuizError(_("This quiz has no questions yet."))
    try:
        with transaction.atomic():
            return QuizAttempt.objects.create(
                user=user,
                quiz=quiz,
                number=(numbers[-1].number if numbers else 0) + 1,
                module_id=module_id,
                snapshot=snapshot,
                started_at=now,
            )
    except IntegrityError as exc:  # a concurrent start won: resume that one
        existing = QuizAttempt.objects.filter(
            user=user, quiz=quiz, submitted_at__isnull=True
        ).first()
        if existing is None:
            raise QuizError(_("The quiz could not be started. Try again.")) from exc
        return existing


def _own_open_attempt(*, user, attempt_id: int) -> QuizAttempt:
    attempt = QuizAttempt.objects.select_for_update().filter(pk=attempt_id, user=user).first()
    if attempt is None:
        raise QuizError(_("The attempt does not exist."))
    if attempt.submitted_at is not None:
        raise QuizError(_("This attempt has already been submitted; nothing was changed."))
    return attempt


def _question(attempt: QuizAttempt, question_key: str) -> dict:
    for question in attempt.snapshot["questions"]:
        if question["key"] == question_key:
            return question
    raise QuizError(_("That question is not part of this quiz."))


@transaction.atomic
def quiz_attempt_answer(
    *, user, attempt_id: int, question_key: str, choice_keys: list[str]
) -> QuizAttempt:
    """Save one answer. With feedback after each question, the answer becomes final."""
    attempt = _own_open_attempt(user=user, attempt_id=attempt_id)
    question = _question(attempt, question_key)
    if question_key in attempt.locked_questions:
        raise QuizError(_("You have already answered this question; the answer is final."))
    valid = {c["key"] for c in question["choices"]}
    if not all(isinstance(key, str) for key in choice_keys):
        raise QuizError(_("The answer contains a choice that does not belong to the question."))
    chosen = list(dict.fromkeys(choice_keys))
    # Keys of another attempt, of another question or in the old c<pk> form are all unknown here.
    if any(key not in valid for key in chosen):
        raise QuizError(_("The answer contains a choice that does not belong to the question."))
    if not chosen:
        raise QuizError(_("Choose an answer."))
    if question["kind"] != MULTIPLE and len(chosen) != 1:
        raise QuizError(_("Choose exactly one answer."))
    attempt.answers = {**attempt.answers, question_key: chosen}
    fields = ["answers"]
    if attempt.feedback_policy == FeedbackPolicy.AFTER_EACH:
        attempt.locked_questions = [*attempt.locked_questions, question_key]
        fields.append("locked_questions")
    attempt.save(update_fields=fields)
    return attempt


@transaction.atomic
def quiz_attempt_submit(*, user, attempt_id: int) -> QuizAttempt:
    """Grade and close the attempt. Only the first submit counts.

    A pass is reported to the module the quiz was taken in, in this same transaction, so that
    a passed quiz that was all its module still needed completes the module (and the course).
    """
    attempt = _own_open_attempt(user=user, attempt_id=attempt_id)
    questions = attempt.snapshot["questions"]
    missing = [
        str(number)
        for number, question in enumerate(questions, start=1)
        if not attempt.answers.get(question["key"])
    ]
    if missing:
        raise QuizError(
            _("Answer every question before you submit. Not answered: %(numbers)s.")
            % {"numbers": ", ".join(missing)}
        )
    total = 0.0
    graded: list[tuple[AttemptAnswer, list[str]]] = []
    for question in questions:
        selected = attempt.answers[question["key"]]
        points, is_correct = grade_question(question, selected)
        total += points
        graded.append(
            (
                AttemptAnswer(
                    attempt=attempt,
                    question_id=question["id"],
                    question_key=question["key"],
                    points=points,
                    is_correct=is_correct,
                ),
                selected,
            )
        )
    # Questions or choices deleted since the attempt started keep their key, not their link.
    existing_questions = set(
        Question.objects.filter(pk__in=[a.question_id for a, _ in graded]).values_list(
            "pk", flat=True
        )
    )
    for answer, _selected in graded:
        if answer.question_id not in existing_questions:
            answer.question_id = None
    answers = AttemptAnswer.objects.bulk_create([a for a, _ in graded])
    # Keys are opaque: the snapshot says which choice each one stood for.
    choice_of = {c["key"]: c.get("id") for q in questions for c in q["choices"]}
    existing_choices = set(
        Choice.objects.filter(pk__in={i for i in choice_of.values() if i}).values_list(
            "pk", flat=True
        )
    )
    SelectedChoice.objects.bulk_create(
        SelectedChoice(
            answer=answer,
            choice_id=choice_of[key] if choice_of[key] in existing_choices else None,
            choice_key=key,
        )
        for answer, (_a, selected) in zip(answers, graded, strict=True)
        for key in selected
    )
    score = Decimal(100 * total / len(questions)).quantize(Decimal("0.01"))
    attempt.score_percent = score
    attempt.passed = score >= attempt.snapshot["pass_mark_percent"]
    attempt.submitted_at = timezone.now()
    attempt.save(update_fields=["score_percent", "passed", "submitted_at"])
    quiz_graded.send(sender=QuizAttempt, user=user, attempt=attempt)
    if attempt.passed and attempt.module_id:
        _report_pass_to_module(user=user, attempt=attempt)
    return attempt


def _report_pass_to_module(*, user, attempt: QuizAttempt) -> None:
    # The modules app imports this one, not the other way round: the page is asked by duck
    # typing (as progress asks it for its unmet requirements), and it completes itself through
    # progress.services, the only writer of completions.
    page = Page.objects.filter(pk=attempt.module_id).first()
    quiz_passed = getattr(page.specific, "quiz_passed", None) if page is not None else None
    if quiz_passed is not None:
        quiz_passed(user=user, quiz_id=attempt.quiz_id)
