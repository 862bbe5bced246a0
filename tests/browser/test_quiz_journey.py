"""The quiz as a learner meets it: one button starts it, a failed result offers the retake."""

import re

import pytest

from quizzes.models import QuizAttempt, QuizQuestion
from tests.browser.test_learner_journey import log_in
from tests.factories import PASSWORD, UserFactory, make_course, make_question, make_quiz
from tests.helpers import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def answer_all(page, attempt: QuizAttempt, *, right: bool) -> None:
    for question in attempt.snapshot["questions"]:
        wanted = [c["key"] for c in question["choices"] if c["correct"] == right]
        if question["kind"] != "multiple":
            wanted = wanted[:1]
        for key in wanted:
            page.locator(f"#choice-{key}").check()
        with page.expect_navigation():
            page.locator("button[value=next]").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Granska dina svar"
    with page.expect_navigation():
        page.get_by_role("button", name="Lämna in testet").click()
    assert re.search(r"/result/$", page.url)


def test_one_click_starts_the_quiz_and_a_failed_result_offers_the_retake(page, catalogue):
    quiz = make_quiz(questions=1, pass_mark=100, max_attempts=3)
    multiple = make_question(text="Vilka stämmer?", kind="multiple", correct=(0, 1), n=4)
    QuizQuestion.objects.create(quiz=quiz, question=multiple, sort_order=5)
    course = make_course(catalogue, modules=1, quiz=quiz)
    module = course.get_children().get().specific
    learner = UserFactory(username="provtagare")
    log_in(page, "provtagare", PASSWORD)

    page.goto(page.base_url + module.url)
    quiz_card = page.locator(".quiz-card")
    # Exactly one way into the quiz, and it starts the attempt: no second "Starta testet" page.
    assert quiz_card.get_by_role("button", name="Starta testet").count() == 1
    assert quiz_card.get_by_role("link", name="Starta testet").count() == 0
    assert page.get_by_text("Starta testet").count() == 1
    with page.expect_navigation():
        quiz_card.get_by_role("button", name="Starta testet").click()
    assert re.search(r"/questions/1/$", page.url)
    attempt = QuizAttempt.objects.get(user=learner)
    assert_accessible(page)
    # The multiple-choice question says once that more than one answer may be chosen.
    page.goto(page.base_url + f"/quiz/attempts/{attempt.pk}/questions/2/")
    assert page.locator("main").inner_text().count("Välj ett eller flera svar") == 1
    page.goto(page.base_url + f"/quiz/attempts/{attempt.pk}/questions/1/")

    answer_all(page, attempt, right=False)
    assert "Inte godkänt den här gången" in page.get_by_role("status").inner_text()
    retake = page.get_by_role("button", name="Gör om testet")
    assert retake.count() == 1
    assert_accessible(page)
    with page.expect_navigation():
        retake.click()
    assert re.search(r"/questions/1/$", page.url)
    second = QuizAttempt.objects.filter(user=learner).latest("number")
    assert second.number == 2

    answer_all(page, second, right=True)
    assert "Godkänt!" in page.get_by_role("status").inner_text()
    assert page.get_by_role("button", name="Gör om testet").count() == 0
    assert_accessible(page)
