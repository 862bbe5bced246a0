"""Production configuration: Django's deploy checks, and the compose services' command lines.

There is no Docker engine on CI machines, so the compose test runs each service's `command`
from docker-compose.yml on this machine, with the compose environment pointed at the local
PostgreSQL and Redis, and checks that each one starts and answers.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import yaml

from tests.helpers import require

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def production_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    env.update(
        DJANGO_SETTINGS_MODULE="lms.settings.production",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="lms.kommun.example,localhost,127.0.0.1",
        BASE_URL="https://lms.kommun.example",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def test_check_deploy_reports_nothing(tmp_path):
    env = production_env(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_secret_key(tmp_path):
    env = production_env(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    del env["SECRET_KEY"]
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_compose_file_declares_the_production_services():
    services = COMPOSE["services"]
    assert {"web", "worker", "beat", "db", "redis", "proxy"} <= set(services)
    assert services["db"]["image"].startswith("postgres:16")
    assert services["redis"]["image"].startswith("redis:7")
    for name in ("web", "worker", "beat", "db", "redis"):
        assert "healthcheck" in services[name], f"{name} has no health check"
    assert services["web"]["command"][0] == "gunicorn"
    assert set(COMPOSE["volumes"]) >= {"pgdata", "redisdata", "media"}
    # Films are streamed by nginx from an internal location that Django redirects to.
    accel = COMPOSE["x-app"]["environment"]["MEDIA_X_ACCEL_REDIRECT"]
    nginx = (ROOT / "deploy" / "nginx.conf").read_text()
    assert f"location {accel} {{\n        internal;" in nginx
    assert "media:/srv/media:ro" in services["proxy"]["volumes"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _command(service: str, port: int) -> list[str]:
    command = [str(part) for part in COMPOSE["services"][service]["command"]]
    command = [part.replace("0.0.0.0:8000", f"127.0.0.1:{port}") for part in command]
    # The image puts the venv on PATH; here the test's own interpreter stands in for it.
    if command[0] in {"gunicorn", "celery"}:
        command = [sys.executable, "-m", command[0], *command[1:]]
    elif command[0] == "python":
        command = [sys.executable, *command[1:]]
    return command


def _get(url: str, headers: dict | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except OSError:
        return 0, b""


@pytest.fixture
def compose_database():
    database_url = os.environ.get("DATABASE_URL", "")
    require(database_url.startswith("postgres"), "needs DATABASE_URL=postgres://… (PostgreSQL)")
    require(os.environ.get("REDIS_URL", "").startswith("redis"), "needs REDIS_URL=redis://…")
    import psycopg

    name = f"lms_compose_{os.getpid()}"
    parts = urlsplit(database_url)
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    yield urlunsplit(parts._replace(path=f"/{name}"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_compose_services_start_and_answer(compose_database, tmp_path):
    redis_url = os.environ["REDIS_URL"].rsplit("/", 1)[0] + "/14"
    env = production_env(
        DATABASE_URL=compose_database,
        REDIS_URL=redis_url,
        CELERY_BROKER_URL="",
        STATIC_ROOT=str(tmp_path / "static"),
        MEDIA_ROOT=str(tmp_path / "media"),
        LMS_DATA_DIR=str(tmp_path / "var"),
        HEARTBEAT_MAX_AGE_SECONDS="600",
    )
    # What the image build does, then the one-shot `migrate` service.
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=300,
    )
    subprocess.run(_command("migrate", 0), cwd=ROOT, env=env, check=True, timeout=300)

    port = _free_port()
    logs = {name: open(tmp_path / f"{name}.log", "w+") for name in ("web", "worker", "beat")}  # noqa: SIM115
    procs = {
        name: subprocess.Popen(
            _command(name, port), cwd=ROOT, env=env, stdout=logs[name], stderr=subprocess.STDOUT
        )
        for name in ("web", "worker", "beat")
    }

    def log(name: str) -> str:
        logs[name].flush()
        return (tmp_path / f"{name}.log").read_text()[-3000:]

    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while _get(base + "/health/?check=database,broker")[0] != 200:
            assert time.monotonic() < deadline, "web did not answer /health/:\n" + log("web")
            for name, proc in procs.items():
                assert proc.poll() is None, f"{name} exited:\n" + log(name)
            time.sleep(1)

        # Production pages and hashed static files are served (TLS is the proxy's job).
        https = {"X-Forwarded-Proto": "https", "Host": "lms.kommun.example"}
        status, body = _get(base + "/accounts/login/", https)
        assert status == 200, body[:500]
        css = body.decode().split('href="/static/css/site.')[1].split('"')[0]
        assert _get(f"{base}/static/css/site.{css}", https)[0] == 200

        # The worker answers a ping over Redis (once it has finished starting).
        deadline = time.monotonic() + 60
        while True:
            ping = subprocess.run(
                [sys.executable, "-m", "celery", "-A", "lms", "inspect", "ping", "--timeout", "5"],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
            )
            if ping.returncode == 0 and "pong" in ping.stdout:
                break
            assert time.monotonic() < deadline, ping.stdout + ping.stderr + log("worker")

        # Beat schedules the heartbeat, the worker runs it: /health/ reports everything up.
        deadline = time.monotonic() + 120
        while True:
            status, body = _get(base + "/health/")
            if status == 200:
                break
            assert time.monotonic() < deadline, (
                f"health still {status}: {body[:400]!r}\n"
                f"beat:\n{log('beat')}\nworker:\n{log('worker')}"
            )
            time.sleep(2)
        beat_check = subprocess.run(
            [sys.executable, "manage.py", "healthcheck", "beat"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert beat_check.returncode == 0, beat_check.stdout + beat_check.stderr
    finally:
        for proc in procs.values():
            proc.terminate()
        for proc in procs.values():
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
        for handle in logs.values():
            handle.close()


def dockerfile_collectstatic_env() -> dict[str, str]:
    """The variables the Dockerfile's collectstatic RUN line sets, parsed from the Dockerfile."""
    import shlex

    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    lines = [
        line for line in text.splitlines() if line.startswith("RUN ") and "collectstatic" in line
    ]
    assert len(lines) == 1, lines
    words = shlex.split(lines[0][len("RUN ") :])
    assignments: dict[str, str] = {}
    for word in words:
        if "=" not in word or word.startswith("-"):
            break
        key, _, value = word.partition("=")
        assignments[key] = value
    assert "SECRET_KEY" in assignments, words
    return assignments


def test_dockerfile_collectstatic_runs_with_only_the_build_environment(tmp_path):
    # Only what the image has at that step: the Dockerfile's ENV plus the RUN line's variables.
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "PYTHONDONTWRITEBYTECODE": "1",
        "DJANGO_SETTINGS_MODULE": "lms.settings.production",
        **dockerfile_collectstatic_env(),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "--dry-run", "-v", "0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_error_reports_carry_no_local_variables_or_personal_data(tmp_path):
    env = production_env(
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        SENTRY_DSN="https://public@sentry.invalid/1",
    )
    probe = (
        "import django, sentry_sdk; django.setup(); o = sentry_sdk.get_client().options; "
        "print(o['include_local_variables'], o['send_default_pii'], o['max_request_body_size'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "False", "never"]


@pytest.mark.parametrize("missing", ["XAPI_ACTOR_KEY", "XAPI_HOME_PAGE"])
def test_an_lrs_needs_its_own_pseudonym_key_and_home_page(tmp_path, missing):
    # Defaulting to SECRET_KEY would give every learner a new pseudonym at a key rotation.
    env = production_env(
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        LRS_ENDPOINT="https://lrs.kommun.example/xapi/",
        XAPI_ACTOR_KEY="pseudonym-key",
        XAPI_HOME_PAGE="https://lms.kommun.example",
    )
    check = [sys.executable, "manage.py", "check"]
    ok = subprocess.run(check, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0, ok.stderr
    del env[missing]
    result = subprocess.run(check, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert f"{missing} must be set" in result.stderr
