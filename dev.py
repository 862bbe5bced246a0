#!/usr/bin/env python3
"""The two commands of the README.

    python3 dev.py start   set up everything and run the demo (web, Celery worker and beat)
    python3 dev.py test    run the whole test suite (plus ruff and the migrations check)

Only Python 3.11 is needed. Everything goes into .venv/ and var/ inside the repository.
"""

from __future__ import annotations

import hashlib
import os
import signal
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
        say(f"Creating the virtual environment in {VENV}")
        venv.EnvBuilder(with_pip=True).create(VENV)
        run(PYTHON, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    deps = requirements(with_test)
    digest = hashlib.sha256(("\n".join(deps) + CONSTRAINTS.read_text()).encode()).hexdigest()
    stamp = VENV / ".lms-installed"
    if stamp.exists() and stamp.read_text() == digest:
        return
    say("Installing the pinned dependencies")
    run(PYTHON, "-m", "pip", "install", "--quiet", "-c", CONSTRAINTS, *deps)
    stamp.write_text(digest)


def django_env(settings: str) -> dict:
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", settings)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def cmd_install(argv: list[str]) -> int:
    ensure_venv(with_test="--no-test" not in argv)
    return 0


def cmd_start(argv: list[str]) -> int:
    ensure_venv()
    env = django_env("lms.settings.dev")
    host = os.environ.get("HOST", "127.0.0.1")
    port = os.environ.get("PORT", "8000")
    say("Migrating the database")
    run(PYTHON, "manage.py", "migrate", "--no-input", "-v", "0", env=env)
    say("Loading demo content and demo users")
    run(PYTHON, "manage.py", "load_demo", env=env)
    say("Starting the web server, a Celery worker and Celery beat (Ctrl-C stops all three)")
    celery = [str(PYTHON), "-m", "celery", "-A", "lms"]
    commands = [
        [str(PYTHON), "manage.py", "runserver", f"{host}:{port}", "--noreload"],
        [*celery, "worker", "-l", "warning", "--concurrency", "2"],
        [*celery, "beat", "-l", "warning"],
    ]
    processes = [subprocess.Popen(command, cwd=ROOT, env=env) for command in commands]
    time.sleep(2)
    say(
        f"Normkritik LMS runs at http://{host}:{port}/  (admin: http://{host}:{port}/admin/, "
        f"status: http://{host}:{port}/health/)"
    )
    try:
        while all(p.poll() is None for p in processes):
            time.sleep(1)
        say("A process stopped; stopping the others.")
    except KeyboardInterrupt:
        say("Stopping")
    for p in processes:
        if p.poll() is None:
            p.send_signal(signal.SIGINT)
    for p in processes:
        try:
            p.wait(timeout=15)
        except subprocess.TimeoutExpired:
            p.kill()
    return 0


def cmd_test(argv: list[str]) -> int:
    ensure_venv()
    env = django_env("lms.settings.test")
    say("ruff check")
    run(PYTHON, "-m", "ruff", "check", ".", env=env)
    say("Checking that models and migrations agree")
    run(PYTHON, "manage.py", "makemigrations", "--check", "--dry-run", env=env)
    say("pytest")
    return subprocess.run([str(PYTHON), "-m", "pytest", *argv], cwd=ROOT, env=env).returncode


COMMANDS = {"start": cmd_start, "test": cmd_test, "install": cmd_install}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        sys.exit(__doc__)
    sys.exit(COMMANDS[sys.argv[1]](sys.argv[2:]))
