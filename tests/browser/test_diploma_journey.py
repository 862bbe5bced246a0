"""A learner downloads their diploma from Mina kurser, and anyone verifies it by its address."""

import re

import pypdf
import pytest

from tests.browser.test_learner_journey import log_in
from tests.factories import make_course
from tests.helpers import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_learner_downloads_diploma_and_the_verify_link_confirms_it(
    page, browser, live_server, demo_users, catalogue, settings
):
    from django.contrib.auth import get_user_model

    from progress import services

    settings.DIPLOMA_BASE_URL = live_server.url
    learner = get_user_model().objects.get(username="medarbetare")
    course = make_course(catalogue, title="Jämställdhet i vardagen", modules=1)
    module = course.get_children().live().first().specific
    services.module_start(user=learner, module=module)
    services.module_complete(user=learner, module=module)

    log_in(page, "medarbetare", demo_users)
    page.goto(page.base_url + "/mina-kurser/")
    link = page.get_by_role("link", name=re.compile("Ladda ner ditt diplom"))
    assert link.count() == 1
    assert_accessible(page)
    with page.expect_download() as download_info:
        link.click()
    path = download_info.value.path()
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(path).pages)
    assert "Alva Lindqvist" in text and "Jämställdhet i vardagen" in text
    url = re.search(r"(https?://\S+/verify/[0-9A-Z-]+/)", text).group(1)

    # The verify address works for anybody, without logging in.
    stranger = browser.new_context(locale="sv-SE", reduced_motion="reduce").new_page()
    stranger.goto(url)
    main = stranger.locator("main").inner_text()
    assert "Diplomet är äkta och giltigt." in main
    assert "Alva Lindqvist" in main and "Jämställdhet i vardagen" in main
    assert stranger.locator('meta[name="robots"]').get_attribute("content").startswith("noindex")
    assert_accessible(stranger)

    # The form: a code typed with spaces and small letters lands on the same page.
    code = url.rstrip("/").rsplit("/", 1)[1]
    stranger.goto(live_server.url + "/verify/")
    assert_accessible(stranger)
    stranger.get_by_label("Verifieringskod").fill(code.replace("-", " ").lower())
    stranger.get_by_role("button", name="Kontrollera diplomet").click()
    assert "Diplomet är äkta och giltigt." in stranger.locator("main").inner_text()

    # An unknown code says so plainly.
    stranger.goto(live_server.url + "/verify/0000-0000-0000-0000/")
    assert "Det finns inget diplom med den koden" in stranger.locator("main").inner_text()
    assert_accessible(stranger)
    stranger.context.close()
