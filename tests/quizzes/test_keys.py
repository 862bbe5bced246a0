"""Choice keys are random per attempt: neither a key nor the order of the keys tells anything."""

from __future__ import annotations

import importlib
import re

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model

from quizzes import selectors, services
from quizzes.models import FeedbackPolicy, Quiz, QuizAttempt, QuizQuestion, SelectedChoice
from tests.factories import answer_quiz, make_course, make_question, make_quiz

pytestmark = pytest.mark.django_db

migration = importlib.import_module("quizzes.migrations.0002_opaque_keys_and_final_test_feedback")


def right_first_quiz(*, questions: int, choices: int) -> Quiz:
    """Shuffling off and the right answer written first: the worst case for guessing by key."""
    quiz = make_quiz(questions=0, pass_mark=100, max_attempts=None)
    for order in range(questions):
        QuizQuestion.objects.create(
            quiz=quiz,
            question=make_question(text=f"Fråga {order + 1}", correct=(0,), n=choices),
            sort_order=order,
        )
    return quiz


def as_old_attempt(attempt: QuizAttempt) -> QuizAttempt:
    """The attempt as it was stored before opaque keys: choice keys c<primary key>."""
    migration.restore_open_attempt_keys(apps, None)
    attempt.refresh_from_db()
    return attempt


def test_keys_differ_between_attempts_and_say_nothing(learner):
    quiz = right_first_quiz(questions=3, choices=4)
    first = services.quiz_attempt_start(user=learner, quiz=quiz)
    other = services.quiz_attempt_start(
        user=get_user_model().objects.create(username="b"), quiz=quiz
    )
    keys = [[c["key"] for c in q["choices"]] for q in first.snapshot["questions"]]
    other_keys = [[c["key"] for c in q["choices"]] for q in other.snapshot["questions"]]
    flat = [k for ks in keys for k in ks]
    assert not set(flat) & {k for ks in other_keys for k in ks}
    assert len(set(flat)) == len(flat)
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{12}", key) for key in flat)
    assert not any(re.fullmatch(r"c\d+", key) for key in flat)
    # Shuffling is off: the choices keep the editor's order; only the keys are random.
    assert [c["text"] for c in first.snapshot["questions"][0]["choices"]] == [
        "Alternativ 1",
        "Alternativ 2",
        "Alternativ 3",
        "Alternativ 4",
    ]


def test_always_picking_the_lowest_key_scores_no_better_than_chance():
    """The demo bank had the right answer at the lowest key in 28 of 29 questions.

    200 attempts of five questions with four choices each, the right one written first and
    never shuffled: picking the lowest key must be right about a quarter of the time. Expected
    250 right of 1,000 (standard deviation 14); the bounds are over seven deviations away.
    """
    quiz = right_first_quiz(questions=5, choices=4)
    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"gissare{n}") for n in range(200)
    )
    right = in_authoring_order = picks = 0
    for user in users:
        attempt = services.quiz_attempt_start(user=user, quiz=quiz)
        for question in attempt.snapshot["questions"]:
            keys = [c["key"] for c in question["choices"]]
            in_authoring_order += keys == sorted(keys)
            services.quiz_attempt_answer(
                user=user,
                attempt_id=attempt.pk,
                question_key=question["key"],
                choice_keys=[min(keys)],
            )
        attempt = services.quiz_attempt_submit(user=user, attempt_id=attempt.pk)
        right += attempt.graded.filter(is_correct=True).count()
        picks += len(attempt.snapshot["questions"])
    assert picks == 1000
    assert 150 <= right <= 350, f"the lowest key was right {right} times of {picks}"
    # Sorting the keys gives the written order about once in 24 (4!), not every time.
    assert in_authoring_order <= 150, in_authoring_order


@pytest.mark.parametrize("history", ["open", "submitted"])
def test_attempts_from_before_opaque_keys_still_show_and_count(client, learner, catalogue, history):
    quiz = make_quiz(questions=2, pass_mark=100)
    course = make_course(catalogue, modules=1, quiz=quiz)
    module = course.get_children().get()
    attempt = as_old_attempt(
        services.quiz_attempt_start(user=learner, quiz=quiz, module_id=module.pk)
    )
    question = attempt.snapshot["questions"][0]
    right = next(c for c in question["choices"] if c["correct"])
    assert right["key"] == f"c{right['id']}"
    if history == "submitted":  # answered, submitted and graded with the old keys
        answer_quiz(learner, attempt)
        attempt = services.quiz_attempt_submit(user=learner, attempt_id=attempt.pk)
    else:  # still open when the migration runs: new keys, the saved answer follows
        services.quiz_attempt_answer(
            user=learner,
            attempt_id=attempt.pk,
            question_key=question["key"],
            choice_keys=[right["key"]],
        )
        migration.rekey_open_attempts(apps, None)
        attempt.refresh_from_db()
        question = attempt.snapshot["questions"][0]
        right = next(c for c in question["choices"] if c["correct"])
        assert not re.fullmatch(r"c\d+", right["key"])
        assert attempt.answers == {question["key"]: [right["key"]]}
        answer_quiz(learner, attempt)
        attempt = services.quiz_attempt_submit(user=learner, attempt_id=attempt.pk)
    assert attempt.passed and attempt.score_percent == 100
    chosen = SelectedChoice.objects.filter(answer__attempt=attempt).order_by("pk").first()
    assert chosen.choice_id == right["id"] and chosen.choice_key == right["key"]
    client.force_login(learner)
    page = client.get(f"/quiz/attempts/{attempt.pk}/result/").content.decode()
    assert "Godkänt!" in page and page.count("Rätt.") == 2
    stat = selectors.question_statistics(quiz=quiz)[0]
    assert (stat.answered, stat.correct) == (1, 1)
    assert [c.chosen for c in stat.choices if c.choice.is_correct] == [1]


def test_migration_rekeys_only_open_attempts(learner):
    quiz = make_quiz(questions=1, pass_mark=100)
    done = services.quiz_attempt_start(user=learner, quiz=quiz)
    answer_quiz(learner, done, right=False)
    services.quiz_attempt_submit(user=learner, attempt_id=done.pk)
    migration.restore_open_attempt_keys(apps, None)  # the open one: none yet
    done.refresh_from_db()
    before = done.snapshot
    migration.rekey_open_attempts(apps, None)
    done.refresh_from_db()
    assert done.snapshot == before  # graded attempts keep their keys


def test_statistics_count_choices_by_id_not_by_key(learner):
    quiz = make_quiz(questions=1, pass_mark=100, max_attempts=None)
    for right in (False, True, False):
        attempt = services.quiz_attempt_start(user=learner, quiz=quiz)
        answer_quiz(learner, attempt, right=right)
        services.quiz_attempt_submit(user=learner, attempt_id=attempt.pk)
        if right:
            QuizAttempt.objects.filter(pk=attempt.pk).update(passed=False)  # try again
    stat = selectors.question_statistics(quiz=quiz)[0]
    assert (stat.answered, stat.correct) == (3, 1)
    assert [c.chosen for c in stat.choices] == [1, 2, 0]
    assert SelectedChoice.objects.filter(choice__isnull=True).count() == 0


def test_final_tests_get_the_new_feedback_policy(catalogue):
    final = make_quiz(questions=1, policy=FeedbackPolicy.AFTER_SUBMIT)
    chosen = make_quiz(questions=1, policy=FeedbackPolicy.NEVER)
    loose = make_quiz(questions=1, policy=FeedbackPolicy.AFTER_SUBMIT)  # placed nowhere
    make_course(catalogue, modules=2, quiz=final)
    make_course(catalogue, modules=1, quiz=chosen)
    migration.final_tests_after_pass(apps, None)
    policies = dict(Quiz.objects.values_list("pk", "feedback_policy"))
    assert policies[final.pk] == FeedbackPolicy.AFTER_PASS
    assert policies[chosen.pk] == FeedbackPolicy.NEVER  # an editor's choice stays
    assert policies[loose.pk] == FeedbackPolicy.AFTER_SUBMIT
    assert Quiz().feedback_policy == FeedbackPolicy.AFTER_PASS  # new quizzes


def test_demo_final_tests_use_the_new_feedback_policy():
    from lms.demo_courses import course_files

    assert {data["quiz"]["feedback_policy"] for data in course_files()} == {"after_pass"}


def test_generated_history_gets_its_own_keys_per_attempt():
    quiz = right_first_quiz(questions=2, choices=3)
    snapshot = services.build_snapshot(quiz)
    copy = services.snapshot_with_new_keys(snapshot)

    def keys(s):
        return [c["key"] for q in s["questions"] for c in q["choices"]]

    assert not set(keys(copy)) & set(keys(snapshot)) and len(set(keys(copy))) == 6

    def without_keys(s):
        return [[{**c, "key": None} for c in q["choices"]] for q in s["questions"]]

    assert without_keys(copy) == without_keys(snapshot)
