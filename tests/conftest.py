from __future__ import annotations

import os
import shutil

import pytest

from tests.helpers import require

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls from the
# same thread are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Wagtail caches site root paths and the like in Django's cache; each test's database is
    rolled back, so a cache left by an earlier test would describe pages that do not exist."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def demo_site(db):
    from lms import demo

    return demo.ensure_site()


@pytest.fixture
def demo_users(db):
    from lms import demo

    demo.ensure_users(password=demo.DEFAULT_DEMO_PASSWORD)
    return demo.DEFAULT_DEMO_PASSWORD


@pytest.fixture(scope="session")
def browser():
    require(
        shutil.which(CHROMIUM) is not None or os.path.exists(CHROMIUM),
        f"needs Chromium at {CHROMIUM} (apt-get install chromium)",
    )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _open_page(browser, live_server, **options):
    # Reduced motion: axe judges the page at rest, not halfway through a fade-in.
    context = browser.new_context(locale="sv-SE", reduced_motion="reduce", **options)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.base_url = live_server.url
    # Every page of every journey must load without a Content-Security-Policy violation
    # (Chromium reports each one on the console).
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text
            else None
        ),
    )
    page.csp_violations = violations
    yield page
    context.close()
    assert not violations, "CSP violations:\n" + "\n".join(violations)


@pytest.fixture
def page(browser, live_server):
    yield from _open_page(browser, live_server, viewport={"width": 1280, "height": 900})


@pytest.fixture
def phone_page(browser, live_server):
    yield from _open_page(
        browser,
        live_server,
        viewport={"width": 375, "height": 740},
        is_mobile=True,
        has_touch=True,
    )


@pytest.fixture
def celery_worker(transactional_db):
    """A real Celery worker, in a thread, consuming from the configured broker."""
    from celery.contrib.testing.worker import start_worker

    from lms.celery import app

    app.control.purge()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as worker:
        yield worker


@pytest.fixture
def catalogue(demo_site):
    from courses.models import CourseIndexPage

    return CourseIndexPage.objects.child_of(demo_site).get()


@pytest.fixture
def learner(db):
    from tests.factories import UserFactory

    return UserFactory(username="lärande")


@pytest.fixture
def demo_courses(demo_site):
    from lms import demo

    return {c.slug: c for c in demo.ensure_courses()}


@pytest.fixture
def demo_organisation(demo_site, demo_users):
    from lms import demo

    demo.ensure_organisation()
    return demo_users
