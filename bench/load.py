"""`python -m bench.load`: gunicorn (production settings) + Locust, headless, on loopback.

Needs DATABASE_URL (PostgreSQL with a generated municipality: `manage.py make_municipality`)
and REDIS_URL. Bounded: --users (200) for --seconds (60). Prints requests/s, p50/p95/p99 and
the number of failures.
"""

from __future__ import annotations

import argparse
import csv
import os
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load")
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="lms-load-"))
    password = secrets.token_urlsafe(12)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "lms.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "BASE_URL": f"http://127.0.0.1:{args.port}",
        # Plain HTTP on loopback: no TLS redirect or secure-only cookies in this test.
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "STATIC_ROOT": str(work / "static"),
        "LOG_LEVEL": "WARNING",
    }
    py = sys.executable
    subprocess.run(
        [py, "manage.py", "collectstatic", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    users_file = work / "users.txt"
    subprocess.run(
        [
            py,
            "manage.py",
            "load_test_users",
            "--count",
            str(args.users),
            "--password",
            password,
            "--out",
            str(users_file),
        ],
        cwd=ROOT,
        env=env,
        check=True,
    )
    server = subprocess.Popen(
        [
            py,
            "-m",
            "gunicorn",
            "lms.wsgi:application",
            "--bind",
            f"127.0.0.1:{args.port}",
            "--workers",
            "3",
            "--worker-class",
            "gthread",
            "--threads",
            "4",
            "--keep-alive",
            "30",
            "--timeout",
            "60",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        base = f"http://127.0.0.1:{args.port}"
        for _ in range(60):
            try:
                with urllib.request.urlopen(base + "/health/?check=database", timeout=2):
                    break
            except OSError:
                time.sleep(1)
        subprocess.run(
            [
                py,
                "-m",
                "locust",
                "-f",
                str(ROOT / "bench" / "locustfile.py"),
                "--headless",
                "--host",
                base,
                "--users",
                str(args.users),
                "--spawn-rate",
                "20",
                "--run-time",
                f"{args.seconds}s",
                "--csv",
                str(work / "load"),
                "--only-summary",
            ],
            cwd=ROOT,
            env={**env, "LOAD_TEST_USERS": str(users_file), "LOAD_TEST_PASSWORD": password},
            check=False,
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
    with open(work / "load_stats.csv") as handle:
        total = next(row for row in csv.DictReader(handle) if row["Name"] == "Aggregated")
    print(
        f"load test: {args.users} users for {args.seconds} s: "
        f"{float(total['Requests/s']):.1f} requests/s, p50 {total['50%']} ms, "
        f"p95 {total['95%']} ms, p99 {total['99%']} ms, "
        f"{total['Request Count']} requests, {total['Failure Count']} failures"
    )
    return 0 if total["Failure Count"] == "0" else 1


if __name__ == "__main__":
    sys.exit(main())
