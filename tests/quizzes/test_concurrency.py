"""Attempt limits and single submission hold under concurrent requests (PostgreSQL)."""

import pytest

from quizzes import services
from quizzes.models import AttemptAnswer, QuizAttempt
from tests.factories import answer_quiz, make_course, make_quiz
from tests.helpers import require_postgres
from tests.progress.test_concurrency import run_concurrently

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_submits_at_once_count_once(catalogue, learner):
    require_postgres()
    quiz = make_quiz(questions=2)
    attempt = services.quiz_attempt_start(user=learner, quiz=quiz)
    for question in attempt.snapshot["questions"]:
        services.quiz_attempt_answer(
            user=learner,
            attempt_id=attempt.pk,
            question_key=question["key"],
            choice_keys=[question["choices"][0]["key"]],
        )
    url = f"/quiz/attempts/{attempt.pk}/review/"
    statuses = run_concurrently(learner, [url, url, url])
    # One submit grades the attempt. The others are refused with "already submitted" (400), or,
    # arriving after it finished, are sent to the result (302). Nothing is graded twice.
    assert len(statuses) == 3 and set(statuses) <= {302, 400} and 302 in statuses
    attempt.refresh_from_db()
    assert attempt.submitted_at is not None
    assert AttemptAnswer.objects.filter(attempt=attempt).count() == 2


def test_two_tabs_starting_the_last_attempt_get_one(catalogue, learner):
    require_postgres()
    quiz = make_quiz(questions=1, max_attempts=1)
    course = make_course(catalogue, modules=1, quiz=quiz)
    module = course.get_children().get().specific
    block_id = next(b.id for b in module.body if b.block_type == "quiz")
    url = f"/modules/{module.pk}/quiz/{block_id}/"
    statuses = run_concurrently(learner, [url, url, url])
    assert statuses == [302, 302, 302]
    assert QuizAttempt.objects.filter(user=learner, quiz=quiz).count() == 1


def test_passing_submits_at_once_complete_the_course_once(catalogue, learner):
    require_postgres()
    from progress.models import Completion, ModuleProgress

    quiz = make_quiz(questions=2)
    course = make_course(catalogue, modules=1, quiz=quiz)
    module = course.get_children().get().specific
    attempt = services.quiz_attempt_start(user=learner, quiz=quiz, module_id=module.pk)
    answer_quiz(learner, attempt)
    review = f"/quiz/attempts/{attempt.pk}/review/"
    complete = f"/progress/modules/{module.pk}/complete/"
    # Two tabs submitting, and a third clicking "mark as done" at the same moment.
    statuses = run_concurrently(learner, [review, review, complete])
    assert len(statuses) == 3 and 500 not in statuses
    attempt.refresh_from_db()
    assert attempt.passed and AttemptAnswer.objects.filter(attempt=attempt).count() == 2
    assert ModuleProgress.objects.filter(module_id=module.pk).count() == 1
    assert Completion.objects.filter(user=learner, course_id=course.pk).count() == 1


def test_two_required_quizzes_of_one_module_passed_in_two_tabs_complete_it(catalogue, learner):
    """Each submit asks whether the module still needs anything. Both must not decide from
    before the other's pass: the row lock is taken before the requirements are read."""
    require_postgres()
    import contextlib
    import threading
    from unittest import mock

    from modules.models import ModulePage
    from progress import services as progress_services
    from progress.models import Completion, ModuleProgress

    first, second = make_quiz(questions=1), make_quiz(questions=1)
    course = make_course(catalogue, modules=1, quiz=first)
    module = course.get_children().get().specific
    module.body.append(("quiz", {"quiz": second, "required": True}))
    module.save_revision().publish()
    module.refresh_from_db()
    # As the quiz page does when a quiz starts: the module, and so the course's round, starts.
    progress_services.module_start(user=learner, module=module)
    attempts = []
    for quiz in (first, second):
        attempt = services.quiz_attempt_start(user=learner, quiz=quiz, module_id=module.pk)
        answer_quiz(learner, attempt)
        attempts.append(attempt)

    # Both submits reach the requirements before either goes on, where the lock allows it: the
    # widest window for the race. A submit that waits longer than 3 s goes on alone.
    both = threading.Barrier(2)
    original = ModulePage.unmet_requirements

    def unmet_requirements(self, user):
        with contextlib.suppress(threading.BrokenBarrierError):
            both.wait(timeout=3)
        return original(self, user)

    with mock.patch.object(ModulePage, "unmet_requirements", unmet_requirements):
        statuses = run_concurrently(learner, [f"/quiz/attempts/{a.pk}/review/" for a in attempts])
    assert statuses == [302, 302]
    assert all(QuizAttempt.objects.filter(pk=a.pk, passed=True).exists() for a in attempts)
    assert ModuleProgress.objects.get(module_id=module.pk).completed_at is not None
    assert Completion.objects.filter(user=learner, course_id=course.pk).count() == 1
