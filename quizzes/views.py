from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import selectors, services
from .models import FeedbackPolicy, QuizAttempt


def _own_attempt(request: HttpRequest, attempt_id: int) -> QuizAttempt:
    # Another learner's attempt does not exist, as far as this learner can tell.
    return get_object_or_404(
        QuizAttempt.objects.select_related("quiz"), pk=attempt_id, user=request.user
    )


@require_http_methods(["GET", "POST"])
def question(request: HttpRequest, attempt_id: int, number: int) -> HttpResponse:
    attempt = _own_attempt(request, attempt_id)
    if attempt.is_submitted:
        return redirect("quizzes:result", attempt.pk)
    questions = attempt.snapshot["questions"]
    if not 1 <= number <= len(questions):
        raise Http404
    current = questions[number - 1]
    errors: list[str] = []
    if request.method == "POST":
        chosen = request.POST.getlist("choice")
        go = request.POST.get("go", "next")
        locked = current["key"] in attempt.locked_questions
        if chosen and not locked:
            try:
                attempt = services.quiz_attempt_answer(
                    user=request.user,
                    attempt_id=attempt.pk,
                    question_key=current["key"],
                    choice_keys=chosen,
                )
            except services.QuizError as error:
                errors = error.messages
        elif go == "next" and not locked and not attempt.answers.get(current["key"]):
            errors = [_("Choose an answer.")]
        if not errors:
            if attempt.feedback_policy == FeedbackPolicy.AFTER_EACH and chosen:
                return redirect("quizzes:question", attempt.pk, number)  # show this one's feedback
            if go == "previous" and number > 1:
                return redirect("quizzes:question", attempt.pk, number - 1)
            if number < len(questions):
                return redirect("quizzes:question", attempt.pk, number + 1)
            return redirect("quizzes:review", attempt.pk)
    locked = current["key"] in attempt.locked_questions
    selected = request.POST.getlist("choice") if errors else attempt.answers.get(current["key"], [])
    return TemplateResponse(
        request,
        "quizzes/question.html",
        {
            "attempt": attempt,
            "question": current,
            "number": number,
            "total": len(questions),
            "selected": selected,
            "errors": errors,
            "feedback_policy": attempt.feedback_policy,
            # Feedback for a final answer only (feedback after each question): before that
            # nothing about correctness is sent.
            "feedback": selectors.question_feedback(current, selected, reveal=True)
            if locked and attempt.feedback_policy == FeedbackPolicy.AFTER_EACH
            else None,
        },
        status=400 if errors else 200,
    )


@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, attempt_id: int) -> HttpResponse:
    attempt = _own_attempt(request, attempt_id)
    if attempt.is_submitted:
        return redirect("quizzes:result", attempt.pk)
    errors: list[str] = []
    if request.method == "POST":
        try:
            attempt = services.quiz_attempt_submit(user=request.user, attempt_id=attempt.pk)
        except services.QuizError as error:
            errors = error.messages
        else:
            return redirect("quizzes:result", attempt.pk)
    rows = []
    for number, item in enumerate(attempt.snapshot["questions"], start=1):
        chosen = attempt.answers.get(item["key"], [])
        rows.append(
            {
                "number": number,
                "text": item["text"],
                "answers": [c["text"] for c in item["choices"] if c["key"] in chosen],
                "locked": item["key"] in attempt.locked_questions,
            }
        )
    return TemplateResponse(
        request,
        "quizzes/review.html",
        {"attempt": attempt, "rows": rows, "errors": errors},
        status=400 if errors else 200,
    )


def result(request: HttpRequest, attempt_id: int) -> HttpResponse:
    attempt = _own_attempt(request, attempt_id)
    if not attempt.is_submitted:
        return redirect("quizzes:review", attempt.pk)
    since = services.round_started_at(user=request.user, module_id=attempt.module_id)
    status = selectors.quiz_statuses(
        user=request.user, quizzes=[attempt.quiz], now=timezone.now(), since=since
    )[attempt.quiz_id]
    policy = attempt.feedback_policy
    reveal = selectors.answers_revealed(attempt=attempt, status=status)
    module = attempt.module.specific if attempt.module_id and attempt.module else None
    # The module (an app above this one) says what the pass meant for it: done, course done.
    outcome = (
        module.outcome_for(request.user)
        if attempt.passed and module is not None and hasattr(module, "outcome_for")
        else None
    )
    return TemplateResponse(
        request,
        "quizzes/result.html",
        {
            "attempt": attempt,
            "status": status,
            "module": module,
            "block_id": selectors.quiz_block_id(module, attempt.quiz_id) if module else None,
            "outcome": outcome,
            "show_answers": policy != FeedbackPolicy.NEVER,
            "answers_revealed": reveal,
            "feedback": [
                selectors.question_feedback(q, attempt.answers.get(q["key"], []), reveal=reveal)
                for q in attempt.snapshot["questions"]
            ]
            if policy != FeedbackPolicy.NEVER
            else [],
        },
    )
