"""No page makes the browser fetch anything from another host.

Staff use the platform on municipal intranets: a request to another host leaks who is reading
what (a Gravatar URL carries a hash of the user's email address) and breaks offline. A browser
records every request of the learner's, HR's and the editor's pages, admin included, and each
must go to the site itself. (A film that an editor deliberately embeds from an external https
address is the one exception, on the page that shows it; the demo content embeds none.)
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.browser.test_editor_journey import admin_log_in
from tests.browser.test_learner_journey import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def origin(url: str) -> tuple:
    parts = urlsplit(url)
    return parts.scheme, parts.hostname, parts.port


class RecordingBrowser:
    """A browser context of its own that records every request made by its pages and frames."""

    def __init__(self, browser, live_server) -> None:
        self.base_url = live_server.url
        self.context = browser.new_context(
            locale="sv-SE", reduced_motion="reduce", viewport={"width": 1280, "height": 900}
        )
        self.requests: list[tuple[str, str]] = []  # (page, requested url)
        self.context.on("request", lambda request: self.requests.append((self.where, request.url)))
        self.page = self.context.new_page()
        self.page.set_default_timeout(15_000)
        self.page.base_url = self.base_url
        self.page.on("websocket", lambda ws: self.requests.append((self.where, ws.url)))
        self.where = "(start)"

    def visit(self, path: str) -> None:
        self.where = path
        self.page.goto(self.base_url + path)
        self.settle()

    def settle(self) -> None:
        self.where = self.page.url
        self.page.wait_for_load_state("networkidle")
        # Lazy images and frames load only when scrolled into view.
        self.page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        self.page.wait_for_load_state("networkidle")

    def foreign(self) -> list[tuple[str, str]]:
        own = origin(self.base_url)
        return [
            (where, url)
            for where, url in self.requests
            if not url.startswith(("data:", "blob:")) and origin(url) != own
        ]

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def recording(browser, live_server):
    opened = []

    def open_browser() -> RecordingBrowser:
        opened.append(RecordingBrowser(browser, live_server))
        return opened[-1]

    yield open_browser
    for each in opened:
        each.close()


def _demo(demo_courses):
    """The course with a film in its second module and a quiz in its third, opened up."""
    from courses.models import CoursePage

    course = demo_courses["antidiskriminering-introduktion"]
    # Modules in order is a lock; the journey of reaching module 3 is tested elsewhere.
    CoursePage.objects.filter(pk=course.pk).update(sequential=False)
    modules = [m.specific for m in course.get_children().live()]
    film_module = next(m for m in modules if any(b.block_type == "film" for b in m.body))
    quiz_module = next(m for m in modules if any(b.block_type == "quiz" for b in m.body))
    return course, film_module, quiz_module


def test_learner_hr_and_editor_pages_load_nothing_from_another_host(
    recording, demo_courses, demo_organisation
):
    from modules.models import Film

    password = demo_organisation
    course, film_module, quiz_module = _demo(demo_courses)
    # The one exception (an editor's embedded film) is absent from the demo content.
    assert not Film.objects.exclude(embed_url="").exists()
    catalogue = course.get_parent()

    learner = recording()
    log_in(learner.page, "medarbetare", password)
    for path in ("/", catalogue.url, course.url, film_module.url, quiz_module.url):
        learner.visit(path)
    # One click on the module page starts the quiz (a POST form, issue 12).
    start = learner.page.locator("form.quiz-start-form button[type=submit]")
    assert start.count()
    start.first.click()
    learner.page.wait_for_url("**/questions/1/")
    learner.settle()
    for path in ("/mina-kurser/", "/mina-uppgifter/"):
        learner.visit(path)
    # The film itself was fetched, from this site.
    assert any("/media/films/" in url for _, url in learner.requests), learner.requests

    hr = recording()
    admin_log_in(hr.page, "hr", password)
    for path in (
        "/admin/",
        "/admin/coverage/",
        "/admin/organisation/people/",
        "/admin/employee-imports/",
        "/admin/employee-imports/new/",
    ):
        hr.visit(path)

    editor = recording()
    admin_log_in(editor.page, "redaktor", password)
    for path in (
        f"/admin/pages/{catalogue.pk}/",
        f"/admin/pages/{course.pk}/",
        f"/admin/pages/{film_module.pk}/edit/",
        "/admin/snippets/modules/film/",
        "/admin/account/",
    ):
        editor.visit(path)

    for each in (learner, hr, editor):
        assert len(each.requests) > 20  # the recording works
        assert each.foreign() == [], "requests to another host:\n" + "\n".join(
            f"{where} → {url}" for where, url in each.foreign()
        )
    # The account page shows the editor's avatar: Wagtail's own image, not Gravatar's.
    avatar = editor.page.locator(".avatar img").first
    assert avatar.get_attribute("src").startswith("/static/"), avatar.get_attribute("src")
