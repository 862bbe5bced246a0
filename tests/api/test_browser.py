"""In a browser: the API docs load only from our own host, and an administrator creates a
token and copies its secret from an accessible page."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from api.models import IntegrationToken
from people.models import OrgUnit
from tests.browser.test_editor_journey import admin_log_in
from tests.helpers import assert_accessible
from tests.security.test_third_party_requests import RecordingBrowser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_api_docs_load_nothing_from_another_host(browser, live_server):
    recording = RecordingBrowser(browser, live_server)
    try:
        recording.visit("/api/v1/docs")
        recording.page.locator(".swagger-ui .info .title").wait_for()
        assert "Normkritik LMS API" in recording.page.locator(".swagger-ui .info").inner_text()
        assert recording.page.locator(".opblock-summary-path").count() >= 10
        assert recording.foreign() == []
    finally:
        recording.close()


def test_an_administrator_creates_a_token_and_copies_it(page, demo_site):
    get_user_model().objects.create_superuser("root", "root@example.org", "x-Pass-12345")
    unit = OrgUnit.add_root(instance=OrgUnit(code="K", name="Kommunen"))
    admin_log_in(page, "root", "x-Pass-12345")
    page.goto(page.base_url + "/admin/api-tokens/new/")
    assert_accessible(page)
    page.locator("#id_name").fill("Personalsystemet")
    page.get_by_label("Personer (anställningsnummer, enhet, roll)").check()
    page.locator("#id_units").select_option(str(unit.pk))
    expires = timezone.localdate() + datetime.timedelta(days=30)
    page.locator("#id_expires_at").fill(f"{expires.isoformat()} 00:00")
    page.keyboard.press("Escape")  # the date picker
    page.locator("#id_name").click()
    page.locator("button.button-longrunning[type=submit]").click()
    secret = page.locator("#token-secret")
    secret.wait_for()
    assert secret.input_value().startswith("nlms_")
    assert_accessible(page)
    assert IntegrationToken.objects.get().name == "Personalsystemet"
