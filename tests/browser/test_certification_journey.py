"""Workplace certification, end to end: the demo manager sees the unit's criteria and sends an
action plan; HR approves it and certifies the unit; the certificate downloads as a PDF."""

import re

import pypdf
import pytest
from playwright.sync_api import expect

from tests.browser.test_editor_journey import admin_log_in
from tests.browser.test_learner_journey import log_in
from tests.helpers import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _meet_the_computed_criteria(unit) -> None:
    from courses.models import CoursePage
    from people.models import Person
    from tests.certification.fixtures import give_completion

    norm = CoursePage.objects.get(slug="normdiplomering")
    metoo = CoursePage.objects.get(slug="fran-metoo-till-metod")
    for person in Person.objects.filter(unit__path__startswith=unit.path).select_related("user"):
        if not person.user.completions.filter(course_id=norm.pk).exists():
            give_completion(person.user, norm)
    for manager in unit.managers.all():
        if not manager.completions.filter(course_id=metoo.pk).exists():
            give_completion(manager, metoo)
    # Both APT films held last month at every workplace (unit with staff) in the subtree.
    import datetime

    from django.utils import timezone

    from certification.models import Criterion
    from workplace_meetings.models import MeetingStatus, WorkplaceMeeting

    films = Criterion.objects.get(kind="group_modules_held").module_ids
    staffed = set(
        Person.objects.filter(unit__path__startswith=unit.path).values_list("unit_id", flat=True)
    )
    day = timezone.localdate() - datetime.timedelta(days=30)
    WorkplaceMeeting.objects.bulk_create(
        WorkplaceMeeting(unit_id=u, module_id=f, date=day, status=MeetingStatus.HELD)
        for u in staffed
        for f in films
    )


def test_manager_sends_evidence_hr_approves_and_certifies(
    page, browser, live_server, demo_courses, demo_organisation, tmp_path
):
    from certification.demo import DEMO_UNIT, ensure_certification
    from certification.models import Certification, Evidence
    from people.models import OrgUnit
    from tests.certification.fixtures import MINIMAL_PDF

    password = demo_organisation
    ensure_certification()
    Evidence.objects.all().delete()  # the manager sends it in this journey
    unit = OrgUnit.objects.get(code=DEMO_UNIT)
    _meet_the_computed_criteria(unit)
    plan = tmp_path / "handlingsplan.pdf"
    plan.write_bytes(MINIMAL_PDF)

    # The manager: from Min enhet to the unit's certification page.
    log_in(page, "chef", password)
    page.goto(page.base_url + "/min-enhet/")
    page.get_by_role("link", name=re.compile(f"Certifiering av {unit.name}")).click()
    main = page.locator("main")
    table = main.locator("table.certification-criteria")
    assert table.locator("text=Uppfyllt").count() >= 3
    assert "Inte uppfyllt" in table.inner_text()
    assert "Båda APT-filmerna visade" in table.inner_text()
    assert "har gått kursen" in table.inner_text()
    assert_accessible(page)
    page.get_by_label("Fil").set_input_files(str(plan))
    page.get_by_label("Text").fill("Antagen på APT i november.")
    page.get_by_role("button", name="Skicka till HR").click()
    expect(page.locator("#messages")).to_contain_text("Underlaget är skickat till HR")
    expect(main).to_contain_text("väntar på granskning")
    assert_accessible(page)

    # HR: the list, the unit, approve, certify, download.
    hr = browser.new_context(locale="sv-SE", reduced_motion="reduce").new_page()
    hr.base_url = live_server.url
    admin_log_in(hr, "hr", password)
    hr.goto(live_server.url + "/admin/certification/")
    assert_accessible(hr)
    hr.get_by_role("link", name=re.compile(re.escape(f"{unit.name} ({unit.code})"))).click()
    assert_accessible(hr)
    hr.get_by_role("button", name="Godkänn").click()
    expect(hr.locator("body")).to_contain_text("Underlaget är godkänt.")
    hr.get_by_role("button", name="Certifiera enheten").click()
    expect(hr.locator("body")).to_contain_text("Enheten är certifierad till och med")
    assert_accessible(hr)
    with hr.expect_download() as download:
        hr.get_by_role("link", name=re.compile("Ladda ner \\(PDF\\)")).click()
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(download.value.path()).pages)
    assert unit.name in text and "Jämställd arbetsplats" in text and "Certifikat" in text
    hr.context.close()
    assert Certification.objects.filter(unit=unit).count() == 1

    # The manager sees the certificate on the unit's page.
    page.reload()
    expect(page.locator("main")).to_contain_text("certifierad till och med")
    with page.expect_download() as download:
        page.get_by_role("link", name="Ladda ner certifikatet (PDF)").click()
    assert download.value.path().read_bytes()[:5] == b"%PDF-"
    assert_accessible(page)
