"""Reminder emails when a worker dies or the mail server fails: never two, never lost.

The sender claims one email at a time (`SELECT … FOR UPDATE SKIP LOCKED`), commits it as
`sending` just before handing it to the mail server and marks it `sent` after. So:

- a worker killed before that commit leaves the email waiting (the database rolls back);
- a worker killed during the handover leaves that one email `sending`, which the next run's
  recovery marks *in doubt* once the worker is gone, never resent;
- everything else is sent, once, by the workers that live.
"""

from __future__ import annotations

import datetime
import importlib
import json
import os
import re
import signal
import socketserver
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest
from billiard.exceptions import SoftTimeLimitExceeded
from django.core import mail
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection
from django.db.models.functions import Now
from django.utils import timezone

from reminders import calendar, emails, services, tasks
from reminders.models import Delivery, DeliveryStatus
from tests.helpers import require, require_postgres, wait_for
from tests.reminders import conftest as reminder_fixtures
from tests.reminders.conftest import MONDAY, assign, at, make_person

ROOT = Path(__file__).resolve().parents[2]
world = reminder_fixtures.world  # an organisation with courses (tests/reminders/conftest.py)
TUESDAY = MONDAY + datetime.timedelta(days=1)
DAY = datetime.timedelta(days=1)


def plan(world, people: int, today: datetime.date = TUESDAY) -> list:
    """`people` overdue learners, each with one planned email for `today` (in the root unit,
    which has no manager: no Monday summary either)."""
    persons = [make_person(world.root) for _ in range(people)]
    for person in persons:
        assign(person, world.course, today - DAY)
    services.sweep(today=today)
    Delivery.objects.update(day=today)  # whatever weekday `today` is
    assert Delivery.objects.filter(status=DeliveryStatus.PENDING).count() == people
    return persons


def statuses() -> Counter:
    return Counter(Delivery.objects.values_list("status", flat=True))


# The acceptance test: real worker processes, one killed with SIGKILL mid-batch -----------------


def _database_url() -> str:
    """The test database (test_<name>) as a URL, for the worker processes."""
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


class Worker:
    def __init__(self, name: str, queue: str, env: dict, logs: Path) -> None:
        self.log_path = logs / f"{name}.log"
        self._log = self.log_path.open("w")
        self.process = subprocess.Popen(
            [
                *(sys.executable, "-m", "celery", "-A", "lms", "worker", "-l", "info"),
                *("-P", "solo", "-Q", queue, "-n", f"{name}@%h"),
                *("--without-heartbeat", "--without-gossip", "--without-mingle"),
                *("-I", "tests.security.reminder_worker"),
            ],
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        self.pid = self.process.pid

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text()

    def finished_runs(self) -> int:
        return len(re.findall(r"Task reminders\.send_due\[[^\]]+\] succeeded", self.log()))

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(30)
        self._log.close()


def _forget_queue(redis_url: str, queue: str) -> None:
    """Remove the test's queue, its bindings and the killed worker's unacknowledged message
    (Kombu would put it back into the queue after the visibility timeout)."""
    import redis

    client = redis.Redis.from_url(redis_url)
    client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
    for tag, raw in client.hgetall("unacked").items():
        try:
            routing_key = json.loads(raw)[2]
        except (ValueError, IndexError):
            continue
        if routing_key == queue:
            client.hdel("unacked", tag)
            client.zrem("unacked_index", tag)


def _sent_files(directory: Path) -> list[Path]:
    return [p for p in directory.glob("sent-*") if not p.name.endswith(".part")]


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_batch_leaves_at_most_one_email_in_doubt(world, tmp_path):
    require_postgres()
    redis_url = os.environ.get("REDIS_URL", "")
    require(redis_url.startswith("redis"), "needs REDIS_URL=redis://…")

    today = calendar.local().date()  # the workers' today (their send window is forced open)
    people = plan(world, 64, today)
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    queue = f"reminders-crash-{uuid.uuid4().hex[:8]}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="tests.security.reminder_worker_settings",
        DATABASE_URL=_database_url(),
        REDIS_URL=redis_url,
        CELERY_BROKER_URL="",
        SLOW_MAIL_DIR=str(outbox),
        SLOW_MAIL_SECONDS="0.2",
        REMINDER_CLAIM_TIMEOUT="1",
        PYTHONUNBUFFERED="1",
    )
    # The doomed worker's fourth handover never ends: it is killed in the middle of it.
    doomed = Worker("doomed", queue, {**env, "SLOW_MAIL_STALL_AFTER": "3"}, tmp_path)
    survivor = Worker("survivor", queue, env, tmp_path)
    try:
        for worker in (doomed, survivor):
            assert wait_for(lambda w=worker: " ready." in w.log(), 90), worker.log()[-3000:]
        for _ in range(2):  # one send run each (solo pool, one task at a time)
            tasks.send_due.apply_async(queue=queue, expires=300)

        def by(worker) -> int:
            return sum(1 for p in _sent_files(outbox) if p.name.startswith(f"sent-{worker.pid}-"))

        # Both are sending; then the doomed one is killed while it hands an email over.
        handing = outbox / f"handing-{doomed.pid}"
        assert wait_for(lambda: by(doomed) == 3 and by(survivor) >= 1 and handing.exists(), 60), (
            doomed.log()[-3000:] + survivor.log()[-3000:]
        )
        os.kill(doomed.pid, signal.SIGKILL)
        doomed.process.wait(10)
        assert statuses()[DeliveryStatus.PENDING] > 0, "the kill should come mid-batch"
        in_hand = handing.read_text()  # the email it was handing over when it died

        # The survivor finishes its run; a second run recovers the dead worker's claim and
        # sends whatever the dead worker's claim kept from the first.
        assert wait_for(lambda: survivor.finished_runs() == 1, 60), survivor.log()[-3000:]
        time.sleep(1.5)  # REMINDER_CLAIM_TIMEOUT
        tasks.send_due.apply_async(queue=queue, expires=300)
        assert wait_for(lambda: survivor.finished_runs() == 2, 60), survivor.log()[-3000:]
    finally:
        doomed.stop()
        survivor.stop()
        _forget_queue(redis_url, queue)

    counts = statuses()
    assert counts[DeliveryStatus.PENDING] == 0 and counts[DeliveryStatus.SENDING] == 0, counts
    # Exactly the one email the killed worker was handing over is in doubt (and was not sent
    # again); every other one was sent exactly once.
    in_doubt = Delivery.objects.select_related("user").get(status=DeliveryStatus.IN_DOUBT)
    assert in_doubt.user.email == in_hand
    assert in_doubt.claimed_by.endswith(f":{doomed.pid}")
    assert "may or may not have arrived" in in_doubt.error
    assert counts == {DeliveryStatus.SENT: len(people) - 1, DeliveryStatus.IN_DOUBT: 1}
    received = Counter(p.read_text() for p in _sent_files(outbox))
    assert received == {p.user.email: 1 for p in people if p.user.email != in_hand}


# A worker dying before the handover: the database gives the email back --------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_worker_dying_while_writing_an_email_leaves_it_waiting(world, monkeypatch):
    require_postgres()
    plan(world, 1)
    writing, release = threading.Event(), threading.Event()
    session: list[int] = []
    errors: list[BaseException] = []
    build = emails.build

    def slow_build(ids, today):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            session.append(cursor.fetchone()[0])
        writing.set()
        release.wait(30)
        return build(ids, today)

    def doomed_worker():
        try:
            services.send_due(now=at(TUESDAY, 9))
        except BaseException as error:  # its connection is killed under it
            errors.append(error)
        finally:
            connection.close()

    monkeypatch.setattr(emails, "build", slow_build)
    thread = threading.Thread(target=doomed_worker)
    thread.start()
    try:
        assert writing.wait(30)
        # Locked, not yet claimed in any committed way: still waiting for everyone else.
        assert statuses() == {DeliveryStatus.PENDING: 1}
        with connection.cursor() as cursor:  # the worker's process dies: its session ends
            cursor.execute("SELECT pg_terminate_backend(%s)", [session[0]])
        assert wait_for(lambda: statuses() == {DeliveryStatus.PENDING: 1}, 10)
    finally:
        release.set()
        thread.join(30)
    assert errors and mail.outbox == []
    monkeypatch.undo()

    result = services.send_due(now=at(TUESDAY, 9, 15))
    assert (result.sent, result.in_doubt, result.recovered) == (1, 0, 0)
    assert len(mail.outbox) == 1
    assert statuses() == {DeliveryStatus.SENT: 1}


# Recovery: only claims whose worker is gone, and only after the timeout -------------------------


def _claim(**fields) -> Delivery:
    delivery = Delivery.objects.first()
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.SENDING, claimed_by="host:1", **fields
    )
    return delivery


def _backend() -> tuple[int, datetime.datetime]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid, backend_start FROM pg_stat_activity WHERE pid = pg_backend_pid()"
        )
        return cursor.fetchone()


@pytest.mark.django_db
def test_a_fresh_claim_is_left_alone_even_when_its_worker_is_gone(world):
    plan(world, 1)
    _claim(claimed_at=timezone.now(), claim_session=None)
    assert services.recover_claims() == 0
    assert statuses() == {DeliveryStatus.SENDING: 1}


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_claim_whose_worker_still_lives_is_left_alone(world, settings):
    require_postgres()
    settings.REMINDER_CLAIM_TIMEOUT = 0
    plan(world, 1)
    pid, _started = _backend()
    _claim(claimed_at=Now(), claim_session=pid)
    assert services.recover_claims() == 0
    assert statuses() == {DeliveryStatus.SENDING: 1}


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_claim_whose_session_has_ended_is_marked_in_doubt(world, settings):
    require_postgres()
    settings.REMINDER_CLAIM_TIMEOUT = 0
    plan(world, 1)
    _claim(claimed_at=timezone.now() - datetime.timedelta(seconds=5), claim_session=2**31 - 1)
    assert services.recover_claims() == 1
    assert statuses() == {DeliveryStatus.IN_DOUBT: 1}


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_session_that_started_after_the_claim_is_not_its_owner(world, settings):
    # PostgreSQL reuses backend pids: a live session with the claim's pid that started after
    # the claim belongs to another process.
    require_postgres()
    settings.REMINDER_CLAIM_TIMEOUT = 0
    plan(world, 1)
    pid, started = _backend()
    _claim(claimed_at=started - datetime.timedelta(seconds=1), claim_session=pid)
    assert services.recover_claims() == 1
    assert statuses() == {DeliveryStatus.IN_DOUBT: 1}


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_claim_older_than_the_task_time_limit_is_recovered_whatever_its_session(
    world, settings, monkeypatch
):
    # A living session that still holds a claim past the send task's hard time limit is not
    # the task that made it (a pooler's shared session, say): nothing may stay `sending`.
    require_postgres()
    settings.REMINDER_CLAIM_TIMEOUT = 0
    monkeypatch.setattr(services, "SEND_TIME_LIMIT", 0)
    plan(world, 1)
    pid, _started = _backend()
    _claim(claimed_at=Now(), claim_session=pid)  # by this session: only the age can decide
    assert services.recover_claims() == 1
    assert statuses() == {DeliveryStatus.IN_DOUBT: 1}


@pytest.mark.django_db
def test_recovery_runs_outside_the_send_window_too(world, settings):
    plan(world, 1)
    old = timezone.now() - datetime.timedelta(seconds=settings.REMINDER_CLAIM_TIMEOUT + 1)
    _claim(claimed_at=old, claim_session=None)
    result = services.send_due(now=at(TUESDAY, 22))
    assert result.window_closed and result.recovered == 1
    assert statuses() == {DeliveryStatus.IN_DOUBT: 1}


# Failures while handing over, in one process -------------------------------------------------


@pytest.mark.django_db
def test_the_worker_that_finishes_after_a_recovery_has_the_last_word(world):
    # If a recovery marked a living worker's email in doubt, what the worker learnt wins.
    plan(world, 1)
    delivery = _claim(claimed_at=timezone.now(), claim_session=None)
    Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.IN_DOUBT)
    claim = services._Claim(delivery_id=delivery.pk, worker="host:1", message=None)
    services._finish(claim, DeliveryStatus.SENT)
    assert statuses() == {DeliveryStatus.SENT: 1}
    services._finish(services._Claim(delivery.pk, "other:2", None), DeliveryStatus.FAILED)
    assert statuses() == {DeliveryStatus.SENT: 1}  # only the worker that claimed it


@pytest.mark.django_db
def test_an_interrupted_handover_marks_that_email_in_doubt_and_the_rest_wait(world, monkeypatch):
    people = plan(world, 3)
    original, calls = EmailMultiAlternatives.send, []

    def send(self, *args, **kwargs):
        calls.append(self.to)
        if len(calls) == 2:
            raise TimeoutError("timed out")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(EmailMultiAlternatives, "send", send)
    result = services.send_due(now=at(TUESDAY, 9))
    assert (result.sent, result.in_doubt) == (1, 1)
    assert statuses() == {
        DeliveryStatus.SENT: 1,
        DeliveryStatus.IN_DOUBT: 1,
        DeliveryStatus.PENDING: 1,
    }
    doubtful = Delivery.objects.get(status=DeliveryStatus.IN_DOUBT)
    assert "TimeoutError" in doubtful.error and doubtful.user.email == calls[1][0]

    assert services.send_due(now=at(TUESDAY, 9, 15)).sent == 1
    recipients = Counter(address for message in mail.outbox for address in message.to)
    assert recipients == {p.user.email: 1 for p in people if p.user.email != calls[1][0]}
    assert len(calls) == 3  # the email in doubt was never handed over again


@pytest.mark.django_db
def test_a_task_stopped_mid_handover_marks_that_email_in_doubt(world, monkeypatch):
    plan(world, 2)

    def stopped(self, *args, **kwargs):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(EmailMultiAlternatives, "send", stopped)
    with pytest.raises(SoftTimeLimitExceeded):
        services.send_due(now=at(TUESDAY, 9))
    assert statuses() == {DeliveryStatus.IN_DOUBT: 1, DeliveryStatus.PENDING: 1}


@pytest.mark.django_db
def test_an_email_that_cannot_be_written_fails_alone_and_is_not_retried(world, monkeypatch):
    plan(world, 3)
    broken = Delivery.objects.order_by("user_id").values_list("pk", flat=True)[1]
    build, attempts = emails.build, []

    def build_or_break(ids, today):
        if ids == [broken]:
            attempts.append(broken)
            raise KeyError("path")
        return build(ids, today)

    monkeypatch.setattr(emails, "build", build_or_break)
    result = services.send_due(now=at(TUESDAY, 9))
    assert (result.sent, result.failed) == (2, 1)
    services.send_due(now=at(TUESDAY, 9, 15))
    assert attempts == [broken]
    failed = Delivery.objects.get(pk=broken)
    assert failed.status == DeliveryStatus.FAILED and "could not be written" in failed.error


# A real SMTP conversation: EMAIL_TIMEOUT bounds a hung mail server ------------------------------


class FakeMailServer(socketserver.ThreadingTCPServer):
    """Just enough SMTP. `hang`: "greeting" (never says hello) or "data" (accepts the message
    but never confirms it, once); `answers`: the next answers to RCPT or to the end of DATA
    (`{"DATA": [b"451 later"]}`), used up one by one; `refuse`: a lasting answer to RCPT for
    some addresses; `limit`: messages per connection, then `over` ("drop": close after the
    last one; "421": answer the next MAIL with 421 and close); the accepted messages'
    recipients in `received`, the connections made in `connections`."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self,
        hang: str | None = None,
        answers: dict | None = None,
        refuse: dict | None = None,
        limit: int | None = None,
        over: str = "drop",
    ) -> None:
        super().__init__(("127.0.0.1", 0), _SMTPHandler)
        self.hang = hang
        self.answers = {key: list(value) for key, value in (answers or {}).items()}
        self.refuse = refuse or {}
        self.limit, self.over, self.connections = limit, over, 0
        self.received: list[str] = []
        self.release = threading.Event()
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def port(self) -> int:
        return self.server_address[1]

    def close(self) -> None:
        self.release.set()
        self.shutdown()
        self.server_close()


class _SMTPHandler(socketserver.StreamRequestHandler):
    def reply(self, line: bytes) -> None:
        self.wfile.write(line + b"\r\n")

    def answer(self, command: str) -> bytes | None:
        queued = self.server.answers.get(command)
        return queued.pop(0) if queued else None

    def handle(self) -> None:
        server = self.server
        if server.hang == "greeting":
            server.release.wait(30)
            return
        server.connections += 1
        self.reply(b"220 test ESMTP")
        recipients: list[str] = []
        accepted = 0
        while line := self.rfile.readline():
            command = line[:4].upper()
            if command in {b"EHLO", b"HELO"}:
                self.reply(b"250 test")
            elif command == b"MAIL":
                if server.limit is not None and accepted >= server.limit:
                    self.reply(b"421 4.7.0 too many messages, closing")
                    return
                if answer := self.answer("MAIL"):
                    self.reply(answer)
                    continue
                recipients = []
                self.reply(b"250 OK")
            elif command == b"RCPT":
                address = line.split(b"<", 1)[1].split(b">", 1)[0].decode()
                if answer := self.answer("RCPT") or server.refuse.get(address):
                    self.reply(answer)
                    continue
                recipients.append(address)
                self.reply(b"250 OK")
            elif command == b"DATA":
                self.reply(b"354 go ahead")
                while self.rfile.readline() not in {b".\r\n", b""}:
                    pass
                if server.hang == "data":
                    server.hang = None
                    server.release.wait(30)
                    return
                if answer := self.answer("DATA"):
                    self.reply(answer)
                    if answer.startswith(b"421"):
                        return
                    continue
                server.received.extend(recipients)
                self.reply(b"250 queued")
                accepted += 1
                if server.over == "drop" and accepted == server.limit:
                    return
            elif command == b"QUIT":
                self.reply(b"221 bye")
                return
            else:
                self.reply(b"250 OK")


@pytest.fixture
def smtp(settings):
    servers: list[FakeMailServer] = []

    def start(hang: str | None = None, answers: dict | None = None, **options) -> FakeMailServer:
        server = FakeMailServer(hang, answers, **options)
        servers.append(server)
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
        settings.EMAIL_USE_TLS, settings.EMAIL_HOST_USER = False, ""
        settings.EMAIL_TIMEOUT = 0.5
        return server

    yield start
    for server in servers:
        server.close()


def test_email_timeout_reaches_the_smtp_connection(settings):
    assert 0 < settings.EMAIL_TIMEOUT <= 60
    backend = get_connection("django.core.mail.backends.smtp.EmailBackend")
    assert backend.timeout == settings.EMAIL_TIMEOUT


@pytest.mark.django_db
def test_a_mail_server_that_never_answers_keeps_the_emails_waiting(world, smtp):
    plan(world, 2)
    smtp("greeting")
    started = time.monotonic()
    result = services.send_due(now=at(TUESDAY, 9))
    assert time.monotonic() - started < 10
    assert (result.sent, result.in_doubt) == (0, 0)
    assert statuses() == {DeliveryStatus.PENDING: 2}


@pytest.mark.django_db
def test_a_mail_server_that_hangs_after_the_message_leaves_one_email_in_doubt(world, smtp):
    people = plan(world, 3)
    server = smtp("data")
    started = time.monotonic()
    result = services.send_due(now=at(TUESDAY, 9))
    assert time.monotonic() - started < 10
    assert (result.sent, result.in_doubt) == (0, 1)
    assert statuses() == {DeliveryStatus.IN_DOUBT: 1, DeliveryStatus.PENDING: 2}
    doubtful = Delivery.objects.get(status=DeliveryStatus.IN_DOUBT)

    assert services.send_due(now=at(TUESDAY, 9, 15)).sent == 2
    assert sorted(server.received) == sorted(
        p.user.email for p in people if p.user_id != doubtful.user_id
    )


@pytest.mark.parametrize(
    "command, answer",
    [
        ("DATA", b"450 4.2.0 mailbox busy"),
        ("DATA", b"451 4.7.1 greylisted, try again later"),
        ("DATA", b"452 4.3.1 insufficient storage"),
        ("RCPT", b"450 4.2.0 greylisted"),
        ("RCPT", b"452 4.2.2 mailbox full"),
    ],
)
@pytest.mark.django_db
def test_a_mail_server_saying_later_for_one_email_keeps_it_waiting_and_sends_the_others(
    world, smtp, command, answer
):
    people = plan(world, 3)
    server = smtp(answers={command: [answer]})
    result = services.send_due(now=at(TUESDAY, 9))
    assert (result.sent, result.failed, result.deferred, result.in_doubt) == (2, 0, 1, 0)
    assert statuses() == {DeliveryStatus.SENT: 2, DeliveryStatus.PENDING: 1}
    deferred = Delivery.objects.get(status=DeliveryStatus.PENDING)
    assert "try again later" in deferred.error and answer.decode()[:3] in deferred.error
    assert (deferred.claimed_at, deferred.claimed_by, deferred.claim_session) == (None, "", None)
    assert deferred.deferred_at is not None

    assert services.send_due(now=at(TUESDAY, 9, 15)).sent == 1
    assert sorted(server.received) == sorted(p.user.email for p in people)
    assert statuses() == {DeliveryStatus.SENT: 3}


@pytest.mark.parametrize(
    "command, answer",
    [("DATA", b"421 4.3.2 shutting down"), ("MAIL", b"451 4.3.0 sender deferred")],
)
@pytest.mark.django_db
def test_a_mail_server_saying_later_to_the_whole_connection_ends_the_run(
    world, smtp, command, answer
):
    people = plan(world, 3)
    server = smtp(answers={command: [answer]})
    result = services.send_due(now=at(TUESDAY, 9))
    assert (result.sent, result.failed, result.deferred, result.in_doubt) == (0, 0, 1, 0)
    assert statuses() == {DeliveryStatus.PENDING: 3}
    waiting = Delivery.objects.exclude(error="").get()
    assert answer.decode()[:3] in waiting.error and waiting.deferred_at is None

    assert services.send_due(now=at(TUESDAY, 9, 15)).sent == 3
    assert sorted(server.received) == sorted(p.user.email for p in people)


@pytest.mark.django_db
def test_a_full_mailbox_does_not_hold_up_the_others_and_waits_behind_them(world, smtp):
    people = sorted(plan(world, 4), key=lambda p: p.user_id)
    full = people[0].user.email  # the first in line
    server = smtp(refuse={full: b"452 4.2.2 mailbox full"})
    result = services.send_due(now=at(TUESDAY, 9))
    assert (result.sent, result.deferred, result.in_doubt) == (3, 1, 0)
    assert sorted(server.received) == sorted(p.user.email for p in people[1:])
    waiting = Delivery.objects.get(status=DeliveryStatus.PENDING)
    assert waiting.user.email == full and "452" in waiting.error

    # In later runs it waits behind the others of the day (here: the same ones, waiting again).
    Delivery.objects.filter(status=DeliveryStatus.SENT).update(status=DeliveryStatus.PENDING)
    order = []
    while claim := services._claim_next(TUESDAY, services.SendResult()):
        order.append(claim.message.to[0])
    assert len(order) == 4 and order[-1] == full


@pytest.mark.parametrize("over", ["drop", "421"])
@pytest.mark.django_db
def test_a_mail_server_taking_few_messages_per_connection_gets_them_all_in_one_run(
    world, smtp, over
):
    people = plan(world, 7)
    server = smtp(limit=3, over=over)
    result = services.send_due(now=at(TUESDAY, 9))
    assert (result.sent, result.failed, result.in_doubt) == (7, 0, 0)
    assert statuses() == {DeliveryStatus.SENT: 7}
    assert sorted(server.received) == sorted(p.user.email for p in people)
    assert server.connections == 3


@pytest.mark.django_db
def test_a_mail_server_saying_no_fails_that_email_and_the_run_goes_on(world, smtp):
    plan(world, 3)
    server = smtp(answers={"DATA": [b"550 5.1.1 no such mailbox"]})
    result = services.send_due(now=at(TUESDAY, 9))
    assert (result.sent, result.failed, result.deferred) == (2, 1, 0)
    assert "550" in Delivery.objects.get(status=DeliveryStatus.FAILED).error
    assert services.send_due(now=at(TUESDAY, 9, 15)).sent == 0
    assert len(server.received) == 2


@pytest.mark.django_db
def test_a_malformed_address_fails_that_email_alone_before_the_mail_server(world, smtp):
    people = plan(world, 3)
    broken = sorted(people, key=lambda p: p.user_id)[1].user
    broken.email = "anna@@example.se"
    broken.save(update_fields=["email"])
    server = smtp()
    result = services.send_due(now=at(TUESDAY, 9))
    assert (result.sent, result.failed, result.in_doubt) == (2, 1, 0)
    failed = Delivery.objects.get(status=DeliveryStatus.FAILED)
    assert failed.user_id == broken.pk
    assert "could not be written" in failed.error and "Invalid address" in failed.error
    assert statuses() == {DeliveryStatus.SENT: 2, DeliveryStatus.FAILED: 1}
    assert "anna@@example.se" not in server.received and len(server.received) == 2


@pytest.mark.django_db
def test_a_database_error_while_writing_fails_that_email_and_the_run_goes_on(world, monkeypatch):
    # On PostgreSQL a failed query aborts the transaction: without a savepoint around the
    # writing, recording the failure raised too and the email blocked the queue every run.
    plan(world, 3)
    broken = Delivery.objects.order_by("user_id").values_list("pk", flat=True)[1]
    build, attempts = emails.build, []

    def build_or_fail_in_the_database(ids, today):
        if ids == [broken]:
            attempts.append(broken)
            with connection.cursor() as cursor:
                cursor.execute("SELECT * FROM reminders_no_such_table")
        return build(ids, today)

    monkeypatch.setattr(emails, "build", build_or_fail_in_the_database)
    result = services.send_due(now=at(TUESDAY, 9))
    assert (result.sent, result.failed) == (2, 1)
    services.send_due(now=at(TUESDAY, 9, 15))
    assert attempts == [broken]
    failed = Delivery.objects.get(pk=broken)
    assert failed.status == DeliveryStatus.FAILED and "could not be written" in failed.error


# Settings and the report -------------------------------------------------------------------------


def test_the_send_task_has_time_limits_that_bound_a_claim():
    assert services.SEND_RUN_SECONDS < tasks.send_due.soft_time_limit < tasks.send_due.time_limit
    assert tasks.send_due.time_limit == services.SEND_TIME_LIMIT
    assert tasks.send_due.time_limit < 15 * 60  # ended before beat's next run
    assert tasks.sweep.soft_time_limit < tasks.sweep.time_limit


@pytest.mark.django_db
def test_emails_the_old_sender_failed_as_interrupted_are_now_in_doubt(world):
    from django.apps import apps

    migration = importlib.import_module("reminders.migrations.0003_delivery_claim_owner_in_doubt")
    plan(world, 2)
    interrupted, refused = Delivery.objects.order_by("pk")
    Delivery.objects.filter(pk=interrupted.pk).update(
        status=DeliveryStatus.FAILED, error=migration.OLD_NOTE
    )
    Delivery.objects.filter(pk=refused.pk).update(status=DeliveryStatus.FAILED, error="550 no")
    migration.mark_interrupted_in_doubt(apps, None)
    interrupted.refresh_from_db()
    assert interrupted.status == DeliveryStatus.IN_DOUBT and interrupted.error == services.IN_DOUBT
    assert Delivery.objects.get(pk=refused.pk).status == DeliveryStatus.FAILED


@pytest.mark.django_db
def test_hr_sees_an_email_in_doubt_in_swedish(client, world, settings):
    from django.contrib.auth.models import Group

    from people.models import HRScope
    from tests.factories import UserFactory

    plan(world, 1)
    old = timezone.now() - datetime.timedelta(seconds=settings.REMINDER_CLAIM_TIMEOUT + 1)
    _claim(claimed_at=old, claim_session=None)
    services.recover_claims()
    hr = UserFactory(username="hr-osaker")
    hr.groups.add(Group.objects.get(name="HR"))
    HRScope.objects.create(user=hr, unit=world.root)
    client.force_login(hr)
    html = client.get("/admin/sent-reminders/", {"status": "in_doubt"}).content.decode()
    assert "Oklart om det kom fram" in html
    assert "det kan ha kommit fram eller inte" in html
