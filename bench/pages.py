"""Learner pages (home, catalogue, course, module with a film) through a real WSGI server,
against the framework's floor: a page of Wagtail's own type with the same base template,
served by the same site in the same run.

gunicorn with the production settings and two sync workers on this machine's cores, eight
clients at once (as `wrk -c8` would), a logged-in learner in the middle of a course. Each page
is asked for during SECONDS; the floor before and after the others, and their mean is the
reference. The issue's target: our pages at ≥ 0.80 of the floor's requests per second.
Queries per page are counted in-process (Django's test client) on the same data.
"""

from __future__ import annotations

import http.client
import os
import secrets
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page

from courses.models import CourseIndexPage, CoursePage
from home.models import HomePage
from progress.models import CourseProgress

from .server import free_port, gunicorn, log_in, production_env

TARGET_RATIO = 0.80
SECONDS = float(os.environ.get("BENCH_PAGE_SECONDS", "10"))  # per page and run
CLIENTS = 8


def _queries(client: Client, url: str) -> int:
    client.get(url)  # warm caches
    connection.queries_log.clear()  # a full log (9,000 queries) would count 0
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries)


def requests_per_second(base: str, url: str, cookie: str, seconds: float = SECONDS) -> float:
    """Requests per second that CLIENTS clients asking at once get answered (200) in `seconds`."""
    port = int(base.rsplit(":", 1)[1])
    stop = time.monotonic() + seconds
    done = [0] * CLIENTS
    errors: list[str] = []

    def client(number: int) -> None:
        while time.monotonic() < stop:
            # Sync workers close the connection after each response: a new one per request.
            http_connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            http_connection.request("GET", url, headers={"Cookie": cookie})
            response = http_connection.getresponse()
            response.read()
            http_connection.close()
            if response.status != 200:
                errors.append(f"{url}: {response.status}")
                return
            done[number] += 1

    requests = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    start = time.monotonic()
    for thread in requests:
        thread.start()
    for thread in requests:
        thread.join()
    if errors:
        raise RuntimeError(errors[0])
    return sum(done) / (time.monotonic() - start)


def _floor_page() -> Page:
    home = HomePage.objects.first()
    existing = Page.objects.child_of(home).filter(slug="bench-golv").first()
    if existing:
        return existing
    floor = Page(title="Golv", slug="bench-golv")
    home.add_child(instance=floor)
    floor.save_revision().publish()
    return floor


def run() -> bool:
    # A learner in the middle of a course whose open module has a film.
    progress = (
        CourseProgress.objects.filter(completed_at__isnull=True, user__is_active=True)
        .exclude(last_module=None)
        .order_by("pk")
        .first()
    )
    user = progress.user
    password = secrets.token_urlsafe(12)
    # The production settings' hasher (the bench process runs the test settings' fast one).
    hasher = PBKDF2PasswordHasher()
    user.password = hasher.encode(password, hasher.salt())
    user.save(update_fields=["password"])
    floor = _floor_page()
    catalogue = CourseIndexPage.objects.live().first()
    course = CoursePage.objects.get(pk=progress.course_id)
    module = progress.last_module.specific
    pages = [
        ("home page", "/"),
        ("catalogue page", catalogue.url),
        ("course page", course.url),
        ("module page", module.url),
    ]
    client = Client()
    client.force_login(user)
    queries = {url: _queries(client, url) for _name, url in [("floor", floor.url), *pages]}
    work = Path(tempfile.mkdtemp(prefix="lms-bench-pages-"))
    port = free_port()
    env = production_env(port, work, _database_url())
    options = ("--workers", "2", "--worker-class", "sync", "--timeout", "60")
    passed = True
    with gunicorn(env, port, *options) as base:
        cookie = log_in(base, user.get_username(), password)
        for _name, url in [("floor", floor.url), *pages]:
            requests_per_second(base, url, cookie, seconds=1)  # every worker warm
        before = requests_per_second(base, floor.url, cookie)
        rates = {url: requests_per_second(base, url, cookie) for _name, url in pages}
        after = requests_per_second(base, floor.url, cookie)
    bare = (before + after) / 2
    print(
        f"bare Wagtail page: {bare:.1f} requests/s (before {before:.1f}, after {after:.1f}) | "
        f"queries {queries[floor.url]}",
        flush=True,
    )
    for name, url in pages:
        ratio = rates[url] / bare
        target = TARGET_RATIO if name != "home page" else None
        verdict = "" if target is None else (" PASS" if ratio >= target else " FAIL")
        passed &= target is None or ratio >= target
        print(
            f"{name}: {rates[url]:.1f} requests/s, bare page {bare:.1f}, ratio {ratio:.2f}"
            + (f" (target ≥ {target}){verdict}" if target else "")
            + f" | queries {queries[url]} vs {queries[floor.url]}",
            flush=True,
        )
    return passed


def _database_url() -> str:
    settings = connection.settings_dict
    login = urllib.parse.quote(settings["USER"] or "postgres", safe="")
    if settings["PASSWORD"]:
        login += ":" + urllib.parse.quote(settings["PASSWORD"], safe="")
    host = settings["HOST"] or "127.0.0.1"
    return f"postgres://{login}@{host}:{settings['PORT'] or 5432}/{settings['NAME']}"
