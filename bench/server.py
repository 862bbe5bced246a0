"""gunicorn with the production settings on loopback, for the benchmarks that measure through
a real WSGI server (pages) and the load test."""

from __future__ import annotations

import contextlib
import http.client
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A loopback port nobody listens on now (the kernel's choice)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def production_env(port: int, work: Path, database_url: str | None = None) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "lms.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "BASE_URL": f"http://127.0.0.1:{port}",
        # Plain HTTP on loopback: no TLS redirect or secure-only cookies here.
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "STATIC_ROOT": str(work / "static"),
        "LOG_LEVEL": "WARNING",
    }
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


@contextlib.contextmanager
def gunicorn(env: dict[str, str], port: int, *options: str) -> Iterator[str]:
    """Run gunicorn until the block ends; yields its base address once it answers. Its log
    goes to gunicorn.log next to STATIC_ROOT."""
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    log = open(Path(env["STATIC_ROOT"]).parent / "gunicorn.log", "ab")  # noqa: SIM115
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "lms.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            *options,
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        for _ in range(60):
            if server.poll() is not None:
                raise RuntimeError("gunicorn stopped at start")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                try:
                    connection.request("GET", "/health/?check=database")
                    if connection.getresponse().status == 200:
                        break
                finally:
                    connection.close()
            except OSError:
                pass
            time.sleep(1)
        else:
            raise RuntimeError("gunicorn did not answer within a minute")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def _cookies(response: http.client.HTTPResponse) -> dict[str, str]:
    found = {}
    for header, value in response.getheaders():
        if header.lower() == "set-cookie":
            name, _, rest = value.partition("=")
            found[name.strip()] = rest.split(";", 1)[0]
    return found


def log_in(base: str, username: str, password: str) -> str:
    """Log in through the login form; returns the Cookie header of the session."""
    address = urllib.parse.urlsplit(base)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
    connection.request("GET", "/accounts/login/")
    response = connection.getresponse()
    response.read()
    cookies = _cookies(response)
    body = urllib.parse.urlencode(
        {"username": username, "password": password, "csrfmiddlewaretoken": cookies["csrftoken"]}
    )
    connection.request(
        "POST",
        "/accounts/login/",
        body=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={cookies['csrftoken']}",
        },
    )
    response = connection.getresponse()
    response.read()
    if response.status != 302:
        raise RuntimeError(f"login failed: {response.status}")
    cookies.update(_cookies(response))
    return "; ".join(f"{name}={value}" for name, value in cookies.items())
