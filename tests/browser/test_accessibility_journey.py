"""The accessibility statement from a visitor's side: found from any page's footer, and a
problem report that works without JavaScript reaches the responsible person and the admin."""

import time

import pytest

from accessibility.demo import ensure_statement
from accessibility.models import ProblemReport
from tests.helpers import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, password):
    page.goto(page.base_url + "/accounts/login/")
    page.get_by_label("Användarnamn").fill("medarbetare")
    page.get_by_label("Lösenord").fill(password)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(page.base_url + "/")


def test_statement_from_every_footer_and_a_report_without_javascript(
    browser, live_server, page, demo_courses, demo_users, celery_worker, settings, tmp_path
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path)
    from tests.conftest import _open_page

    statement = ensure_statement(demo_courses["normdiplomering"].get_parent().get_parent())
    footer_link = {"name": "Tillgänglighetsredogörelse"}

    # Axe needs JavaScript: the pages are checked in a normal browser first.
    for path in ("/", "/accounts/login/", statement.url):
        page.goto(page.base_url + path)
        assert page.locator("footer").get_by_role("link", **footer_link).is_visible()
        assert_accessible(page)
    page.get_by_role("button", name="Skicka rapporten").click()
    assert "Rapporten skickades inte" in page.get_by_role("alert").first.inner_text()
    assert_accessible(page)

    # The report itself, from a browser with JavaScript turned off.
    pages = _open_page(browser, live_server, java_script_enabled=False)
    nojs = next(pages)
    try:
        log_in(nojs, demo_users)
        nojs.goto(nojs.base_url + "/kurser/")
        nojs.locator("footer").get_by_role("link", **footer_link).click()
        nojs.wait_for_url(f"**{statement.url}**")
        assert nojs.get_by_role("heading", level=1).inner_text() == "Tillgänglighetsredogörelse"
        where = nojs.get_by_label("Vilken sida (adress eller namn), om du vet")
        assert where.input_value() == "/kurser/"
        nojs.get_by_role("button", name="Skicka rapporten").click()
        assert "Rapporten skickades inte" in nojs.get_by_role("alert").first.inner_text()
        nojs.get_by_label("Vad fungerade inte?").fill(
            "Filmen i modul 2 går inte att pausa med tangentbordet."
        )
        nojs.get_by_role("button", name="Skicka rapporten").click()
        assert "Tack! Din rapport har skickats" in nojs.get_by_role("status").inner_text()
        thanks_url = nojs.url
    finally:
        next(pages, None)
    page.goto(thanks_url)
    assert_accessible(page)

    report = ProblemReport.objects.get()
    assert report.page_url == "/kurser/"
    deadline = time.monotonic() + 20
    while not list(tmp_path.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.2)
    mails = [p.read_text() for p in tmp_path.iterdir()]
    assert len(mails) == 1, "the worker emails the responsible person once"
    assert "To: tillganglighet@demokommunen.se" in mails[0]
    assert "går inte att pausa" in mails[0]
    report.refresh_from_db()
    assert report.notified_at is not None
