import pytest

from quizzes import selectors, services
from quizzes.models import AttemptAnswer, FeedbackPolicy, QuizAttempt, SelectedChoice
from tests.factories import UserFactory, answer_quiz, make_question, make_quiz

pytestmark = pytest.mark.django_db


def test_grading_single_and_partial_credit_for_multiple():
    single = {
        "kind": "single",
        "choices": [{"key": "a", "correct": True}, {"key": "b", "correct": False}],
    }
    assert services.grade_question(single, ["a"]) == (1.0, True)
    assert services.grade_question(single, ["b"]) == (0.0, False)
    multiple = {
        "kind": "multiple",
        "choices": [
            {"key": "a", "correct": True},
            {"key": "b", "correct": True},
            {"key": "c", "correct": False},
        ],
    }
    assert services.grade_question(multiple, ["a", "b"]) == (1.0, True)
    assert services.grade_question(multiple, ["a"]) == (0.5, False)
    assert services.grade_question(multiple, ["a", "c"]) == (0.0, False)
    assert services.grade_question(multiple, ["c"]) == (0.0, False)  # never below zero


def test_fail_then_pass_within_the_limit(learner):
    quiz = make_quiz(questions=3, pass_mark=80, max_attempts=2)
    first = services.quiz_attempt_start(user=learner, quiz=quiz)
    answer_quiz(learner, first, right=False)
    first = services.quiz_attempt_submit(user=learner, attempt_id=first.pk)
    assert first.passed is False and first.score_percent == 0
    second = services.quiz_attempt_start(user=learner, quiz=quiz)
    assert second.number == 2
    answer_quiz(learner, second)
    second = services.quiz_attempt_submit(user=learner, attempt_id=second.pk)
    assert second.passed is True and second.score_percent == 100
    assert AttemptAnswer.objects.filter(attempt=second, is_correct=True).count() == 3
    with pytest.raises(services.QuizError, match="redan klarat"):
        services.quiz_attempt_start(user=learner, quiz=quiz)


def test_attempt_limit_holds(learner):
    quiz = make_quiz(questions=1, max_attempts=1)
    attempt = services.quiz_attempt_start(user=learner, quiz=quiz)
    answer_quiz(learner, attempt, right=False)
    services.quiz_attempt_submit(user=learner, attempt_id=attempt.pk)
    with pytest.raises(services.QuizError, match="alla 1 försök"):
        services.quiz_attempt_start(user=learner, quiz=quiz)
    assert QuizAttempt.objects.count() == 1


def test_wait_time_between_attempts(learner):
    quiz = make_quiz(questions=1, max_attempts=None, wait_minutes=30)
    attempt = services.quiz_attempt_start(user=learner, quiz=quiz)
    answer_quiz(learner, attempt, right=False)
    services.quiz_attempt_submit(user=learner, attempt_id=attempt.pk)
    with pytest.raises(services.QuizError, match="Du kan försöka igen klockan"):
        services.quiz_attempt_start(user=learner, quiz=quiz)


def test_starting_again_resumes_the_open_attempt_with_saved_answers(learner):
    quiz = make_quiz(questions=2)
    attempt = services.quiz_attempt_start(user=learner, quiz=quiz)
    question = attempt.snapshot["questions"][0]
    services.quiz_attempt_answer(
        user=learner,
        attempt_id=attempt.pk,
        question_key=question["key"],
        choice_keys=[question["choices"][1]["key"]],
    )
    again = services.quiz_attempt_start(user=learner, quiz=quiz)
    assert again.pk == attempt.pk
    assert again.answers == {question["key"]: [question["choices"][1]["key"]]}
    assert selectors.first_open_number(again) == 2


@pytest.mark.parametrize(
    "crafted",
    ["other_question_choice", "other_quiz_choice", "two_for_single", "unknown_question", "empty"],
)
def test_crafted_answers_are_rejected_and_change_nothing(learner, crafted):
    quiz = make_quiz(questions=2)
    other = make_quiz(questions=1)
    attempt = services.quiz_attempt_start(user=learner, quiz=quiz)
    q1, q2 = attempt.snapshot["questions"]
    other_choice = "c" + str(other.quiz_questions.first().question.choices.first().pk)
    key, choices = {
        "other_question_choice": (q1["key"], [q2["choices"][0]["key"]]),
        "other_quiz_choice": (q1["key"], [other_choice]),
        "two_for_single": (q1["key"], [q1["choices"][0]["key"], q1["choices"][1]["key"]]),
        "unknown_question": ("q999999", [q1["choices"][0]["key"]]),
        "empty": (q1["key"], []),
    }[crafted]
    with pytest.raises(services.QuizError) as error:
        services.quiz_attempt_answer(
            user=learner, attempt_id=attempt.pk, question_key=key, choice_keys=choices
        )
    assert error.value.messages[0]
    attempt.refresh_from_db()
    assert attempt.answers == {}


def test_another_learners_attempt_cannot_be_answered_or_submitted(learner):
    quiz = make_quiz(questions=1)
    attempt = services.quiz_attempt_start(user=learner, quiz=quiz)
    intruder = UserFactory()
    question = attempt.snapshot["questions"][0]
    with pytest.raises(services.QuizError, match="finns inte"):
        services.quiz_attempt_answer(
            user=intruder,
            attempt_id=attempt.pk,
            question_key=question["key"],
            choice_keys=[question["choices"][0]["key"]],
        )
    with pytest.raises(services.QuizError, match="finns inte"):
        services.quiz_attempt_submit(user=intruder, attempt_id=attempt.pk)


def test_double_submit_counts_once(learner):
    quiz = make_quiz(questions=1)
    attempt = services.quiz_attempt_start(user=learner, quiz=quiz)
    answer_quiz(learner, attempt)
    services.quiz_attempt_submit(user=learner, attempt_id=attempt.pk)
    with pytest.raises(services.QuizError, match="redan inlämnat"):
        services.quiz_attempt_submit(user=learner, attempt_id=attempt.pk)
    assert AttemptAnswer.objects.count() == 1


def test_submit_with_unanswered_questions_names_them(learner):
    quiz = make_quiz(questions=3)
    attempt = services.quiz_attempt_start(user=learner, quiz=quiz)
    with pytest.raises(services.QuizError, match="Obesvarade: 1, 2, 3"):
        services.quiz_attempt_submit(user=learner, attempt_id=attempt.pk)
    attempt.refresh_from_db()
    assert attempt.submitted_at is None


def test_feedback_after_each_question_makes_the_answer_final(learner):
    quiz = make_quiz(questions=2, policy=FeedbackPolicy.AFTER_EACH)
    attempt = services.quiz_attempt_start(user=learner, quiz=quiz)
    question = attempt.snapshot["questions"][0]
    wrong = question["choices"][1]["key"]
    services.quiz_attempt_answer(
        user=learner, attempt_id=attempt.pk, question_key=question["key"], choice_keys=[wrong]
    )
    with pytest.raises(services.QuizError, match="slutgiltigt"):
        services.quiz_attempt_answer(
            user=learner,
            attempt_id=attempt.pk,
            question_key=question["key"],
            choice_keys=[question["choices"][0]["key"]],
        )


def test_editing_the_quiz_keeps_old_attempts_meaning(learner):
    quiz = make_quiz(questions=1, pass_mark=100)
    attempt = services.quiz_attempt_start(user=learner, quiz=quiz)
    answer_quiz(learner, attempt)
    attempt = services.quiz_attempt_submit(user=learner, attempt_id=attempt.pk)
    question = quiz.quiz_questions.get().question
    # The editor rewrites the question, flips the right answer and deletes a choice.
    question.text = "Helt ny fråga"
    choices = list(question.choices.all())
    choices[0].is_correct, choices[1].is_correct = False, True
    choices[0].text = "Ändrad text"
    for choice in choices[:2]:
        choice.save()
    choices[2].delete()
    question.save()
    attempt.refresh_from_db()
    assert attempt.score_percent == 100 and attempt.passed
    snapshot_question = attempt.snapshot["questions"][0]
    assert snapshot_question["text"] == "Fråga 1"
    chosen = attempt.answers[snapshot_question["key"]]
    assert [c["text"] for c in snapshot_question["choices"] if c["key"] in chosen] == [
        "Alternativ 1"
    ]
    assert services.grade_question(snapshot_question, chosen) == (1.0, True)
    assert SelectedChoice.objects.filter(answer__attempt=attempt).count() == 1


def test_question_statistics_and_pass_rates(learner):
    quiz = make_quiz(questions=1, pass_mark=100, max_attempts=None)
    for right in (False, True):
        attempt = services.quiz_attempt_start(user=learner, quiz=quiz)
        answer_quiz(learner, attempt, right=right)
        services.quiz_attempt_submit(user=learner, attempt_id=attempt.pk)
    stat = selectors.question_statistics(quiz=quiz)[0]
    assert (stat.answered, stat.correct, stat.correct_share) == (2, 1, 50.0)
    assert [c.chosen for c in stat.choices] == [1, 1, 0]
    rate = next(r for r in selectors.pass_rates() if r.quiz == quiz)
    assert (rate.learners, rate.passed, rate.attempts, rate.pass_share) == (1, 1, 2, 100.0)


def test_question_form_checks_choices_against_type():
    from wagtail.admin.panels import get_edit_handler

    from quizzes.models import Question

    form_class = get_edit_handler(Question).get_form_class()
    data = {
        "kind": "single",
        "text": "Fråga",
        "case_text": '{"blocks": [], "entityMap": {}}',  # Draftail's empty value
        "explanation": "",
        "tags": "",
        "choices-TOTAL_FORMS": "2",
        "choices-INITIAL_FORMS": "0",
        "choices-MIN_NUM_FORMS": "2",
        "choices-MAX_NUM_FORMS": "8",
        "choices-0-text": "A",
        "choices-0-is_correct": "on",
        "choices-0-feedback": "",
        "choices-0-ORDER": "1",
        "choices-1-text": "B",
        "choices-1-is_correct": "on",
        "choices-1-feedback": "",
        "choices-1-ORDER": "2",
    }
    form = form_class(data=data, instance=Question(), for_user=None)
    assert not form.is_valid()
    assert "Markera exakt ett svarsalternativ som rätt." in str(form.errors)
    make_question()  # and a valid one saves (smoke)
