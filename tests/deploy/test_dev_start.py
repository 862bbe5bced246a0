"""`python3.11 dev.py start` stops everything it started on SIGTERM and SIGHUP, as on Ctrl-C.

The demo runs on its own SQLite database, broker and media in a temporary folder, with the
virtualenv that runs the tests (so nothing is installed). Before the signal the test notes every
process descended from `dev.py` (web server, Celery worker and its pool processes, beat); after
it, none of them may be left.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.helpers import require

ROOT = Path(__file__).resolve().parents[2]


def _stat(pid: int) -> tuple[str, int, int] | None:
    """(state, parent pid, start time) of a process, from /proc; None when it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = raw[raw.rindex(")") + 2 :].split()  # after "pid (name) "
    return fields[0], int(fields[1]), int(fields[19])


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def descendants(root: int) -> dict[int, int]:
    """Every living process below `root`: pid → start time (to tell a reused pid apart)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (stat := _stat(int(entry))) and stat[0] != "Z":
            children.setdefault(stat[1], []).append(int(entry))
    found, todo = {}, [root]
    while todo:
        for child in children.get(todo.pop(), []):
            if (stat := _stat(child)) is not None:
                found[child] = stat[2]
                todo.append(child)
    return found


def still_running(processes: dict[int, int]) -> dict[int, str]:
    left = {}
    for pid, started in processes.items():
        stat = _stat(pid)
        if stat is not None and stat[0] != "Z" and stat[2] == started:
            left[pid] = _cmdline(pid)
    return left


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5):
            return True
    except urllib.error.HTTPError:
        return True  # 503 while the heartbeat has not gone round yet: the server answers
    except OSError:
        return False


@pytest.fixture(scope="module")
def start_env(tmp_path_factory):
    require(sys.platform.startswith("linux"), "needs Linux (/proc)")
    sys.path.insert(0, str(ROOT))
    import dev

    stamp = Path(sys.prefix) / ".lms-installed"
    require(
        stamp.exists() and stamp.read_text() == dev.install_digest(dev.requirements(True)),
        f"needs a virtualenv installed by dev.py ({stamp}), so that `start` installs nothing",
    )
    data = tmp_path_factory.mktemp("dev-start")
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "PYTEST", "DATABASE_URL", "REDIS_URL", "CELERY_"))
    }
    env.update(
        LMS_VENV=sys.prefix,
        LMS_DATA_DIR=str(data / "var"),
        MEDIA_ROOT=str(data / "media"),
        HOST="127.0.0.1",
    )
    return env


@pytest.mark.parametrize("signame", ["SIGTERM", "SIGHUP"])
def test_dev_start_stops_web_worker_and_beat_on(signame, start_env, tmp_path):
    port = _free_port()
    log_path = tmp_path / "start.log"
    with log_path.open("w") as log:
        start = subprocess.Popen(
            [sys.executable, "dev.py", "start"],
            cwd=ROOT,
            env={**start_env, "PORT": str(port)},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    seen: dict[int, int] = {}

    def log() -> str:
        return log_path.read_text()[-4000:]

    try:
        # Up: the web server answers, the worker has its two pool processes, beat runs.
        deadline = time.monotonic() + 300  # the first run migrates and loads the demo
        while True:
            assert start.poll() is None, "dev.py start exited:\n" + log()
            assert time.monotonic() < deadline, "dev.py start did not come up:\n" + log()
            seen.update(descendants(start.pid))
            worker = [p for p in seen if " worker " in _cmdline(p) and "celery" in _cmdline(p)]
            pool = [p for p in seen if (s := _stat(p)) and worker and s[1] in worker]
            beat = [p for p in seen if " beat " in _cmdline(p)]
            announced = "Normkritik LMS runs at" in log()
            if len(pool) >= 2 and beat and announced:
                break
            time.sleep(1)
        assert _answers(f"http://127.0.0.1:{port}/health/")
        seen.update(descendants(start.pid))

        os.kill(start.pid, getattr(signal, signame))
        start.wait(timeout=60)
        deadline = time.monotonic() + 10
        while still_running(seen) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert still_running(seen) == {}, log()
        assert not _answers(f"http://127.0.0.1:{port}/health/")
        assert f"Stopping ({signame})" in log()
        assert start.returncode == 0, log()
    finally:
        if start.poll() is None:
            start.kill()
            start.wait()
        for pid in still_running(seen):
            os.kill(pid, signal.SIGKILL)


def test_first_install_says_what_it_does_and_how_long_it_takes(tmp_path):
    # A stand-in for the venv's python records the pip command instead of downloading.
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    calls = tmp_path / "calls"
    python = venv / "bin" / "python"
    python.write_text(f'#!/bin/sh\necho "$@" >> {calls}\n')
    python.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    result = subprocess.run(
        [sys.executable, "dev.py", "install"],
        cwd=ROOT,
        env={**env, "LMS_VENV": str(venv)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "the first time this downloads them and takes about 2 minutes" in result.stdout
    assert "Dependencies installed in" in result.stdout
    pip = calls.read_text()
    assert pip.startswith("-m pip install") and "--quiet" not in pip  # pip shows its progress
    # Installed once: the next start says nothing about it and runs no pip.
    again = subprocess.run(
        [sys.executable, "dev.py", "install"],
        cwd=ROOT,
        env={**env, "LMS_VENV": str(venv)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert again.returncode == 0 and "Installing" not in again.stdout
    assert calls.read_text() == pip
