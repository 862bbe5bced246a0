"""Correct answers only once passed or when no attempts remain: a failed final test is no key."""

from __future__ import annotations

import pytest
from django.utils import timezone

from quizzes import selectors, services
from quizzes.models import FeedbackPolicy, QuizAttempt, QuizQuestion
from tests.factories import answer_quiz, make_course, make_question, make_quiz
from tests.security.test_quiz_leak import without_csrf

pytestmark = pytest.mark.django_db


def final_test(catalogue, *, max_attempts: int | None = 3, policy=FeedbackPolicy.AFTER_PASS):
    quiz = make_quiz(questions=0, policy=policy, max_attempts=max_attempts)
    QuizQuestion.objects.create(
        quiz=quiz, question=make_question(text="En", correct=(0,), n=4), sort_order=0
    )
    QuizQuestion.objects.create(
        quiz=quiz,
        question=make_question(text="Flera", kind="multiple", correct=(0, 1), n=4),
        sort_order=1,
    )
    course = make_course(catalogue, modules=1, quiz=quiz)
    return quiz, course.get_children().get()


def fail(learner, quiz, module) -> QuizAttempt:
    """Wrong on the single choice; one right and one wrong on the multiple choice (0 points)."""
    attempt = services.quiz_attempt_start(user=learner, quiz=quiz, module_id=module.pk)
    single, multiple = attempt.snapshot["questions"]
    for question, positions in ((single, [1]), (multiple, [0, 2])):
        services.quiz_attempt_answer(
            user=learner,
            attempt_id=attempt.pk,
            question_key=question["key"],
            choice_keys=[question["choices"][p]["key"] for p in positions],
        )
    return services.quiz_attempt_submit(user=learner, attempt_id=attempt.pk)


def swap_unchosen_right_answers(attempt: QuizAttempt) -> None:
    """Another right answer among the choices the learner did not pick: the learner's own
    result (right or wrong, the points) stays the same, only the correct answers change."""
    snapshot = attempt.snapshot
    for question in snapshot["questions"]:
        chosen = attempt.answers[question["key"]]
        unchosen = [c for c in question["choices"] if c["key"] not in chosen]
        right = next(c for c in unchosen if c["correct"])
        wrong = next(c for c in unchosen if not c["correct"])
        right["correct"], wrong["correct"] = False, True
    QuizAttempt.objects.filter(pk=attempt.pk).update(snapshot=snapshot)


def status_of(learner, quiz):
    return selectors.quiz_statuses(user=learner, quizzes=[quiz], now=timezone.now())[quiz.pk]


def test_a_failed_final_test_shows_no_correct_answers_while_attempts_remain(
    client, learner, catalogue
):
    quiz, module = final_test(catalogue)
    attempt = fail(learner, quiz, module)
    client.force_login(learner)
    url = f"/quiz/attempts/{attempt.pk}/result/"
    page = client.get(url).content
    text = page.decode()
    assert "Inte godkänt den här gången." in text and text.count("Inte rätt.") == 2
    assert "Ditt svar: Alternativ 2" in " ".join(text.split())
    assert "Rätt svar visas när du har fått godkänt" in text
    assert "Rätt svar:" not in text and "Återkoppling" not in text and "Förklaring" not in text
    # Structurally: with other right answers (and the learner's result unchanged) the page is
    # the same, so nothing on it tells which answers are right.
    swap_unchosen_right_answers(attempt)
    assert without_csrf(client.get(url).content) == without_csrf(page)


def test_the_answers_show_once_no_attempt_remains(client, learner, catalogue):
    quiz, module = final_test(catalogue, max_attempts=2)
    first = fail(learner, quiz, module)
    assert not selectors.answers_revealed(attempt=first, status=status_of(learner, quiz))
    # The last attempt is open: the first one's answers would help with it.
    services.quiz_attempt_start(user=learner, quiz=quiz, module_id=module.pk)
    assert not selectors.answers_revealed(attempt=first, status=status_of(learner, quiz))
    second = QuizAttempt.objects.get(user=learner, number=2)
    answer_quiz(learner, second, right=False)
    services.quiz_attempt_submit(user=learner, attempt_id=second.pk)
    assert selectors.answers_revealed(attempt=first, status=status_of(learner, quiz))
    client.force_login(learner)
    page = client.get(f"/quiz/attempts/{first.pk}/result/").content.decode()
    assert "Rätt svar:" in page and "Förklaring." in page and "Återkoppling 1" in page
    assert "Rätt svar visas när" not in page


def test_the_answers_show_once_passed(client, learner, catalogue):
    quiz, module = final_test(catalogue)
    failed = fail(learner, quiz, module)
    attempt = services.quiz_attempt_start(user=learner, quiz=quiz, module_id=module.pk)
    answer_quiz(learner, attempt)
    passed = services.quiz_attempt_submit(user=learner, attempt_id=attempt.pk)
    status = status_of(learner, quiz)
    assert selectors.answers_revealed(attempt=passed, status=status)
    assert selectors.answers_revealed(attempt=failed, status=status)
    client.force_login(learner)
    assert "Rätt svar:" in client.get(f"/quiz/attempts/{passed.pk}/result/").content.decode()


@pytest.mark.parametrize(
    ("policy", "revealed", "shown"),
    [
        (FeedbackPolicy.AFTER_SUBMIT, True, True),
        (FeedbackPolicy.AFTER_EACH, True, True),
        (FeedbackPolicy.NEVER, False, False),
    ],
)
def test_the_other_policies_are_unchanged(client, learner, catalogue, policy, revealed, shown):
    quiz, module = final_test(catalogue, policy=policy)
    attempt = fail(learner, quiz, module)
    assert selectors.answers_revealed(attempt=attempt, status=status_of(learner, quiz)) is revealed
    client.force_login(learner)
    page = client.get(f"/quiz/attempts/{attempt.pk}/result/").content.decode()
    assert ("Rätt svar:" in page) is revealed
    assert ("Inte rätt." in page) is shown


def test_strictness_of_the_policies():
    stricter = FeedbackPolicy.stricter
    order = ["after_each", "after_submit", "after_pass", "never"]
    for i, looser in enumerate(order):
        for tighter in order[i:]:
            assert stricter(looser, tighter) == stricter(tighter, looser) == tighter


def test_a_failed_attempt_from_before_a_switch_to_after_pass_shows_no_correct_answers(
    client, learner, catalogue
):
    # As migration 0002 did to final tests whose attempts were taken under "after submit".
    quiz, module = final_test(catalogue, policy=FeedbackPolicy.AFTER_SUBMIT)
    attempt = fail(learner, quiz, module)
    quiz.feedback_policy = FeedbackPolicy.AFTER_PASS
    quiz.save(update_fields=["feedback_policy"])
    assert attempt.snapshot["feedback_policy"] == FeedbackPolicy.AFTER_SUBMIT
    attempt.refresh_from_db()
    assert not selectors.answers_revealed(attempt=attempt, status=status_of(learner, quiz))
    client.force_login(learner)
    url = f"/quiz/attempts/{attempt.pk}/result/"
    page = client.get(url).content
    text = page.decode()
    assert text.count("Inte rätt.") == 2 and "Rätt svar visas när du har fått godkänt" in text
    assert "Rätt svar:" not in text and "Återkoppling" not in text and "Förklaring" not in text
    swap_unchosen_right_answers(attempt)
    assert without_csrf(client.get(url).content) == without_csrf(page)


def test_a_looser_policy_later_does_not_open_an_older_attempt(client, learner, catalogue):
    quiz, module = final_test(catalogue, policy=FeedbackPolicy.AFTER_PASS)
    attempt = fail(learner, quiz, module)
    quiz.feedback_policy = FeedbackPolicy.AFTER_SUBMIT
    quiz.save(update_fields=["feedback_policy"])
    client.force_login(learner)
    page = client.get(f"/quiz/attempts/{attempt.pk}/result/").content.decode()
    assert "Inte rätt." in page and "Rätt svar:" not in page


def test_feedback_after_each_question_stops_when_the_quiz_becomes_stricter(
    client, learner, catalogue
):
    quiz, module = final_test(catalogue, policy=FeedbackPolicy.AFTER_EACH)
    attempt = services.quiz_attempt_start(user=learner, quiz=quiz, module_id=module.pk)
    first = attempt.snapshot["questions"][0]
    client.force_login(learner)
    url = f"/quiz/attempts/{attempt.pk}/questions/1/"
    wrong = next(c for c in first["choices"] if not c["correct"])
    client.post(url, {"choice": [wrong["key"]], "go": "next"})
    assert "Rätt svar:" in client.get(url).content.decode()  # under "after each", as before
    quiz.feedback_policy = FeedbackPolicy.AFTER_PASS
    quiz.save(update_fields=["feedback_policy"])
    page = client.get(url).content
    assert "Rätt svar:" not in page.decode() and "Inte rätt." not in page.decode()
    swap_unchosen_right_answers_of_open(attempt)
    assert without_csrf(client.get(url).content) == without_csrf(page)
    # The next answer is no longer final, as under "after pass".
    second = attempt.snapshot["questions"][1]
    services.quiz_attempt_answer(
        user=learner,
        attempt_id=attempt.pk,
        question_key=second["key"],
        choice_keys=[second["choices"][0]["key"]],
    )
    attempt.refresh_from_db()
    assert attempt.locked_questions == [first["key"]]


def swap_unchosen_right_answers_of_open(attempt: QuizAttempt) -> None:
    """As swap_unchosen_right_answers, for the answered questions of an open attempt."""
    attempt.refresh_from_db()
    snapshot = attempt.snapshot
    for question in snapshot["questions"]:
        chosen = attempt.answers.get(question["key"])
        if not chosen:
            continue
        unchosen = [c for c in question["choices"] if c["key"] not in chosen]
        right = next(c for c in unchosen if c["correct"])
        wrong = next(c for c in unchosen if not c["correct"])
        right["correct"], wrong["correct"] = False, True
    QuizAttempt.objects.filter(pk=attempt.pk).update(snapshot=snapshot)
