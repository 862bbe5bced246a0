"""HR writes a rule in the admin; a worker assigns the course; the learner sees it with its due
date; HR exempts a person with a reason. Keyboard-free clicks, axe on every page."""

from __future__ import annotations

import re

import pytest

from assignments.models import Assignment, AssignmentRule
from lms.demo import DEFAULT_DEMO_PASSWORD
from tests.browser.test_editor_journey import admin_log_in
from tests.helpers import assert_accessible, require_postgres, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_hr_assigns_a_course_and_the_learner_sees_it(
    page, demo_courses, demo_organisation, celery_worker
):
    # The worker writes while the admin page reads: SQLite's shared in-memory test database
    # answers that with "table is locked" instead of waiting, so this journey needs PostgreSQL.
    require_postgres()
    course = demo_courses["normdiplomering"]
    admin_log_in(page, "hr", DEFAULT_DEMO_PASSWORD)
    page.goto(page.base_url + "/admin/assignments/rules/")
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("Lägg till")).first.click()
    page.wait_for_url("**/assignments/rules/new/")
    page.locator("#id_name").fill("Normdiplomering för alla")
    page.get_by_role("button", name=re.compile("Välj en sida")).click()
    modal = page.locator(".modal-content")
    modal.get_by_role("link", name=course.title).click()
    page.locator("#id_unit").select_option(index=1)
    page.locator("#id_audience").select_option("everyone")
    page.locator("#id_due_days").fill("30")
    assert_accessible(page)
    page.get_by_role("button", name="Skapa").click()
    page.wait_for_url("**/assignments/rules/")
    assert "tilldelningarna uppdateras" in page.locator(".messages").inner_text().lower()
    rule = AssignmentRule.objects.get()
    assert rule.course_id == course.pk

    # The worker evaluates the new rule.
    assert wait_for(
        lambda: Assignment.objects.filter(
            course_id=course.pk, user__username="medarbetare"
        ).exists()
    )

    # HR exempts the learner, giving a reason; without one, the form says so.
    page.goto(page.base_url + "/admin/assignments/list/?q=Lindqvist")
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("Alva Lindqvist")).first.click()
    page.locator("#id_exempt").check()
    page.get_by_role("button", name="Spara").click()
    assert "Ange varför personen är undantagen." in page.locator("main").inner_text()
    assert_accessible(page)
    page.locator("#id_exemption_reason").fill("Gick normdiplomeringen i Borås 2025")
    page.get_by_role("button", name="Spara").click()
    page.wait_for_url("**/assignments/list/")

    # The learner sees the assignment as exempted; another assigned course stays to do.
    page.context.clear_cookies()
    page.goto(page.base_url + "/accounts/login/")
    page.get_by_label("Användarnamn").fill("medarbetare")
    page.get_by_label("Lösenord").fill(DEFAULT_DEMO_PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.goto(page.base_url + "/mina-kurser/")
    section = page.locator("section[aria-labelledby=assigned-heading]")
    assert course.title in section.inner_text() and "Undantagen" in section.inner_text()
    assert_accessible(page)
