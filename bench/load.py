"""`python -m bench.load`: a municipality's Monday morning, in two parts, against gunicorn with
the production settings on loopback (two sync workers per core).

1. **Login storm.** --users learners log in through the login form, CLIENTS at a time, as fast
   as the server answers: logins per second, per core, and the slowest. The password hasher's
   cost is a deliberate security setting (Django's PBKDF2), so logins are measured apart from
   browsing instead of being made cheap.
2. **Steady browsing.** Locust, headless, with the sessions of part 1: the same learners open
   the catalogue and Mina kurser, courses and modules, mark modules done and take quizzes, with
   3–10 s between pages, for --seconds. Requests per second (and per core), p50/p95/p99 and
   failures.

Needs DATABASE_URL (PostgreSQL with a generated municipality: `manage.py make_municipality`)
and REDIS_URL. Exit status 1 when browsing had failures or a p95 of 1 s or more.
"""

from __future__ import annotations

import argparse
import csv
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .server import ROOT, gunicorn, log_in, production_env

CLIENTS = 8  # logins at once in the storm
P95_TARGET_MS = 1000
# Learners arrive over ten seconds (200 users), not all in the same instant: steady browsing.
SPAWN_RATE = 20


def login_storm(base: str, usernames: list[str], password: str) -> tuple[list[str], dict]:
    """Log every user in, CLIENTS at a time; their session cookies and the figures."""
    durations: list[float] = []

    def one(username: str) -> str:
        start = time.perf_counter()
        cookie = log_in(base, username, password)
        durations.append(time.perf_counter() - start)
        return cookie

    start = time.perf_counter()
    with ThreadPoolExecutor(CLIENTS) as pool:
        cookies = list(pool.map(one, usernames))
    elapsed = time.perf_counter() - start
    cores = os.cpu_count() or 1
    return cookies, {
        "logins": len(cookies),
        "seconds": elapsed,
        "per_second": len(cookies) / elapsed,
        "per_core": len(cookies) / elapsed / cores,
        "p50_ms": statistics.median(durations) * 1000,
        "p95_ms": statistics.quantiles(durations, n=20)[-1] * 1000,
    }


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load")
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="lms-load-"))
    password = secrets.token_urlsafe(12)
    env = production_env(args.port, work)
    py = sys.executable
    users_file = work / "users.txt"
    subprocess.run(
        [py, "manage.py", "load_test_users", "--count", str(args.users)]
        + ["--password", password, "--out", str(users_file)],
        cwd=ROOT,
        env=env,
        check=True,
    )
    usernames = users_file.read_text().split()
    cores = os.cpu_count() or 1
    # Two sync workers per core: CPU-bound pages, no GIL shared between threads. At 200 users
    # on this 2-core machine this served 46.5 requests/s where 3 workers x 4 threads served 38.
    workers = str(2 * (os.cpu_count() or 1))
    server_options = ("--workers", workers, "--worker-class", "sync", "--timeout", "60")
    with gunicorn(env, args.port, *server_options) as base:
        cookies, storm = login_storm(base, usernames, password)
        sessions = work / "sessions.txt"
        sessions.write_text("\n".join(cookies))
        subprocess.run(
            [py, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile.py"), "--headless"]
            + ["--host", base, "--users", str(args.users), "--spawn-rate", str(SPAWN_RATE)]
            + ["--run-time", f"{args.seconds}s", "--csv", str(work / "load"), "--only-summary"],
            cwd=ROOT,
            env={**env, "LOAD_TEST_SESSIONS": str(sessions)},
            check=False,
        )
    with open(work / "load_stats.csv") as handle:
        total = next(row for row in csv.DictReader(handle) if row["Name"] == "Aggregated")
    rate = float(total["Requests/s"])
    p95 = float(total["95%"])
    failures = int(total["Failure Count"])
    print(
        f"login storm: {storm['logins']} logins in {storm['seconds']:.1f} s, "
        f"{storm['per_second']:.1f} logins/s ({storm['per_core']:.1f} per core, {cores} cores), "
        f"p50 {storm['p50_ms']:.0f} ms, p95 {storm['p95_ms']:.0f} ms ({CLIENTS} at once)"
    )
    ok = failures == 0 and p95 < P95_TARGET_MS
    print(
        f"steady browsing: {args.users} users for {args.seconds} s: {rate:.1f} requests/s "
        f"({rate / cores:.1f} per core), p50 {total['50%']} ms, p95 {total['95%']} ms, "
        f"p99 {total['99%']} ms, {total['Request Count']} requests, {failures} failures "
        f"(target p95 < {P95_TARGET_MS} ms, 0 failures) {'PASS' if ok else 'FAIL'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
