"""Crafted quiz requests: forged or borrowed choice keys, other people's attempts, replays.

Each is refused with a clear message (or looks like a page that does not exist), changes
nothing and never gives HTTP 500.
"""

from __future__ import annotations

import pytest

from progress.models import Completion
from quizzes import services
from quizzes.models import AttemptAnswer, QuizAttempt
from tests.factories import UserFactory, answer_quiz, make_course, make_quiz

pytestmark = pytest.mark.django_db

NOT_THIS_QUESTION = "Svaret innehåller ett alternativ som inte hör till frågan."


@pytest.fixture
def final(catalogue):
    quiz = make_quiz(questions=2, pass_mark=100)
    course = make_course(catalogue, modules=1, quiz=quiz)
    module = course.get_children().get().specific
    block_id = next(b.id for b in module.body if b.block_type == "quiz")
    return quiz, module, block_id


def start(client, user, module, block_id) -> QuizAttempt:
    client.force_login(user)
    client.post(f"/modules/{module.pk}/quiz/{block_id}/")
    return QuizAttempt.objects.filter(user=user).latest("number")


def unchanged(attempt: QuizAttempt, answers: dict) -> bool:
    attempt.refresh_from_db()
    return attempt.answers == answers and attempt.submitted_at is None


def forged_keys(kind: str, *, attempt, other, question) -> list[str]:
    right = next(c for c in question["choices"] if c["correct"])
    other_question = attempt.snapshot["questions"][1]
    return {
        # The same choice, as another learner's attempt of the same quiz calls it.
        "other learner's key": [
            c["key"]
            for q in other.snapshot["questions"]
            for c in q["choices"]
            if c["id"] == right["id"]
        ],
        "key of another question": [other_question["choices"][0]["key"]],
        "old c<pk> form": [f"c{right['id']}"],
        "garbage": ["'; DROP TABLE quizzes_quizattempt; --"],
        "empty string": [""],
        "very long": ["x" * 100_000],
        "unicode": ["åäö\u202e\U0001f600", "\x00"],
        "one right, one forged": [right["key"], "AAAAAAAAAAAA"],
    }[kind]


@pytest.mark.parametrize(
    "kind",
    [
        "other learner's key",
        "key of another question",
        "old c<pk> form",
        "garbage",
        "empty string",
        "very long",
        "unicode",
        "one right, one forged",
    ],
)
def test_forged_choice_keys_are_refused_and_save_nothing(client, learner, final, kind):
    _quiz, module, block_id = final
    other = start(client, UserFactory(), module, block_id)
    attempt = start(client, learner, module, block_id)
    question = attempt.snapshot["questions"][0]
    keys = forged_keys(kind, attempt=attempt, other=other, question=question)
    assert keys and not set(keys) <= {c["key"] for c in question["choices"]}
    response = client.post(
        f"/quiz/attempts/{attempt.pk}/questions/1/", {"choice": keys, "go": "next"}
    )
    assert response.status_code == 400
    assert NOT_THIS_QUESTION in response.content.decode()
    assert unchanged(attempt, {})
    with pytest.raises(services.QuizError, match="inte hör till frågan"):
        services.quiz_attempt_answer(
            user=learner, attempt_id=attempt.pk, question_key=question["key"], choice_keys=keys
        )
    assert unchanged(attempt, {})


def test_a_forged_key_does_not_replace_a_saved_answer(client, learner, final):
    _quiz, module, block_id = final
    attempt = start(client, learner, module, block_id)
    question = attempt.snapshot["questions"][0]
    saved = {question["key"]: [question["choices"][1]["key"]]}
    client.post(f"/quiz/attempts/{attempt.pk}/questions/1/", {"choice": saved[question["key"]]})
    assert unchanged(attempt, saved)
    response = client.post(f"/quiz/attempts/{attempt.pk}/questions/1/", {"choice": ["nej"]})
    assert response.status_code == 400
    assert unchanged(attempt, saved)


def test_keys_that_are_not_strings_are_refused_by_the_service(learner, final):
    quiz, module, _block_id = final
    attempt = services.quiz_attempt_start(user=learner, quiz=quiz, module_id=module.pk)
    question = attempt.snapshot["questions"][0]
    for keys in ([None], [7], [["a"]]):
        with pytest.raises(services.QuizError):
            services.quiz_attempt_answer(
                user=learner, attempt_id=attempt.pk, question_key=question["key"], choice_keys=keys
            )
    assert unchanged(attempt, {})


def test_another_learners_attempt_cannot_be_read_answered_or_submitted(client, learner, final):
    _quiz, module, block_id = final
    victim = UserFactory()
    attempt = start(client, victim, module, block_id)
    answer_quiz(victim, attempt)
    answers = QuizAttempt.objects.get(pk=attempt.pk).answers
    client.force_login(learner)
    question = attempt.snapshot["questions"][0]
    base = f"/quiz/attempts/{attempt.pk}"
    assert client.get(f"{base}/questions/1/").status_code == 404
    assert (
        client.post(f"{base}/questions/1/", {"choice": [question["choices"][2]["key"]]}).status_code
        == 404
    )
    assert client.get(f"{base}/review/").status_code == 404
    assert client.post(f"{base}/review/").status_code == 404  # submitting it
    assert client.get(f"{base}/result/").status_code == 404
    assert unchanged(attempt, answers)
    assert not AttemptAnswer.objects.exists() and not Completion.objects.exists()


def test_a_replayed_submit_counts_once(client, learner, final):
    _quiz, module, block_id = final
    attempt = start(client, learner, module, block_id)
    answer_quiz(learner, attempt)
    review = f"/quiz/attempts/{attempt.pk}/review/"
    assert client.post(review)["Location"] == f"/quiz/attempts/{attempt.pk}/result/"
    attempt.refresh_from_db()
    graded = (attempt.submitted_at, attempt.score_percent)
    for _ in range(2):
        assert client.post(review)["Location"] == f"/quiz/attempts/{attempt.pk}/result/"
    with pytest.raises(services.QuizError, match="redan inlämnat"):
        services.quiz_attempt_submit(user=learner, attempt_id=attempt.pk)
    attempt.refresh_from_db()
    assert (attempt.submitted_at, attempt.score_percent) == graded
    assert AttemptAnswer.objects.filter(attempt=attempt).count() == 2
    assert Completion.objects.filter(user=learner).count() == 1


def test_answers_after_grading_change_nothing(client, learner, final):
    _quiz, module, block_id = final
    attempt = start(client, learner, module, block_id)
    answer_quiz(learner, attempt, right=False)
    client.post(f"/quiz/attempts/{attempt.pk}/review/")
    attempt.refresh_from_db()
    answers, score = attempt.answers, attempt.score_percent
    question = attempt.snapshot["questions"][0]
    right = [next(c["key"] for c in question["choices"] if c["correct"])]
    response = client.post(f"/quiz/attempts/{attempt.pk}/questions/1/", {"choice": right})
    assert response["Location"] == f"/quiz/attempts/{attempt.pk}/result/"
    with pytest.raises(services.QuizError, match="redan inlämnat"):
        services.quiz_attempt_answer(
            user=learner, attempt_id=attempt.pk, question_key=question["key"], choice_keys=right
        )
    attempt.refresh_from_db()
    assert (attempt.answers, attempt.score_percent, attempt.passed) == (answers, score, False)
    assert not Completion.objects.exists()


@pytest.mark.parametrize(
    "path",
    [
        "/quiz/attempts/99999999999999999999/questions/1/",
        "/quiz/attempts/{pk}/questions/0/",
        "/quiz/attempts/{pk}/questions/99999999999999999999/",
        "/quiz/attempts/{pk}/questions/3/",
    ],
)
def test_out_of_range_numbers_are_not_found(client, learner, final, path):
    _quiz, module, block_id = final
    attempt = start(client, learner, module, block_id)
    assert client.get(path.format(pk=attempt.pk)).status_code == 404
    assert client.post(path.format(pk=attempt.pk), {"choice": ["x"]}).status_code == 404
