"""Passing a quiz that was all its module still needed completes the module, and the course."""

from __future__ import annotations

import pytest
from django.utils import timezone
from django.utils.formats import date_format

from progress.models import Completion, CourseProgress, ModuleProgress
from quizzes import services
from quizzes.models import AttemptAnswer, QuizAttempt
from tests.factories import answer_quiz, make_course, make_film, make_quiz, pass_quiz
from tests.helpers import assert_queries_independent_of_size

pytestmark = pytest.mark.django_db


def quiz_module(course):
    module = course.get_children().order_by("path").last().specific
    return module, next(b.id for b in module.body if b.block_type == "quiz")


def take(client, learner, module, block_id, *, right: bool = True) -> QuizAttempt:
    """Start, answer and submit through the learner's pages; the result page is fetched too."""
    client.post(f"/modules/{module.pk}/quiz/{block_id}/")
    attempt = QuizAttempt.objects.filter(user=learner).latest("number")
    answer_quiz(learner, attempt, right=right)
    response = client.post(f"/quiz/attempts/{attempt.pk}/review/")
    assert response["Location"] == f"/quiz/attempts/{attempt.pk}/result/"
    attempt.refresh_from_db()
    return attempt


def test_passing_the_final_test_completes_the_course_at_once(client, learner, catalogue):
    quiz = make_quiz(questions=2)
    course = make_course(catalogue, title="Grundkurs", modules=1, quiz=quiz)
    module, block_id = quiz_module(course)
    client.force_login(learner)
    attempt = take(client, learner, module, block_id)
    assert attempt.passed
    completion = Completion.objects.get(user=learner, course_id=course.pk)
    assert ModuleProgress.objects.get(module_id=module.pk).completed_at is not None
    assert completion.completed_at >= attempt.submitted_at
    page = client.get(f"/quiz/attempts/{attempt.pk}/result/").content.decode()
    today = date_format(timezone.localdate(), "j F Y")
    assert f"Kursen ”Grundkurs” är slutförd den {today}." in page
    assert "Markera modulen som klar" not in page
    assert f'href="{course.url}"' in page
    # The quiz was started by its address alone: starting it started the round, before the pass.
    assert CourseProgress.objects.get(user=learner).started_at <= attempt.started_at
    # Replaying the submit, or clicking "mark as done" anyway, adds nothing and is no error.
    assert client.post(f"/quiz/attempts/{attempt.pk}/review/").status_code == 302
    again = client.post(f"/progress/modules/{module.pk}/complete/", follow=True).content.decode()
    assert "Klara kunskapstestet" not in again
    assert Completion.objects.filter(user=learner).count() == 1
    assert AttemptAnswer.objects.filter(attempt=attempt).count() == 2


def test_a_module_that_is_not_the_last_is_completed_and_points_on(client, learner, catalogue):
    quiz = make_quiz(questions=1)
    course = make_course(catalogue, modules=2, sequential=False, quiz=quiz)
    module, block_id = quiz_module(course)
    first = course.get_children().order_by("path").first()
    # The quiz is in the last module, but the first is not done: the course is not complete.
    client.force_login(learner)
    attempt = take(client, learner, module, block_id)
    assert ModuleProgress.objects.filter(module_id=module.pk, completed_at__isnull=False).exists()
    assert not Completion.objects.exists()
    page = client.get(f"/quiz/attempts/{attempt.pk}/result/").content.decode()
    assert "Modulen ”Modul 2” är klar." in page and "slutförd" not in page
    client.post(f"/progress/modules/{first.pk}/complete/")
    assert Completion.objects.filter(user=learner).count() == 1


def test_a_pass_does_not_complete_a_module_that_still_needs_a_film(client, learner, catalogue):
    quiz = make_quiz(questions=1)
    course = make_course(catalogue, modules=1, quiz=quiz, film=make_film(title="Filmen"))
    module, block_id = quiz_module(course)
    client.force_login(learner)
    attempt = take(client, learner, module, block_id)
    assert attempt.passed
    assert not ModuleProgress.objects.filter(completed_at__isnull=False).exists()
    assert not Completion.objects.exists()
    page = client.get(f"/quiz/attempts/{attempt.pk}/result/").content.decode()
    assert "Innan modulen är klar behöver du också:" in page
    assert "Se filmen ”Filmen” eller läs dess transkription." in page
    assert "slutförd" not in page and "Markera modulen som klar" not in page


@pytest.mark.parametrize("why", ["failed", "optional quiz"])
def test_no_completion_without_a_pass_of_a_required_quiz(client, learner, catalogue, why):
    quiz = make_quiz(questions=1)
    course = make_course(catalogue, modules=1, quiz=quiz)
    module, block_id = quiz_module(course)
    if why == "optional quiz":
        body = module.body.raw_data
        next(b for b in body if b["type"] == "quiz")["value"]["required"] = False
        module.body = body
        module.save_revision().publish()
    client.force_login(learner)
    attempt = take(client, learner, module, block_id, right=why != "failed")
    assert attempt.passed is (why != "failed")
    assert not ModuleProgress.objects.filter(completed_at__isnull=False).exists()
    assert not Completion.objects.exists()
    if why == "optional quiz":  # the learner still decides when the module is done
        page = client.get(f"/quiz/attempts/{attempt.pk}/result/").content.decode()
        assert "Markera modulen som klar" in page


def test_a_quiz_taken_outside_a_module_completes_nothing(learner, catalogue):
    quiz = make_quiz(questions=1)
    make_course(catalogue, modules=1, quiz=quiz)
    assert pass_quiz(learner, quiz).passed
    assert not ModuleProgress.objects.exists() and not Completion.objects.exists()


def test_the_pass_and_the_completion_are_one_transaction(learner, catalogue, monkeypatch):
    from progress import services as progress_services

    quiz = make_quiz(questions=1)
    course = make_course(catalogue, modules=1, quiz=quiz)
    module, _block_id = quiz_module(course)
    attempt = services.quiz_attempt_start(user=learner, quiz=quiz, module_id=module.pk)
    answer_quiz(learner, attempt)

    def broken(**kwargs):
        raise RuntimeError("the completion could not be written")

    monkeypatch.setattr(progress_services, "_complete_if_done", broken)
    with pytest.raises(RuntimeError):
        services.quiz_attempt_submit(user=learner, attempt_id=attempt.pk)
    attempt.refresh_from_db()
    assert attempt.submitted_at is None and attempt.passed is None
    assert not AttemptAnswer.objects.exists() and not ModuleProgress.objects.exists()


def test_the_result_page_costs_the_same_whatever_the_history(client, learner, catalogue):
    from tests.factories import UserFactory

    quiz = make_quiz(questions=3)
    course = make_course(catalogue, modules=2, sequential=False, quiz=quiz)
    module, _block_id = quiz_module(course)
    attempt = pass_quiz(learner, quiz, module_id=module.pk)
    client.force_login(learner)

    def grow():
        for _ in range(3):
            pass_quiz(UserFactory(), quiz, module_id=module.pk)

    assert_queries_independent_of_size(
        lambda: client.get(f"/quiz/attempts/{attempt.pk}/result/"), grow, label="result"
    )
