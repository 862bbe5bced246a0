#!/usr/bin/env python3
"""The two commands of the README.

    python3 dev.py start   set up everything and run the demo (web, Celery worker and beat)
    python3 dev.py test    run the whole test suite (plus ruff, its formatter, the migrations check)

Only Python 3.11 is needed. Everything goes into .venv/ and var/ inside the repository.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import socket
import subprocess
import sys
import time
import tomllib
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("LMS_VENV", ROOT / ".venv"))
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / "python"
CONSTRAINTS = ROOT / "requirements" / "constraints.txt"


def say(message: str) -> None:
    # The terminal may be gone (SIGHUP): keep stopping what was started all the same.
    with contextlib.suppress(OSError):
        print(f"\033[1m==> {message}\033[0m", flush=True)


def run(*args: str | Path, env: dict | None = None) -> None:
    subprocess.run([str(a) for a in args], check=True, cwd=ROOT, env=env)


def requirements(with_test: bool) -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    deps = list(project["dependencies"])
    if with_test:
        deps += project["optional-dependencies"]["test"]
    return deps


def ensure_venv(*, with_test: bool = True) -> None:
    if sys.version_info[:2] != (3, 11):
        sys.exit(f"Python 3.11 is required, this is {sys.version.split()[0]}.")
    if not PYTHON.exists():
        say(f"Creating the virtual environment in {VENV} (about 10 seconds)")
        venv.EnvBuilder(with_pip=True).create(VENV)
        run(PYTHON, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    deps = requirements(with_test)
    stamp = VENV / ".lms-installed"
    if stamp.exists() and stamp.read_text() == install_digest(deps):
        return
    say(
        f"Installing {len(deps)} pinned dependencies and what they need into {VENV}: the first "
        "time this downloads them and takes about 2 minutes; later starts skip it."
    )
    started = time.monotonic()
    run(PYTHON, "-m", "pip", "install", "--disable-pip-version-check", "-c", CONSTRAINTS, *deps)
    stamp.write_text(install_digest(deps))
    say(f"Dependencies installed in {time.monotonic() - started:.0f} s")


def install_digest(deps: list[str]) -> str:
    """What the venv's stamp records: the direct dependencies and the constraints."""
    return hashlib.sha256(("\n".join(deps) + CONSTRAINTS.read_text()).encode()).hexdigest()


def django_env(settings: str) -> dict:
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", settings)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def cmd_install(argv: list[str]) -> int:
    ensure_venv(with_test="--no-test" not in argv)
    return 0


class Stop(Exception):
    """Ctrl-C, SIGTERM or SIGHUP: stop everything that was started."""


# Every signal that ends `start` as Ctrl-C does. SIGHUP: the terminal was closed.
STOP_SIGNALS = [
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
]


def _ignore_stop_signals() -> None:
    # While stopping: a second signal must not cut the stopping short.
    for each in STOP_SIGNALS:
        signal.signal(each, signal.SIG_IGN)


def _request_stop(signum: int, frame) -> None:
    _ignore_stop_signals()
    raise Stop(signal.Signals(signum).name)


class Children:
    """The processes `start` runs, each in a process group of its own.

    A group can be signalled whole: a Celery worker's pool processes are in its group, so none
    of them outlives `start`. Ctrl-C reaches them through `start` too, which stops them in order.
    """

    GRACE_SECONDS = 15

    def __init__(self) -> None:
        self.processes: list[subprocess.Popen] = []

    def spawn(self, command: list[str], env: dict) -> subprocess.Popen:
        if os.name == "nt":
            group = {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}
        else:
            group = {"process_group": 0}
        process = subprocess.Popen(command, cwd=ROOT, env=env, **group)
        self.processes.append(process)
        return process

    def run(self, command: list[str], env: dict) -> None:
        process = self.spawn(command, env)
        process.wait()
        # Done: forget it, so that its number, free again, is never signalled later.
        self._kill_group(process)
        self.processes.remove(process)
        if process.returncode != 0:
            raise subprocess.CalledProcessError(process.returncode, command)

    @staticmethod
    def _kill_group(process: subprocess.Popen) -> None:
        """Whatever is left in its group, such as pool processes whose parent was killed."""
        if os.name == "nt":
            if process.poll() is None:
                process.kill()
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()

    def stop(self) -> None:
        running = [p for p in self.processes if p.poll() is None]
        for process in running:
            # Warm shutdown: the worker finishes its current tasks, beat saves its schedule.
            process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + self.GRACE_SECONDS
        for process in running:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                say(f"Process {process.pid} did not stop within {self.GRACE_SECONDS} s: killing it")
        for process in self.processes:
            self._kill_group(process)


def _wait_until_listening(host: str, port: int, processes: list, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if any(p.poll() is not None for p in processes):
            return False
        try:
            with socket.create_connection((host, port), timeout=1):
                return True
        except OSError:
            time.sleep(0.5)
    return False


def cmd_start(argv: list[str]) -> int:
    for each in STOP_SIGNALS:
        signal.signal(each, _request_stop)
    children = Children()
    try:
        return _start(children)
    except Stop as stop:
        say(f"Stopping ({stop}): the web server, the Celery worker and beat")
        return 0
    except subprocess.CalledProcessError as error:
        say(f"Failed: {' '.join(map(str, error.cmd))} exited with {error.returncode}")
        return 1
    finally:
        _ignore_stop_signals()
        children.stop()


def _start(children: Children) -> int:
    ensure_venv()
    env = django_env("lms.settings.dev")
    host = os.environ.get("HOST", "127.0.0.1")
    port = os.environ.get("PORT", "8000")
    say("Migrating the database (the first time takes about a minute)")
    children.run([str(PYTHON), "manage.py", "migrate", "--no-input", "-v", "0"], env)
    say("Loading demo content and demo users")
    children.run([str(PYTHON), "manage.py", "load_demo"], env)
    say("Starting the web server, a Celery worker and Celery beat (Ctrl-C stops all three)")
    celery = [str(PYTHON), "-m", "celery", "-A", "lms"]
    commands = [
        [str(PYTHON), "manage.py", "runserver", f"{host}:{port}", "--noreload"],
        [*celery, "worker", "-l", "warning", "--concurrency", "2"],
        [*celery, "beat", "-l", "warning"],
    ]
    processes = [children.spawn(command, env) for command in commands]
    if _wait_until_listening(host, int(port), processes, seconds=60) or all(
        p.poll() is None for p in processes
    ):
        say(
            f"Normkritik LMS runs at http://{host}:{port}/  (admin: http://{host}:{port}/admin/, "
            f"status: http://{host}:{port}/health/)"
        )
    while all(p.poll() is None for p in processes):
        time.sleep(1)
    say("A process stopped; stopping the others.")
    return 1


def cmd_test(argv: list[str]) -> int:
    ensure_venv()
    env = django_env("lms.settings.test")
    say("ruff check and ruff format --check")
    run(PYTHON, "-m", "ruff", "check", ".", env=env)
    run(PYTHON, "-m", "ruff", "format", "--check", ".", env=env)
    say("Checking that models and migrations agree")
    run(PYTHON, "manage.py", "makemigrations", "--check", "--dry-run", env=env)
    say("pytest")
    if not any(arg == "-n" or arg.startswith(("-n", "--numprocesses")) for arg in argv):
        # One test process per core (TEST_PROCESSES to choose); a file's tests stay together
        # so that its module-scoped fixtures (a browser, a generated organisation) are built once.
        argv = ["-n", os.environ.get("TEST_PROCESSES", "auto"), "--dist", "loadfile", *argv]
    return subprocess.run([str(PYTHON), "-m", "pytest", *argv], cwd=ROOT, env=env).returncode


COMMANDS = {"start": cmd_start, "test": cmd_test, "install": cmd_install}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        sys.exit(__doc__)
    sys.exit(COMMANDS[sys.argv[1]](sys.argv[2:]))
