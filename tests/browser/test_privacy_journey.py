"""A learner looks at their own data and register extract; everything is accessible."""

import re

import pytest

from tests.browser.test_learner_journey import log_in
from tests.helpers import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_learner_sees_and_corrects_own_data_and_reads_the_extract(page, demo_organisation):
    log_in(page, "medarbetare", demo_organisation)
    page.get_by_role("link", name="Mina uppgifter").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Mina uppgifter"
    assert "Förskolan Solen" in page.locator("main").inner_text()
    assert_accessible(page)

    page.get_by_label("Annat eller inte angivet").check()
    page.get_by_role("button", name="Spara").click()
    assert "Sparat." in page.locator(".messages").inner_text()
    assert page.get_by_label("Annat eller inte angivet").is_checked()

    page.get_by_role("link", name="Visa mitt registerutdrag").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Registerutdrag"
    text = page.locator("main").inner_text()
    assert "D00001" in text and "medarbetare@demo.example" in text
    assert "chef@demo.example" not in text
    # Readable for any employee: no field names of the JSON extract, no Python literals.
    from django.contrib.auth import get_user_model

    from people import gdpr
    from tests.people.test_register_extract_page import PYTHON_LITERALS, SWEDISH_TOO, keys_of

    extract = gdpr.register_extract(get_user_model().objects.get(username="medarbetare"))
    keys = keys_of(extract) - SWEDISH_TOO
    assert [k for k in keys if re.search(rf"(?<![\w-]){re.escape(k)}(?![\w-])", text)] == []
    assert [literal for literal in PYTHON_LITERALS if literal in text] == []
    assert "Förnamn" in text and "Anställningsnummer" in text
    assert_accessible(page)


def test_english_interface_on_request(page, demo_site):
    page.goto(page.base_url + "/")
    page.get_by_label("Språk").select_option("en")
    page.get_by_role("button", name="Byt").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("link", name="Log in", exact=True).first.is_visible()
    assert_accessible(page)
