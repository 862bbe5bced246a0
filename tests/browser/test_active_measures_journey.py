"""HR opens the active-measures report, checks the preview and downloads the PDF and the XLSX
(issue 17, item 2); axe-core clean, no CSP violation (the page fixture listens)."""

from __future__ import annotations

import io

import pypdf
import pytest
from openpyxl import load_workbook

from people.models import HRScope
from reports import selectors
from tests.browser.test_editor_journey import admin_log_in
from tests.factories import make_course
from tests.helpers import assert_accessible
from tests.reports.conftest import add_person, assign

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_hr_opens_the_report_and_downloads_both_files(page, demo_organisation, catalogue):
    from django.contrib.auth import get_user_model

    hr = get_user_model().objects.get(username="hr")
    unit = HRScope.objects.filter(user=hr).select_related("unit").first().unit
    course = make_course(catalogue, title="Likabehandling på jobbet", modules=1)
    for n, state in enumerate(["completed", "completed", "not_started", "overdue"]):
        assign(add_person(unit, username=f"am{n}"), course, state)

    page.set_default_navigation_timeout(60_000)  # the shared test machine is slow
    page.set_default_timeout(60_000)
    admin_log_in(page, "hr", demo_organisation)
    page.goto(page.base_url + "/admin/")
    page.get_by_role("button", name="Rapporter").click()
    page.get_by_role("link", name="Rapport om aktiva åtgärder").click()
    page.wait_for_url("**/admin/active-measures/")
    assert_accessible(page)

    page.get_by_label("Enhet").select_option(str(unit.pk))
    page.get_by_role("button", name="Visa rapport").click()
    page.wait_for_url("**/admin/active-measures/?*")
    main = page.locator("main")
    assert main.get_by_role(
        "heading", name=f"Aktiva åtgärder: utbildning i {unit.name}"
    ).is_visible()
    assert main.get_by_role("heading", name="Vad lagen kräver").is_visible()
    assert main.get_by_role("heading", name="Metod och skydd för små grupper").is_visible()
    assert_accessible(page)

    (expected,) = selectors.coverage_by_unit(parents=[unit], course_id=course.pk)
    with page.expect_download() as pdf_download:
        page.get_by_role("link", name="Ladda ner PDF").click()
    assert pdf_download.value.suggested_filename.endswith(".pdf")
    reader = pypdf.PdfReader(pdf_download.value.path())
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert reader.metadata.title == f"Aktiva åtgärder: utbildning i {unit.name}"
    line = f"{course.title} {expected.total.assigned} {expected.total.completed} "
    assert line + f"{expected.total.coverage} %" in text

    with page.expect_download() as xlsx_download:
        page.get_by_role("link", name="Ladda ner Excel (XLSX)").click()
    assert xlsx_download.value.suggested_filename.endswith(".xlsx")
    with open(xlsx_download.value.path(), "rb") as handle:
        sheet = load_workbook(io.BytesIO(handle.read())).worksheets[0]
    row = next(r for r in sheet.iter_rows(values_only=True) if r and r[0] == course.title)
    assert row[1:4] == (
        expected.total.assigned,
        expected.total.completed,
        f"{expected.total.coverage} %",
    )
