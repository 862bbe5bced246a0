"""HR uploads the HR system's file in the admin, checks the preview, applies it."""

import re

import pytest

from people.models import OrgUnit, Person
from people.sample import as_csv, sample_rows
from tests.browser.test_editor_journey import admin_log_in
from tests.helpers import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_hr_uploads_previews_and_applies_an_employee_file(page, demo_organisation, tmp_path):
    demo_users = demo_organisation
    # The next month's file: the same people, five new hires and one move.
    rows = sample_rows(demo=True)
    people_before = Person.objects.count()
    hires = [
        dict(rows[-4], **{"Anställningsnummer": f"N{n}", "E-post": f"ny{n}@exempelkommun.se"})
        for n in range(5)
    ]
    moved = next(r for r in rows if r["Chef"] == "Nej" and r["Enhetskod"] != "KUF01")
    moved.update({"Enhetskod": "KUF01", "Enhetsnamn": "Biblioteket", "Överordnad enhetskod": "KUF"})
    rows += hires
    good = tmp_path / "personal.csv"
    good.write_bytes(as_csv(rows))
    bad_rows = [dict(row) for row in rows]
    bad_rows[4]["Anställningsdatum"] = "31/12/2020"
    bad = tmp_path / "fel.csv"
    bad.write_bytes(as_csv(bad_rows))

    admin_log_in(page, "hr", demo_users)
    page.goto(page.base_url + "/admin/employee-imports/")
    assert_accessible(page)
    page.get_by_role("link", name="Ladda upp en ny fil").click()
    page.wait_for_url("**/employee-imports/new/")
    assert_accessible(page)

    # A file with an error: nothing is imported, and the row and column are named.
    page.get_by_label("Personalfil från HR-systemet").set_input_files(str(bad))
    page.get_by_role("button", name="Kontrollera filen").click()
    page.wait_for_url(re.compile(r".*/employee-imports/\d+/$"))
    errors = page.locator("#import-errors").inner_text()
    assert "rad 6, kolumn Anställningsdatum: ”31/12/2020” är inget datum" in errors
    assert_accessible(page)
    assert Person.objects.count() == people_before

    page.get_by_role("link", name="Ladda upp en rättad fil").click()
    page.wait_for_url("**/employee-imports/new/")
    page.get_by_label("Personalfil från HR-systemet").set_input_files(str(good))
    page.get_by_role("button", name="Kontrollera filen").click()
    page.wait_for_url(re.compile(r".*/employee-imports/\d+/$"))
    summary = page.locator("#import-summary").inner_text()
    assert "Nya personer\t5" in summary and "Ändrade personer\t1" in summary
    assert "Personer som har slutat\t0" in summary
    assert "Det här kommer att ändras" in page.locator("main").inner_text()
    assert_accessible(page)
    assert Person.objects.count() == people_before  # the dry run changed nothing

    with page.expect_navigation():
        page.get_by_role("button", name="Genomför importen").click()
    assert "Importen är genomförd" in page.locator(".messages").inner_text()
    assert "Det här ändrades" in page.locator("main").inner_text()
    assert page.locator("#import-status").inner_text() == "Genomförd"
    assert_accessible(page)
    assert Person.objects.count() == people_before + 5
    assert Person.objects.get(employee_number=moved["Anställningsnummer"]).unit.code == "KUF01"
    assert OrgUnit.objects.count() == len({row["Enhetskod"] for row in rows})
