"""Nothing the browser gets before grading depends on which choices are correct.

Structural, not a search for words: every page and response of an attempt is recorded, the
correct flags in the attempt's snapshot are flipped (every choice changes), the attempt is put
back as it was and the same requests are made again. Whatever form the correct flag might take
when a page is rendered (a word, a class, `data-k="1"`, a sort on the flag), the two recordings
would differ. The order and the keys of the choices are fixed in the snapshot when the attempt
starts, so flipping the flags cannot show whether they say anything: tests/quizzes/test_keys.py
checks that.
"""

from __future__ import annotations

import re

import pytest

from quizzes.models import FeedbackPolicy, QuizAttempt, QuizQuestion
from tests.factories import make_course, make_question, make_quiz

pytestmark = pytest.mark.django_db

CSRF = [
    (re.compile(rb'name="csrfmiddlewaretoken" value="[^"]*"'), b'name="csrfmiddlewaretoken"'),
    (re.compile(rb'<meta name="csrf-token" content="[^"]*">'), b'<meta name="csrf-token">'),
]
# Cookies whose values change by themselves (random or time-stamped); their names still count.
VOLATILE_COOKIES = {"csrftoken", "sessionid", "messages"}


def without_csrf(body: bytes) -> bytes:
    for pattern, replacement in CSRF:
        body = pattern.sub(replacement, body)
    return body


def headers_of(response) -> dict:
    # X-Request-ID is a fresh random id per request (lms/logs.py), not content.
    headers = {
        k: v for k, v in response.headers.items() if k.lower() not in {"set-cookie", "x-request-id"}
    }
    headers["cookies"] = sorted(
        (name, "" if name in VOLATILE_COOKIES else morsel.value)
        for name, morsel in response.cookies.items()
    )
    return headers


def mixed_quiz(policy: str):
    """One question of every kind, the right answers first as editors tend to write them."""
    quiz = make_quiz(questions=0, policy=policy, max_attempts=3)
    questions = [
        make_question(text="En", kind="single", correct=(0,), n=4),
        make_question(text="Flera", kind="multiple", correct=(0, 1), n=4),
        make_question(text="Sant eller falskt", kind="true_false", correct=(0,), n=2),
        make_question(text="Fallet", kind="scenario", correct=(0,), n=3),
    ]
    questions[3].case_text = "<p>Ett fall på en arbetsplats.</p>"
    questions[3].save()
    for order, question in enumerate(questions):
        QuizQuestion.objects.create(quiz=quiz, question=question, sort_order=order)
    return quiz


def flip_correct_flags(attempt: QuizAttempt) -> None:
    snapshot = attempt.snapshot
    for question in snapshot["questions"]:
        for choice in question["choices"]:
            choice["correct"] = not choice["correct"]
    QuizAttempt.objects.filter(pk=attempt.pk).update(snapshot=snapshot)


def record_journey(client, *, module, block_id: str, attempt: QuizAttempt, answer: bool):
    """Every request a learner (or someone poking at the form) makes before grading."""
    start = f"/modules/{module.pk}/quiz/{block_id}/"
    base = f"/quiz/attempts/{attempt.pk}"
    steps = [
        ("GET", module.url, None),
        ("GET", start, None),
        ("POST", start, {}),  # resumes the open attempt
    ]
    for number, question in enumerate(attempt.snapshot["questions"], start=1):
        url = f"{base}/questions/{number}/"
        # Chosen by position on the page, never by correctness.
        keys = [c["key"] for c in question["choices"]]
        steps += [
            ("GET", url, None),
            ("POST", url, {"go": "next"}),  # nothing chosen: an error page
            ("POST", url, {"choice": ["forged-key"], "go": "next"}),  # an error page
            ("POST", url, {"choice": [f"c{question['choices'][0]['id']}"], "go": "next"}),
        ]
        if answer:
            first = keys[:2] if question["kind"] == "multiple" else keys[:1]
            steps += [
                ("POST", url, {"choice": first, "go": "next"}),  # the save-answer response
                ("GET", url, None),  # the saved answer shown again
                ("POST", url, {"choice": keys[-1:], "go": "previous"}),  # changed, going back
                ("GET", url, None),
            ]
    steps += [("GET", f"{base}/review/", None), ("GET", f"{base}/result/", None)]
    recorded = []
    for method, url, data in steps:
        response = client.get(url) if method == "GET" else client.post(url, data)
        recorded.append(
            (
                f"{method} {url} {data}",
                response.status_code,
                headers_of(response),
                without_csrf(response.content),
            )
        )
    return recorded


def put_back(attempt: QuizAttempt) -> None:
    QuizAttempt.objects.filter(pk=attempt.pk).update(answers={}, locked_questions=[])


@pytest.mark.parametrize(
    ("policy", "answer"),
    [
        (FeedbackPolicy.AFTER_SUBMIT, True),
        (FeedbackPolicy.AFTER_PASS, True),
        (FeedbackPolicy.NEVER, True),
        # With feedback after each question an answer is final and shows its feedback at once,
        # by design; everything before that must still be the same.
        (FeedbackPolicy.AFTER_EACH, False),
    ],
)
def test_pages_before_grading_do_not_depend_on_the_correct_flags(
    client, learner, catalogue, policy, answer
):
    quiz = mixed_quiz(policy)
    course = make_course(catalogue, modules=1, quiz=quiz)
    module = course.get_children().get().specific
    block_id = next(b.id for b in module.body if b.block_type == "quiz")
    client.force_login(learner)
    client.get(module.url)  # the first visit records the start; later ones look the same
    client.post(f"/modules/{module.pk}/quiz/{block_id}/")
    attempt = QuizAttempt.objects.get(user=learner)

    as_written = record_journey(
        client, module=module, block_id=block_id, attempt=attempt, answer=answer
    )
    put_back(attempt)
    flip_correct_flags(attempt)
    attempt.refresh_from_db()
    flipped = record_journey(
        client, module=module, block_id=block_id, attempt=attempt, answer=answer
    )

    assert len(as_written) == len(flipped)
    statuses = {status for _label, status, _h, _b in as_written}
    assert {200, 302, 400} <= statuses, "the journey must include pages, saves and errors"
    for (label, status, headers, body), (_l, status2, headers2, body2) in zip(
        as_written, flipped, strict=True
    ):
        assert body == body2, f"{label}: the response depends on which choices are correct"
        assert (status, headers) == (status2, headers2), label
    attempt.refresh_from_db()
    assert attempt.submitted_at is None
    if answer:
        assert len(attempt.answers) == 4
