import re

import pytest

from quizzes import services
from quizzes.models import QuizAttempt
from tests.factories import UserFactory, make_course, make_quiz, pass_quiz
from tests.helpers import assert_queries_independent_of_size

pytestmark = pytest.mark.django_db


@pytest.fixture
def placed_quiz(catalogue):
    quiz = make_quiz(questions=3, pass_mark=100)
    course = make_course(catalogue, modules=1, quiz=quiz)
    module = course.get_children().get().specific
    block_id = next(b.id for b in module.body if b.block_type == "quiz")
    return quiz, module, block_id


def test_the_result_shows_the_answers_after_grading(client, learner, placed_quiz):
    # What reaches the browser before grading: tests/security/test_quiz_leak.py.
    _quiz, module, block_id = placed_quiz
    client.force_login(learner)
    client.post(f"/modules/{module.pk}/quiz/{block_id}/")
    attempt = QuizAttempt.objects.get(user=learner)
    for number, question in enumerate(attempt.snapshot["questions"], start=1):
        wrong = next(c["key"] for c in question["choices"] if not c["correct"])
        client.post(f"/quiz/attempts/{attempt.pk}/questions/{number}/", {"choice": [wrong]})
    client.post(f"/quiz/attempts/{attempt.pk}/review/")
    result = client.get(f"/quiz/attempts/{attempt.pk}/result/").content.decode()
    assert result.count("Rätt svar") == 3 and "Inte rätt." in result
    assert "Återkoppling 1" in result and "Förklaring." in result


def test_crafted_choice_gets_a_clear_message_and_saves_nothing(client, learner, placed_quiz):
    _quiz, module, block_id = placed_quiz
    client.force_login(learner)
    client.post(f"/modules/{module.pk}/quiz/{block_id}/")
    attempt = QuizAttempt.objects.get(user=learner)
    response = client.post(
        f"/quiz/attempts/{attempt.pk}/questions/1/", {"choice": ["c424242"], "go": "next"}
    )
    assert response.status_code == 400
    assert "inte hör till frågan" in response.content.decode()
    attempt.refresh_from_db()
    assert attempt.answers == {}


def test_locked_module_quiz_cannot_be_started(client, learner, catalogue):
    quiz = make_quiz(questions=1)
    course = make_course(catalogue, modules=2, quiz=quiz)  # the quiz is in the second module
    second = course.get_children().order_by("path").last().specific
    block_id = next(b.id for b in second.body if b.block_type == "quiz")
    client.force_login(learner)
    assert client.post(f"/modules/{second.pk}/quiz/{block_id}/").status_code == 404
    assert not QuizAttempt.objects.exists()


def test_module_needs_a_passed_quiz_before_it_can_be_marked_done(client, learner, placed_quiz):
    from progress.models import Completion

    quiz, module, _block_id = placed_quiz
    client.force_login(learner)
    response = client.post(f"/progress/modules/{module.pk}/complete/", follow=True)
    assert "Klara kunskapstestet ”Testprov”." in response.content.decode()
    assert not Completion.objects.exists()
    pass_quiz(learner, quiz, module_id=module.pk)
    client.post(f"/progress/modules/{module.pk}/complete/")
    assert Completion.objects.filter(user=learner).count() == 1


def test_quiz_pages_cost_the_same_whatever_the_history(client, learner, placed_quiz):
    quiz, module, block_id = placed_quiz
    client.force_login(learner)
    mine = services.quiz_attempt_start(user=learner, quiz=quiz, module_id=module.pk)

    def grow():
        for _ in range(4):
            person = UserFactory()
            attempt = services.quiz_attempt_start(user=person, quiz=quiz, module_id=module.pk)
            for question in attempt.snapshot["questions"]:
                services.quiz_attempt_answer(
                    user=person,
                    attempt_id=attempt.pk,
                    question_key=question["key"],
                    choice_keys=[question["choices"][0]["key"]],
                )
            services.quiz_attempt_submit(user=person, attempt_id=attempt.pk)

    for url in (
        f"/modules/{module.pk}/quiz/{block_id}/",
        f"/quiz/attempts/{mine.pk}/questions/1/",
        f"/quiz/attempts/{mine.pk}/review/",
        module.url,
    ):
        assert_queries_independent_of_size(lambda url=url: client.get(url), grow, label=url)


def test_hr_sees_pass_rates_per_course(client, learner, placed_quiz, demo_users):
    from tests.helpers import login_via_form

    quiz, module, _block_id = placed_quiz
    pass_quiz(learner, quiz, module_id=module.pk)
    assert login_via_form(client, "hr", demo_users)
    html = client.get("/admin/quiz-results/").content.decode()
    row = html[html.index(module.get_parent().title) :]
    assert re.search(r"<td>Testprov</td>\s*<td>1</td>\s*<td>1</td>\s*<td>100,0 %</td>", row)


def test_feedback_after_each_question_shows_it_once_the_answer_is_final(client, learner, catalogue):
    from quizzes.models import FeedbackPolicy

    quiz = make_quiz(questions=2, policy=FeedbackPolicy.AFTER_EACH)
    course = make_course(catalogue, modules=1, quiz=quiz)
    module = course.get_children().get().specific
    block_id = next(b.id for b in module.body if b.block_type == "quiz")
    client.force_login(learner)
    client.post(f"/modules/{module.pk}/quiz/{block_id}/")
    attempt = QuizAttempt.objects.get(user=learner)
    question = attempt.snapshot["questions"][0]
    url = f"/quiz/attempts/{attempt.pk}/questions/1/"
    before = client.get(url).content.decode()
    assert 'class="feedback' not in before and " disabled" not in before
    wrong = next(c["key"] for c in question["choices"] if not c["correct"])
    response = client.post(url, {"choice": [wrong], "go": "next"})
    assert response["Location"] == url  # stays to show the feedback
    after = client.get(url).content.decode()
    assert "Inte rätt." in after and "Rätt svar" in after and " disabled" in after
    response = client.post(url, {"go": "next"})
    assert response["Location"] == f"/quiz/attempts/{attempt.pk}/questions/2/"
