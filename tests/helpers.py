"""Helpers shared by the test suite: environment requirements, query counting, axe-core."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from contextlib import contextmanager

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require(condition: bool, reason: str) -> None:
    """Skip with `reason` where something is missing; fail in CI, where nothing may be."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"CI must provide this: {reason}", pytrace=False)
    pytest.skip(reason)


def database_vendor() -> str:
    return connection.vendor


def require_postgres() -> None:
    require(connection.vendor == "postgresql", "needs PostgreSQL: set DATABASE_URL=postgres://…")


@contextmanager
def count_queries():
    with CaptureQueriesContext(connection) as ctx:
        yield ctx


def assert_queries_independent_of_size(
    measure: Callable[[], None], grow: Callable[[], None], *, label: str = ""
) -> int:
    """Run `measure`, grow the data, run it again: the number of queries must be the same.

    Both runs are measured warm: growing publishes pages, which empties the content cache
    (lms.content_cache), and the first request after a publish rebuilds it.
    """
    measure()  # warm caches (site root, content types) so that both runs are comparable
    with count_queries() as small:
        measure()
    grow()
    measure()
    with count_queries() as large:
        measure()
    assert len(large) == len(small), (
        f"{label}: {len(small)} queries before growing the data, {len(large)} after.\n"
        + "\n".join(q["sql"] for q in large.captured_queries)
    )
    return len(small)


def axe_violations(page) -> list[dict]:
    """Run axe-core (vendored by the axe-playwright-python package) on the page."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return results.response["violations"]


def assert_accessible(page) -> None:
    # Let fade-ins (such as the admin's messages) finish: half-faded text fails contrast.
    page.wait_for_load_state()
    page.evaluate("Promise.all(document.getAnimations().map((a) => a.finished.catch(() => null)))")
    violations = axe_violations(page)
    if violations:
        lines = []
        for v in violations:
            targets = [", ".join(node["target"]) for node in v["nodes"]][:5]
            lines.append(f"- {v['id']} ({v['impact']}): {v['help']} → {targets}")
        pytest.fail(f"axe-core found violations on {page.url}:\n" + "\n".join(lines), pytrace=False)


def login_via_form(client, username: str, password: str) -> bool:
    """Log in through the real login view, so that django-axes sees the request."""
    response = client.post("/accounts/login/", {"username": username, "password": password})
    return response.status_code == 302 and "_auth_user_id" in client.session


def wait_for(predicate: Callable[[], bool], seconds: float = 30) -> bool:
    """Poll until `predicate()` is true (work done by a real Celery worker), at most `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False
