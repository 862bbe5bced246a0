"""Learning events become xAPI statements in the outbox with the event, and reach the LRS
exactly once, also when it fails first."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.management import call_command
from django.db import transaction

from learning_records import services, statements
from learning_records.models import Statement, Status
from progress import services as progress
from quizzes import services as quiz_services
from tests.factories import answer_quiz, make_course, make_quiz
from tests.learning_records.lrs import LRSServer

pytestmark = pytest.mark.django_db
ADL = "http://adlnet.gov/expapi/verbs/"


@pytest.fixture
def lrs(settings):
    with LRSServer() as server:
        settings.LRS_ENDPOINT = server.url
        settings.LRS_KEY, settings.LRS_SECRET = "lrs-key", "lrs-secret"
        settings.LRS_BACKOFF_SECONDS = 0
        settings.XAPI_HOME_PAGE = "https://lms.kommun.example"
        yield server


def complete_course(catalogue, learner):
    course = make_course(catalogue, title="Jämställdhet i praktiken", modules=1)
    module = course.get_children().live().first().specific
    progress.module_start(user=learner, module=module)
    progress.module_complete(user=learner, module=module)
    return course, module


def test_completing_a_course_sends_the_expected_statements_once(catalogue, learner, lrs):
    course, module = complete_course(catalogue, learner)
    assert services.send_pending().sent == 3
    assert services.send_pending().sent == 0
    assert sorted(lrs.received) == sorted(lrs.statements) and len(lrs.statements) == 3
    by_verb = {s["verb"]["id"]: s for s in lrs.statements.values()}
    assert set(by_verb) == {ADL + "launched", ADL + "progressed", ADL + "completed"}
    home = "https://lms.kommun.example"
    course_id = f"{home}/api/v1/courses/{course.pk}"
    assert by_verb[ADL + "completed"]["object"]["id"] == course_id
    assert by_verb[ADL + "launched"]["object"]["id"] == f"{course_id}/modules/{module.pk}"
    assert by_verb[ADL + "progressed"]["context"]["contextActivities"]["parent"][0]["id"] == (
        course_id
    )
    for statement in lrs.statements.values():
        assert statement["version"] == "1.0.3"
        account = statement["actor"]["account"]
        assert account == {"homePage": home, "name": statements.actor_name(learner.pk)}
        assert "mbox" not in statement["actor"]
        text = json.dumps(statement)
        assert learner.email not in text and learner.username not in text
        assert statement["timestamp"].endswith("Z")
    assert all(h["X-Experience-API-Version"] == "1.0.3" for h in lrs.headers)
    assert set(Statement.objects.values_list("status", flat=True)) == {Status.SENT}


def test_the_lrs_failing_twice_first_still_gets_each_statement_once(catalogue, learner, lrs):
    complete_course(catalogue, learner)
    lrs.fail_next = 2
    first = services.send_pending()
    assert (first.sent, first.postponed) == (0, 3)
    row = Statement.objects.first()
    assert row.status == Status.PENDING and row.attempts == 1 and "503" in row.last_error
    services.send_pending()
    assert services.send_pending().sent == 3
    assert lrs.posts == 3
    assert len(lrs.received) == len(lrs.statements) == 3
    assert set(Statement.objects.values_list("status", "attempts")) == {(Status.SENT, 3)}


def test_backoff_grows_and_waits(catalogue, learner, lrs, settings):
    settings.LRS_BACKOFF_SECONDS = 30
    complete_course(catalogue, learner)
    lrs.fail_next = 5
    services.send_pending()
    services.send_pending()  # not due yet: nothing posted
    assert lrs.posts == 1
    row = Statement.objects.first()
    assert 25 <= (row.next_attempt_at - row.created_at).total_seconds() <= 35 + 5
    assert services.backoff(3) == datetime.timedelta(seconds=120)
    settings.LRS_BACKOFF_MAX_SECONDS = 100
    assert services.backoff(10) == datetime.timedelta(seconds=100)


def test_a_refusal_marks_the_batch_failed_and_it_can_be_retried(catalogue, learner, lrs, settings):
    complete_course(catalogue, learner)
    settings.LRS_SECRET = "wrong"
    assert services.send_pending().failed == 3
    assert set(Statement.objects.values_list("status", flat=True)) == {Status.FAILED}
    assert "401" in Statement.objects.first().last_error
    settings.LRS_SECRET = "lrs-secret"
    assert services.retry_failed() == 3
    assert services.send_pending().sent == 3


def test_nothing_is_sent_without_an_lrs_but_statements_are_kept(catalogue, learner, settings):
    settings.LRS_ENDPOINT = ""
    complete_course(catalogue, learner)
    assert services.send_pending().sent == 0
    assert Statement.objects.filter(status=Status.PENDING).count() == 3


def test_the_statement_is_undone_with_the_event(catalogue, learner):
    course = make_course(catalogue, modules=1)
    module = course.get_children().live().first().specific
    with pytest.raises(RuntimeError), transaction.atomic():
        progress.module_start(user=learner, module=module)
        assert Statement.objects.count() == 1
        raise RuntimeError("the learner's request failed")
    assert Statement.objects.count() == 0


@pytest.mark.parametrize("right, verb", [(True, "passed"), (False, "failed")])
def test_graded_quizzes_are_passed_or_failed(catalogue, learner, lrs, right, verb):
    quiz = make_quiz(questions=2)
    course = make_course(catalogue, modules=1, quiz=quiz)
    module = course.get_children().live().first().specific
    attempt = quiz_services.quiz_attempt_start(user=learner, quiz=quiz, module_id=module.pk)
    answer_quiz(learner, attempt, right=right)
    quiz_services.quiz_attempt_submit(user=learner, attempt_id=attempt.pk)
    statement = Statement.objects.get(verb=verb).statement
    assert statement["verb"]["id"] == ADL + verb
    assert statement["object"]["id"].endswith(f"/modules/{module.pk}/quizzes/{quiz.pk}")
    assert statement["result"]["success"] is right
    assert statement["result"]["score"]["scaled"] == (1.0 if right else 0.0)


def test_export_writes_the_statements_of_the_days_as_json(catalogue, learner, tmp_path):
    complete_course(catalogue, learner)
    today = datetime.date.today()
    out = tmp_path / "statements.json"
    call_command(
        "export_statements",
        "--from",
        (today - datetime.timedelta(days=1)).isoformat(),
        "--to",
        (today + datetime.timedelta(days=1)).isoformat(),
        "--output",
        str(out),
    )
    data = json.loads(out.read_text())
    assert len(data) == 3 and {s["id"] for s in data} == {
        str(pk) for pk in Statement.objects.values_list("pk", flat=True)
    }
    empty = tmp_path / "none.json"
    call_command(
        "export_statements", "--from", "2001-01-01", "--to", "2001-01-31", "-o", str(empty)
    )
    assert json.loads(empty.read_text()) == []


def test_the_outbox_page_is_for_administrators(client, catalogue, learner):
    from django.contrib.auth import get_user_model

    complete_course(catalogue, learner)
    admin = get_user_model().objects.create_superuser("root", "root@example.org", "x-Pass-12345")
    client.force_login(admin)
    page = client.get("/admin/xapi-outbox/")
    assert page.status_code == 200 and "progressed" in page.content.decode()
    client.force_login(learner)
    assert client.get("/admin/xapi-outbox/").status_code == 302


def test_a_bad_or_already_stored_statement_does_not_fail_its_batch(catalogue, learner, lrs):
    complete_course(catalogue, learner)
    bad, stored, good = [
        str(pk) for pk in Statement.objects.order_by("created_at").values_list("pk", flat=True)
    ]
    lrs.reject_ids = {bad}
    # An earlier send we never heard back from stored a version of this one: the batch gets 409.
    lrs.statements[stored] = {**Statement.objects.get(pk=stored).statement, "stored": "before"}
    report = services.send_pending()
    assert (report.sent, report.failed) == (2, 1)
    assert sorted(lrs.puts) == sorted([bad, stored, good])
    states = dict(Statement.objects.values_list("pk", "status"))
    assert {str(k): v for k, v in states.items()} == {
        bad: Status.FAILED,
        stored: Status.SENT,
        good: Status.SENT,
    }
    assert "400" in Statement.objects.get(pk=bad).last_error
    assert good in lrs.statements


def test_each_statement_counts_its_own_attempts(catalogue, learner, lrs, settings):
    settings.LRS_MAX_ATTEMPTS = 3
    complete_course(catalogue, learner)
    old, *new = Statement.objects.order_by("created_at")
    Statement.objects.filter(pk=old.pk).update(attempts=2)
    lrs.fail_next = 1
    report = services.send_pending()
    assert (report.postponed, report.failed) == (2, 1)
    assert Statement.objects.get(pk=old.pk).status == Status.FAILED
    assert Statement.objects.get(pk=old.pk).attempts == 3
    for row in Statement.objects.filter(pk__in=[s.pk for s in new]):
        assert (row.status, row.attempts) == (Status.PENDING, 1)


def test_the_send_after_an_event_expires_when_no_worker_takes_it(catalogue, learner, lrs):
    from unittest import mock

    from learning_records.tasks import send_statements

    with (
        mock.patch.object(send_statements, "apply_async") as send,
        mock.patch.object(transaction, "on_commit", lambda func, robust=False: func()),
    ):
        complete_course(catalogue, learner)
    assert send.call_count == 3
    assert all(call.kwargs == {"expires": 60} for call in send.call_args_list)
