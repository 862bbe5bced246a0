"""Acceptance 1: an association registers, confirms its email, is approved by HR, invites two
members who complete the course; it appears on the public list and its diploma verifies.

Every page on the way is checked with axe-core. Links are read from Django's mail outbox
(the test settings' locmem backend; the live server runs in this process).
"""

import re

import pypdf
import pytest
from django.core import mail

from tests.browser.test_learner_journey import log_in
from tests.external_organisations.conftest import link_in, orgnr
from tests.factories import make_course
from tests.helpers import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Forening-losen-2026"


def _mail_to(address: str, contains: str):
    return next(m for m in reversed(mail.outbox) if address in m.to and contains in m.body)


def test_association_registers_is_approved_and_earns_a_listed_diploma(
    page, browser, live_server, demo_users, catalogue, settings
):
    from external_organisations.models import CourseOffering, DiplomatedOrganisationsPage
    from progress import services

    settings.DIPLOMA_BASE_URL = live_server.url
    course = make_course(catalogue, title="Mångfald i föreningslivet", modules=1)
    CourseOffering.objects.create(course=course, min_members=2)
    listing = DiplomatedOrganisationsPage(
        title="Diplomerade organisationer", slug="diplomerade-organisationer"
    )
    catalogue.get_parent().add_child(instance=listing)
    listing.save_revision().publish()
    base = live_server.url

    # 1. The association registers (no login) and confirms the contact's email.
    page.goto(base + "/organisationer/registrera/")
    assert_accessible(page)
    page.get_by_label("Organisationens namn").fill("Byns Bollklubb")
    page.get_by_label("Organisationsnummer").fill(orgnr("802468135"))
    page.get_by_label("Kontaktpersonens namn").fill("Sanna Berg")
    page.get_by_label("Kontaktpersonens e-postadress").fill("sanna@bollklubb.example")
    page.get_by_label(re.compile("När vi är diplomerade")).check()
    page.get_by_role("button", name="Registrera").click()
    assert "Tack för er registrering" in page.locator("main").inner_text()
    assert_accessible(page)
    page.goto(base + link_in(_mail_to("sanna@bollklubb.example", "bekrafta"), "/organisationer/"))
    assert_accessible(page)
    page.get_by_role("button", name="Bekräfta").click()
    assert "Din e-postadress är bekräftad" in page.locator("main").inner_text()

    # 2. HR approves it in the admin, with a message.
    hr = browser.new_context(locale="sv-SE", reduced_motion="reduce").new_page()
    hr.base_url = base
    log_in(hr, "hr", demo_users)
    hr.goto(base + "/admin/external-organisations/")
    hr.get_by_role("link", name="Byns Bollklubb").click()
    assert_accessible(hr)
    hr.get_by_label("Meddelande till organisationen").fill("Välkomna, lycka till!")
    hr.get_by_role("button", name="Godkänn").click()
    assert "Byns Bollklubb" in hr.locator("main").inner_text()
    hr.context.close()

    # 3. The contact chooses a password with the link in the approval and invites two members.
    approval = _mail_to("sanna@bollklubb.example", "Välkomna, lycka till!")
    page.goto(base + link_in(approval, "/accounts/reset/"))
    page.locator("input[name=new_password1]").fill(PASSWORD)
    page.locator("input[name=new_password2]").fill(PASSWORD)
    page.get_by_role("button", name="Spara nytt lösenord").click()
    log_in(page, "sanna@bollklubb.example", PASSWORD)
    page.goto(base + "/organisationer/min-organisation/")
    assert_accessible(page)
    page.get_by_label("E-postadresser").fill("ali@bollklubb.example\nbea@bollklubb.example")
    page.get_by_role("button", name="Skicka inbjudningar").click()
    assert "Skickade inbjudningar: 2." in page.locator("main").inner_text()
    assert_accessible(page)

    # 4. Each member accepts, logs in, sees the course and completes it.
    from django.contrib.auth import get_user_model

    for address, first in (("ali@bollklubb.example", "Ali"), ("bea@bollklubb.example", "Bea")):
        member = browser.new_context(locale="sv-SE", reduced_motion="reduce").new_page()
        member.base_url = base
        member.goto(base + link_in(_mail_to(address, "inbjudan"), "/organisationer/inbjudan/"))
        assert_accessible(member)
        member.get_by_label("Förnamn").fill(first)
        member.get_by_label("Efternamn").fill("Medlem")
        member.get_by_label("Välj ett lösenord").fill(PASSWORD)
        member.get_by_role("button", name="Skapa mitt konto").click()
        log_in(member, address, PASSWORD)
        member.goto(base + course.url)
        assert "Mångfald i föreningslivet" in member.locator("main").inner_text()
        user = get_user_model().objects.get(username=address)
        module = course.get_children().live().first().specific
        services.module_start(user=user, module=module)
        services.module_complete(user=user, module=module)
        member.context.close()

    # 5. The contact sees the criterion met and downloads the diploma; it verifies.
    page.goto(base + "/organisationer/min-organisation/")
    main = page.locator("main").inner_text()
    assert "Ladda ner diplomet (PDF)" in main
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Ladda ner diplomet (PDF)").click()
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(download_info.value.path()).pages)
    assert "Byns Bollklubb" in text and "Mångfald i föreningslivet" in text
    url = re.search(r"(https?://\S+/verify/[0-9A-Z-]+/)", text).group(1)

    stranger = browser.new_context(locale="sv-SE", reduced_motion="reduce").new_page()
    stranger.goto(url)
    assert "Organisationens diplom är äkta och giltigt." in stranger.locator("main").inner_text()
    assert_accessible(stranger)
    # 6. With its consent, the association is on the public list (no login needed).
    stranger.goto(base + "/diplomerade-organisationer/")
    row = stranger.get_by_role("row", name=re.compile("Byns Bollklubb"))
    assert "Mångfald i föreningslivet" in row.inner_text()
    assert_accessible(stranger)
    stranger.context.close()
