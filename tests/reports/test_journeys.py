"""Browser journeys: HR reads the coverage dashboard and drills down; a manager opens
"My unit". axe-core finds nothing on any of the pages."""

from __future__ import annotations

import re

import pytest

from tests.browser.test_editor_journey import admin_log_in
from tests.browser.test_learner_journey import log_in
from tests.factories import PASSWORD
from tests.helpers import assert_accessible
from tests.reports.conftest import make_hr

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_hr_opens_the_dashboard_and_drills_into_a_unit(page, tree):
    make_hr("hr-journey", tree.root)
    admin_log_in(page, "hr-journey", PASSWORD)
    page.goto(page.base_url + "/admin/coverage/")
    assert "Förvaltning A" in page.locator("main").inner_text()
    assert page.locator("table caption").count() >= 2  # units and the trend
    assert_accessible(page)

    # Only one course: the figures follow the filter.
    page.locator("#coverage-course").select_option(str(tree.x.pk))
    page.locator(".report-filter button[type=submit]").click()
    page.wait_for_url(re.compile(rf".*/admin/coverage/\?course={tree.x.pk}$"))
    total = page.locator("table.report-table tfoot tr").first.inner_text()
    assert "16" in total and "56" in total

    page.locator("table.report-table tbody th a", has_text="Förvaltning A").click()
    page.wait_for_url(re.compile(rf".*/admin/coverage/units/{tree.a.pk}/\?course={tree.x.pk}$"))
    text = page.locator("main").inner_text()
    assert "Enhet A1" in text and "Enhet A2" in text
    assert tree.people["w4"].get_full_name() in text  # overdue, by name
    assert_accessible(page)

    page.locator("table.report-table tbody th a", has_text="Enhet A1").click()
    page.wait_for_url(re.compile(rf".*/admin/coverage/units/{tree.a1.pk}/.*"))
    assert_accessible(page)
    with page.expect_download() as download:
        page.locator("a[href*='/export/units.csv']").click()
    assert download.value.suggested_filename.startswith("tackning-A1-enheter-")


def test_manager_opens_my_unit(page, tree):
    boss = tree.people["m1"]
    tree.a1.managers.add(boss)
    log_in(page, boss.username, PASSWORD)
    page.locator("nav a[href='/min-enhet/']").click()
    page.wait_for_url("**/min-enhet/")
    rows = page.locator("#my-unit-assignments tbody tr")
    assert rows.count() == 11
    assert tree.people["w4"].get_full_name() in rows.first.inner_text()  # overdue first
    assert tree.people["o1"].get_full_name() not in page.locator("main").inner_text()
    assert_accessible(page)

    page.locator("#my-unit-state").select_option("overdue")
    page.locator("form.filters button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/min-enhet/\?.*state=overdue"))
    assert page.locator("#my-unit-assignments tbody tr").count() == 1
    assert_accessible(page)


def test_someone_who_manages_nothing_is_told_so(page, tree):
    log_in(page, "w1", PASSWORD)
    assert page.locator("nav a[href='/min-enhet/']").count() == 0
    page.goto(page.base_url + "/min-enhet/")
    assert page.locator("h1").count() == 1
    assert page.locator("table").count() == 0
    assert_accessible(page)
