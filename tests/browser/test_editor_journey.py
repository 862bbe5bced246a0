"""An editor authors a course in the Wagtail admin; learners see it until it is unpublished."""

import re

import pytest

from courses.models import CoursePage
from progress.models import CourseProgress
from tests.browser.test_learner_journey import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def admin_log_in(page, username, password):
    page.goto(page.base_url + "/admin/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(page.base_url + "/admin/")


def set_slug(page, slug: str) -> None:
    # Set explicitly: the admin's title-to-slug sync runs asynchronously in the browser.
    page.get_by_role("tab", name="Marknadsför").click()
    page.locator("#id_slug").fill(slug)
    page.get_by_role("tab", name="Innehåll").click()


def publish(page):
    page.locator("footer .dropdown-toggle, [data-w-dropdown-target='toggle']").last.click()
    page.locator("button[name=action-publish]").click()
    page.wait_for_load_state()
    errors = page.locator(".error-message").all_inner_texts()
    assert "publicerad" in page.locator(".messages").inner_text(), errors


def test_editor_creates_previews_publishes_and_unpublishes_a_course(
    page, browser, catalogue, demo_users
):
    admin_log_in(page, "redaktor", demo_users)
    page.goto(f"{page.base_url}/admin/pages/add/courses/coursepage/{catalogue.pk}/")
    page.locator("#id_title").fill("Likabehandling i mötet med invånare")
    set_slug(page, "likabehandling-i-motet")
    page.locator("#id_summary").fill("Hur vi ger alla invånare samma service och respekt.")
    publish(page)
    course = CoursePage.objects.get(title="Likabehandling i mötet med invånare")
    assert course.live

    for number in (1, 2):
        page.goto(f"{page.base_url}/admin/pages/add/modules/modulepage/{course.pk}/")
        page.locator("#id_title").fill(f"Del {number}: bemötande")
        set_slug(page, f"del-{number}")
        page.locator("#id_intro").fill("En kort inledning till modulen.")
        if number == 1:
            # Preview shows the module as learners will see it, before anything is published.
            page.locator("[data-side-panel-toggle=preview]").click()
            preview = page.frame_locator("iframe#w-preview-iframe, .preview-panel iframe").first
            assert "Del 1: bemötande" in preview.locator("h1").inner_text(timeout=20_000)
            assert "Förhandsvisning" in preview.locator(".module-finish").inner_text()
        publish(page)
    course.refresh_from_db()
    assert course.get_children().live().count() == 2

    # A learner finds the course in the catalogue and starts it.
    learner_context = browser.new_context(locale="sv-SE")
    learner = learner_context.new_page()
    learner.base_url = page.base_url
    log_in(learner, "medarbetare", demo_users)
    learner.goto(learner.base_url + "/kurser/")
    learner.get_by_role("link", name="Likabehandling i mötet med invånare").click()
    learner.get_by_role("link", name="Starta kursen").click()
    learner.get_by_role("button", name=re.compile("Markera som klar")).click()
    assert CourseProgress.objects.filter(course_id=course.pk).count() == 1

    # Unpublishing hides the course from learners but keeps their progress.
    page.goto(f"{page.base_url}/admin/pages/{course.pk}/unpublish/")
    page.locator("main form button[type=submit], main form input[type=submit]").first.click()
    page.wait_for_load_state()
    course.refresh_from_db()
    assert not course.live
    learner.goto(learner.base_url + "/kurser/")
    assert "Likabehandling i mötet med invånare" not in learner.locator("main").inner_text()
    assert learner.goto(learner.base_url + course.url_path.replace("/start", "", 1)).status == 404
    assert CourseProgress.objects.filter(course_id=course.pk).count() == 1
    learner_context.close()
