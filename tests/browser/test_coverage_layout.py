"""HR's coverage pages fit the screen (issue 11, acceptance 5): at 1280 px with the Wagtail
sidebar open and at 320 px, every column header of the overview and the drill-down is visible
or reachable by scrolling a labelled, focusable region with the keyboard; axe-core is clean."""

from __future__ import annotations

import datetime

import pytest

from people.models import OrgUnit
from reports.models import CoverageGoal
from tests.browser.test_editor_journey import admin_log_in
from tests.helpers import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _inside(page, locator) -> bool:
    box = locator.bounding_box()
    width = page.viewport_size["width"]
    return box is not None and box["x"] >= -1 and box["x"] + box["width"] <= width + 1


def assert_headers_reachable(page) -> None:
    headers = page.locator("main table.report-table thead th")
    assert headers.count() > 0
    for index in range(headers.count()):
        header = headers.nth(index)
        header.evaluate("h => h.closest('.report-scroll')?.scrollTo(0, 0)")
        if _inside(page, header):
            continue
        region = header.locator("xpath=ancestor::div[contains(@class, 'report-scroll')][1]")
        assert region.count() == 1, f"header {header.inner_text()!r} cut and not in a region"
        assert region.get_attribute("role") == "region"
        assert region.get_attribute("aria-label")
        assert region.get_attribute("tabindex") == "0"
        region.focus()
        for _press in range(60):
            if _inside(page, header):
                break
            page.keyboard.press("ArrowRight")
        assert _inside(page, header), f"header {header.inner_text()!r} not reachable by keyboard"


@pytest.mark.parametrize(
    "width",
    [1280, 390, 320],
)
def test_overview_and_drill_down_fit(page, demo_organisation, width):
    top = OrgUnit.get_root_nodes().first()
    CoverageGoal.objects.create(
        name="Åttio procent", target_percent=80, deadline=datetime.date(2027, 12, 31), unit=top
    )
    page.set_viewport_size({"width": width, "height": 900})
    page.set_default_navigation_timeout(60_000)  # the shared test machine is slow
    page.set_default_timeout(60_000)
    admin_log_in(page, "hr", demo_organisation)
    if width == 1280:
        # HR's admin home shows the goals panel (issue 11, item 6).
        panel = page.locator("section.report-home")
        assert panel.get_by_role("heading", name="Mål för täckningsgrad").is_visible()
        assert "Åttio procent" in panel.inner_text()
        assert_accessible(page)
    page.goto(page.base_url + "/admin/coverage/")
    if width == 1280:
        # The sidebar is open (Wagtail's default at this width): main starts beside it.
        assert page.locator("main").bounding_box()["x"] >= 150
    assert "Täckningsgrad" in page.locator("main").inner_text()
    assert_headers_reachable(page)
    assert_accessible(page)
    # The trend chart is not cut: the drawing fits its section.
    chart = page.locator("main .report-chart svg")
    assert _inside(page, chart)
    link = page.locator("main table.report-table tbody th a").first
    link.click()
    page.wait_for_url("**/admin/coverage/units/**")
    assert_headers_reachable(page)
    assert_accessible(page)
