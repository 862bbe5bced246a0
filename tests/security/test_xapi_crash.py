"""xAPI statements when the sending worker is killed mid-batch: nothing lost, nothing doubled.

The sender keeps its batch locked (`FOR UPDATE SKIP LOCKED`) while it posts it. A worker
killed while the LRS holds its request has its transaction rolled back by PostgreSQL: the batch
is due again, another worker sends it again, and the LRS, which already stored it, keeps one
statement per id. Two workers running at once never take the same statements.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from learning_records.models import Statement, Status
from progress import services as progress
from tests.factories import UserFactory, make_course
from tests.helpers import require_postgres, wait_for
from tests.learning_records.lrs import LRSServer

ROOT = Path(__file__).resolve().parents[2]
WORKER = ROOT / "tests" / "security" / "xapi_worker.py"


def _database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _worker(env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(WORKER)],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_batch_loses_and_doubles_nothing(catalogue, tmp_path, settings):
    require_postgres()
    course = make_course(catalogue, title="Kurs", modules=1)
    module = course.get_children().live().first().specific
    for number in range(10):  # launched, progressed, completed each: 30 statements
        learner = UserFactory(username=f"crash{number}")
        progress.module_start(user=learner, module=module)
        progress.module_complete(user=learner, module=module)
    ids = {str(pk) for pk in Statement.objects.values_list("pk", flat=True)}
    assert len(ids) == 30

    with LRSServer() as lrs:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_"))}
        env.update(
            DJANGO_SETTINGS_MODULE="lms.settings.test",
            DATABASE_URL=_database_url(),
            LRS_ENDPOINT=lrs.url,
            LRS_KEY="lrs-key",
            LRS_SECRET="lrs-secret",
            LRS_BATCH_SIZE="5",
            LRS_TIMEOUT="120",
            PYTHONUNBUFFERED="1",
        )
        # The LRS stores the second batch, then holds the answer: the worker dies waiting.
        lrs.stall_on_post = 2
        doomed = _worker(env, tmp_path / "doomed.log")
        try:
            assert wait_for(lambda: lrs.posts >= 2 and lrs.stalling, 60), (
                tmp_path / "doomed.log"
            ).read_text()
            os.kill(doomed.pid, signal.SIGKILL)
            doomed.wait(10)
        finally:
            if doomed.poll() is None:
                doomed.kill()
        stored_before = set(lrs.statements)
        assert len(stored_before) == 10, "the LRS has the first batch and the stalled one"
        # The killed worker's batch is due again (its transaction was rolled back).
        assert wait_for(lambda: Statement.objects.filter(status=Status.SENT).count() == 5, 30)
        assert Statement.objects.filter(status=Status.PENDING).count() == 25

        # Two workers at once finish the outbox.
        lrs.stall_on_post = 0
        survivors = [_worker(env, tmp_path / f"survivor{n}.log") for n in range(2)]
        for survivor in survivors:
            assert survivor.wait(120) == 0, (tmp_path / "survivor0.log").read_text()

    assert set(Statement.objects.values_list("status", flat=True)) == {Status.SENT}
    assert set(lrs.statements) == ids  # every statement, once per id
    resent = [i for i in set(lrs.received) if lrs.received.count(i) > 1]
    # Only the killed worker's batch went twice (harmless at the LRS); the survivors never
    # took the same statements.
    assert len(lrs.received) == 35 and len(resent) == 5
    assert set(resent) <= stored_before
