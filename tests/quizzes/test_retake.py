"""A failed result offers the retake on the spot, or says when it opens."""

import pytest

from progress.services import module_start
from quizzes import services
from quizzes.models import QuizAttempt
from tests.factories import answer_quiz, make_course, make_quiz

pytestmark = pytest.mark.django_db


def failed_attempt(catalogue, learner, **quiz_fields):
    quiz = make_quiz(questions=2, **quiz_fields)
    course = make_course(catalogue, modules=1, quiz=quiz)
    module = course.get_children().get().specific
    module_start(user=learner, module=module)
    attempt = services.quiz_attempt_start(user=learner, quiz=quiz, module_id=module.pk)
    answer_quiz(learner, attempt, right=False)
    services.quiz_attempt_submit(user=learner, attempt_id=attempt.pk)
    block_id = next(b.id for b in module.body if b.block_type == "quiz")
    return attempt, module, block_id


def test_the_module_starts_the_quiz_with_one_post(client, learner, catalogue):
    quiz = make_quiz(questions=1)
    module = make_course(catalogue, modules=1, quiz=quiz).get_children().get().specific
    block_id = next(b.id for b in module.body if b.block_type == "quiz")
    client.force_login(learner)
    page = client.get(module.url).content.decode()
    action = f'action="/modules/{module.pk}/quiz/{block_id}/"'
    assert page.count(action) == 1 and 'method="post"' in page
    assert f'href="/modules/{module.pk}/quiz/' not in page  # no second start page on the way
    response = client.post(f"/modules/{module.pk}/quiz/{block_id}/")
    attempt = QuizAttempt.objects.get(user=learner)
    assert response["Location"] == f"/quiz/attempts/{attempt.pk}/questions/1/"


def test_a_failed_result_offers_the_retake(client, learner, catalogue):
    attempt, module, block_id = failed_attempt(catalogue, learner)
    client.force_login(learner)
    page = client.get(f"/quiz/attempts/{attempt.pk}/result/").content.decode()
    assert "Gör om testet" in page
    assert f'action="/modules/{module.pk}/quiz/{block_id}/"' in page
    assert "Du har 2 försök kvar." in page
    response = client.post(f"/modules/{module.pk}/quiz/{block_id}/")
    retake = QuizAttempt.objects.filter(user=learner).latest("number")
    assert retake.number == 2 and response["Location"].endswith(f"/{retake.pk}/questions/1/")


def test_a_failed_result_says_when_the_retake_opens(client, learner, catalogue):
    attempt, module, block_id = failed_attempt(catalogue, learner, wait_minutes=30)
    client.force_login(learner)
    page = client.get(f"/quiz/attempts/{attempt.pk}/result/").content.decode()
    assert "Du kan göra om testet från kl." in page
    assert "Gör om testet</button>" not in page
    # Pressed anyway (an old tab): the module says why, nothing is started.
    response = client.post(f"/modules/{module.pk}/quiz/{block_id}/", follow=True)
    assert "Du kan försöka igen klockan" in response.content.decode()
    assert QuizAttempt.objects.filter(user=learner).count() == 1


def test_no_attempts_left_offers_no_retake(client, learner, catalogue):
    attempt, _module, _block_id = failed_attempt(catalogue, learner, max_attempts=1)
    client.force_login(learner)
    page = client.get(f"/quiz/attempts/{attempt.pk}/result/").content.decode()
    assert "Gör om testet" not in page and "inga försök kvar" in page


def test_partial_credit_is_not_styled_as_wrong(client, learner, catalogue):
    from quizzes.models import QuizQuestion
    from tests.factories import make_question

    quiz = make_quiz(questions=0, pass_mark=100)
    question = make_question(text="Vilka stämmer?", kind="multiple", correct=(0, 1), n=4)
    QuizQuestion.objects.create(quiz=quiz, question=question, sort_order=0)
    module = make_course(catalogue, modules=1, quiz=quiz).get_children().get().specific
    module_start(user=learner, module=module)
    attempt = services.quiz_attempt_start(user=learner, quiz=quiz, module_id=module.pk)
    item = attempt.snapshot["questions"][0]
    right = next(c["key"] for c in item["choices"] if c["correct"])
    services.quiz_attempt_answer(
        user=learner, attempt_id=attempt.pk, question_key=item["key"], choice_keys=[right]
    )
    services.quiz_attempt_submit(user=learner, attempt_id=attempt.pk)
    client.force_login(learner)
    page = client.get(f"/quiz/attempts/{attempt.pk}/result/").content.decode()
    assert "feedback-partial" in page and "feedback-wrong" not in page
    assert "Delvis rätt" in page
