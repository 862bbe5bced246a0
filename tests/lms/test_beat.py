"""Two real `celery beat` processes on one schedule: one sends each tick once, the other waits.

The beats run as subprocesses against the test database (PostgreSQL, or a copy of the SQLite
test database) and the configured broker (Redis, or a filesystem broker of their own). A
schedule row sends a probe task every INTERVAL seconds to a queue of its own that no worker
reads; the test takes the messages off that queue and reads who sent them from the message's
`origin` header (`gen<pid>@host`).
"""

from __future__ import annotations

import itertools
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.db import connection

from lms.beat import ADVISORY_LOCK_KEY, APPLICATION_NAME, FileBeatLock

ROOT = Path(__file__).resolve().parents[2]
INTERVAL = 2  # seconds between two sends of the probe
PROBE_TASK = "tests.beat_probe"  # not a registered task: beat publishes it by name


class Beats:
    """The beat processes, the probe queue and the lock, for one test."""

    def __init__(self, tmp_path: Path, queue: str) -> None:
        self.tmp_path = tmp_path
        self.queue = queue
        self.processes: dict[int, subprocess.Popen] = {}
        self.killed: set[int] = set()
        # Every probe message taken off the queue: (arrival time, sender's pid).
        self.received: list[tuple[float, int]] = []
        self.logs: dict[int, Path] = {}
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
        self.env.update(
            DJANGO_SETTINGS_MODULE="lms.settings.test",
            LMS_DATA_DIR=str(tmp_path / "var"),
            PYTHONUNBUFFERED="1",
            CELERY_BROKER_URL="",
        )
        self.postgres = connection.vendor == "postgresql"
        if self.postgres:
            # The test database itself (the test commits: transactional_db).
            url = urlsplit(os.environ["DATABASE_URL"])
            name = connection.settings_dict["NAME"]
            self.env["DATABASE_URL"] = urlunsplit(url._replace(path=f"/{name}"))
        else:
            # The SQLite test database lives in memory: the beats get a file copy of it.
            path = tmp_path / "db.sqlite3"
            connection.ensure_connection()
            target = sqlite3.connect(path)
            connection.connection.backup(target)
            target.close()
            self.env["DATABASE_URL"] = f"sqlite:///{path}"
            self.lock_path = Path(f"{path}.beat-lock")
        self.redis = settings.CELERY_BROKER_URL.startswith("redis")
        if self.redis:
            self.env["REDIS_URL"] = settings.CELERY_BROKER_URL
            self.broker = (settings.CELERY_BROKER_URL, {})
        else:
            self.env["REDIS_URL"] = ""
            folder = tmp_path / "var" / "broker" / "queue"
            folder.mkdir(parents=True)
            self.broker = (
                "filesystem://",
                {"data_folder_in": str(folder), "data_folder_out": str(folder)},
            )

    def start(self) -> int:
        log = self.tmp_path / f"beat-{len(self.logs)}.log"
        command = [sys.executable, "-m", "celery", "-A", "lms", "beat", "-l", "info"]
        process = subprocess.Popen(
            [*command, "--max-interval", "1"],
            cwd=ROOT,
            env=self.env,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
        )
        self.processes[process.pid] = process
        self.logs[process.pid] = log
        return process.pid

    def log(self) -> str:
        return "\n".join(
            f"--- beat {pid}:\n{path.read_text()[-2500:]}" for pid, path in self.logs.items()
        )

    def collect(self, seconds: float) -> list[tuple[float, int]]:
        """Take the probe messages off the queue for `seconds`: (arrival time, sender's pid)."""
        from kombu import Connection

        url, options = self.broker
        received = []
        deadline = time.monotonic() + seconds
        with Connection(url, transport_options=options) as conn:
            channel = conn.default_channel
            while time.monotonic() < deadline:
                message = channel.basic_get(self.queue, no_ack=True)
                if message is None:
                    time.sleep(0.1)
                    continue
                assert message.headers["task"] == PROBE_TASK
                origin = message.headers["origin"]  # "gen<pid>@<host>"
                received.append((time.monotonic(), int(origin[3:].split("@")[0])))
        self.received += received
        return received

    def wait_for_message(self, seconds: float, *, sender: int | None = None) -> int:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            for _, pid in self.collect(0.5):
                if sender is None or pid == sender:
                    return pid
            for pid, process in self.processes.items():
                if pid not in self.killed:
                    assert process.poll() is None, f"beat {pid} exited:\n{self.log()}"
        pytest.fail(f"no probe message within {seconds} s:\n{self.log()}")

    def kill(self, pid: int) -> None:
        self.killed.add(pid)
        os.kill(pid, signal.SIGKILL)
        self.processes[pid].wait(timeout=10)

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.kill()
            process.wait(timeout=10)


@pytest.fixture
def beats(transactional_db, tmp_path):
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    queue = f"beat-probe-{uuid.uuid4().hex}"
    PeriodicTask.objects.update(enabled=False)  # only the probe is due
    PeriodicTask.objects.create(
        name="Beat probe",
        task=PROBE_TASK,
        interval=IntervalSchedule.objects.create(every=INTERVAL, period="seconds"),
        queue=queue,
    )
    beats = Beats(tmp_path, queue)
    yield beats
    beats.stop()


def assert_once_per_tick(messages: list[tuple[float, int]], seconds: float, log: str) -> None:
    ticks = seconds / INTERVAL
    senders = {pid for _, pid in messages}
    assert len(senders) == 1, f"sent by {len(senders)} beats: {messages}\n{log}"
    assert ticks - 1.5 <= len(messages) <= ticks + 1, (
        f"{len(messages)} messages in {seconds} s, one every {INTERVAL} s expected\n{log}"
    )
    assert_no_tick_twice(messages, log)


def assert_no_tick_twice(messages: list[tuple[float, int]], log: str) -> None:
    gaps = [round(b[0] - a[0], 2) for a, b in itertools.pairwise(messages)]
    assert all(gap > INTERVAL / 2 for gap in gaps), f"a tick was sent twice: {gaps}\n{log}"


class StolenLock:
    """Take the beat lock away from whichever beat holds it, and keep it until released."""

    def __init__(self, beats: Beats) -> None:
        self.beats = beats
        self._connection = None
        self._file_lock = None

    def take(self) -> None:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self._try_take():
                return
            time.sleep(0.2)
        pytest.fail("the test could not take the beat lock away")

    def _try_take(self) -> bool:
        if self.beats.postgres:
            import psycopg

            if self._connection is None:
                self._connection = psycopg.connect(self.beats.env["DATABASE_URL"], autocommit=True)
            # Cut the holder's lock connection (as a network failure or restart would) ...
            self._connection.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' "
                "AND classid = %s AND objid = %s AND pid <> pg_backend_pid()",
                ADVISORY_LOCK_KEY,
            )
            # ... and take the lock before a beat takes it back.
            row = self._connection.execute(
                "SELECT pg_try_advisory_lock(%s, %s)", ADVISORY_LOCK_KEY
            ).fetchone()
            return row[0]
        # SQLite: replace the lock file with one that the test has locked.
        path = self.beats.lock_path
        replacement = FileBeatLock(path.with_name(path.name + ".new"))
        assert replacement.hold()
        os.replace(replacement.path, path)
        replacement.path = path
        self._file_lock = replacement
        return True

    def release(self) -> None:
        if self._connection is not None:
            self._connection.close()
        if self._file_lock is not None:
            self._file_lock.release()


def test_two_beats_send_each_tick_once_and_the_second_takes_over(beats):

    first, second = beats.start(), beats.start()
    beats.wait_for_message(45)

    # Both beats run; one sends, every tick, once.
    messages = beats.collect(10)
    assert_once_per_tick(messages, 10, beats.log())
    holder = messages[-1][1]
    assert holder in (first, second)

    # The holder loses its lock: it stops sending until it holds the lock again.
    stolen = StolenLock(beats)
    stolen.take()
    beats.collect(1.5)  # a message already on its way
    assert beats.collect(5) == [], "a beat sent without holding the lock\n" + beats.log()
    stolen.release()
    holder = beats.wait_for_message(10)

    # The holder dies: the other one takes over, and it too sends each tick once.
    beats.kill(holder)
    survivor = second if holder == first else first
    beats.wait_for_message(15, sender=survivor)
    messages = beats.collect(8)
    assert_once_per_tick(messages, 8, beats.log())
    assert messages[0][1] == survivor

    log = beats.log()
    # From the first message to the last, including the start and both changes of holder.
    assert_no_tick_twice(beats.received, log)
    assert "this one waits and takes over when it is gone" in log
    assert "Beat lost the" in log


# In one process: the locks and the scheduler, on the configured database and broker.


def make_lock(tmp_path: Path):
    from lms.beat import PostgresBeatLock

    if connection.vendor == "postgresql":
        return PostgresBeatLock()
    return FileBeatLock(tmp_path / "db.sqlite3.beat-lock")


def test_beat_lock_is_held_by_one_and_passes_on_when_released(transactional_db, tmp_path):
    first, second = make_lock(tmp_path), make_lock(tmp_path)
    try:
        assert first.hold()
        assert first.hold()  # still held, not taken twice
        assert not second.hold()
        first.release()
        assert second.hold()
        assert not first.hold()
    finally:
        first.release()
        second.release()


def test_beat_lock_lost_when_its_connection_is_cut_or_its_file_replaced(transactional_db, tmp_path):
    lock, other = make_lock(tmp_path), make_lock(tmp_path)
    try:
        assert lock.hold()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE application_name = %s AND datname = current_database()",
                    [APPLICATION_NAME],
                )
        else:
            lock.path.unlink()
        assert other.hold()  # the lock is free for another beat ...
        assert not lock.hold()  # ... and the first one knows that it lost it
        other.release()
        assert lock.hold()  # and takes it again once it is free
    finally:
        lock.release()
        other.release()


def _probe(queue: str, *, last_run_ago: int):
    from django.utils import timezone
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    PeriodicTask.objects.update(enabled=False)
    return PeriodicTask.objects.create(
        name="Beat probe",
        task=PROBE_TASK,
        interval=IntervalSchedule.objects.create(every=60, period="seconds"),
        queue=queue,
        last_run_at=timezone.now() - timezone.timedelta(seconds=last_run_ago),
    )


def _drain(queue: str) -> int:
    from lms.celery import app

    count = 0
    with app.connection_for_read() as conn:
        while conn.default_channel.basic_get(queue, no_ack=True) is not None:
            count += 1
    return count


def test_schedule_change_before_the_first_send_does_not_send_twice(transactional_db):
    from django.utils import timezone
    from django_celery_beat.models import PeriodicTask, PeriodicTasks

    from lms.beat import LockedDatabaseScheduler
    from lms.celery import app

    queue = f"beat-probe-{uuid.uuid4().hex}"
    _probe(queue, last_run_ago=120)
    scheduler = LockedDatabaseScheduler(app=app, max_interval=1)
    try:
        # Another beat starting, or an editor saving a schedule, between start and first send.
        PeriodicTasks.update_changed()
        for _ in range(4):
            scheduler.tick()
    finally:
        scheduler.close()
    assert _drain(queue) == 1
    recent = timezone.now() - timezone.timedelta(seconds=30)
    # The send is in the schedule that the heap is rebuilt from after a change ...
    assert scheduler._schedule["Beat probe"].last_run_at >= recent
    # ... and in the database, where a beat taking over reads it.
    assert PeriodicTask.objects.get(name="Beat probe").last_run_at >= recent
