"""Administrators create tokens in the Wagtail admin (the secret is shown once) and revoke them."""

from __future__ import annotations

import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from api import services
from api.models import IntegrationToken, RequestLog
from people.models import OrgUnit
from tests.reports.conftest import make_hr

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    admin = get_user_model().objects.create_superuser("root", "root@example.org", "x-Pass-12345")
    client.force_login(admin)
    return client


@pytest.fixture
def unit(db):
    return OrgUnit.add_root(instance=OrgUnit(code="K", name="Kommunen"))


def form(unit, **fields):
    expires = (timezone.localdate() + datetime.timedelta(days=90)).isoformat()
    return {
        "name": "Personalsystemet",
        "scopes": ["people", "completions"],
        "units": [unit.pk],
        "expires_at": f"{expires} 00:00",
        **fields,
    }


def test_an_administrator_creates_a_token_and_sees_the_secret_once(admin_client, unit):
    response = admin_client.post("/admin/api-tokens/new/", form(unit))
    assert response.status_code == 200, response.content[:2000]
    assert "no-store" in response["Cache-Control"]
    secret = re.search(r'value="(nlms_[^"]+)"', response.content.decode()).group(1)
    token = IntegrationToken.objects.get()
    assert token.secret_hash == services.hash_secret(secret)
    assert token.scopes == ["completions", "people"]
    assert list(token.units.all()) == [unit] and not token.whole_organisation
    assert token.created_by.username == "root"
    # Never again: not in the listing, not on the edit page.
    for url in ("/admin/api-tokens/", f"/admin/api-tokens/edit/{token.pk}/"):
        page = admin_client.get(url)
        assert page.status_code == 200
        assert secret not in page.content.decode()
        assert secret[len(services.TOKEN_PREFIX) + 6 :] not in page.content.decode()
    # And it works.
    api = admin_client.get("/api/v1/people", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert api.status_code == 200


def test_units_or_the_whole_organisation_must_be_chosen_explicitly(admin_client, unit):
    response = admin_client.post("/admin/api-tokens/new/", form(unit, units=[]))
    assert response.status_code == 200 and not IntegrationToken.objects.exists()
    assert "hela organisationen" in response.content.decode()
    response = admin_client.post("/admin/api-tokens/new/", form(unit, whole_organisation="on"))
    assert not IntegrationToken.objects.exists()
    response = admin_client.post(
        "/admin/api-tokens/new/", form(unit, units=[], whole_organisation="on")
    )
    assert IntegrationToken.objects.get().whole_organisation


def test_an_administrator_revokes_a_token_and_reads_its_log(admin_client, unit):
    token, secret = services.token_create(
        name="BI",
        scopes=["units"],
        units=[unit],
        expires_at=timezone.now() + datetime.timedelta(days=1),
    )
    admin_client.get("/api/v1/units", HTTP_AUTHORIZATION=f"Bearer {secret}")
    log = admin_client.get(f"/admin/api-tokens/{token.pk}/requests/")
    assert log.status_code == 200 and "api_units" in log.content.decode()
    assert admin_client.get(f"/admin/api-tokens/{token.pk}/revoke/").status_code == 200
    response = admin_client.post(f"/admin/api-tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by.username == "root"
    assert (
        admin_client.get("/api/v1/units", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401
    )
    assert RequestLog.objects.filter(token=token).count() == 2
    # Tokens are revoked, not deleted.
    assert admin_client.get(f"/admin/api-tokens/delete/{token.pk}/").status_code in (302, 403, 404)
    assert IntegrationToken.objects.filter(pk=token.pk).exists()


def test_hr_cannot_create_or_revoke_tokens(client, unit):
    hr = make_hr("hr-k", unit)
    client.force_login(hr)
    token, _secret = services.token_create(
        name="BI",
        scopes=["units"],
        units=[unit],
        expires_at=timezone.now() + datetime.timedelta(days=1),
    )
    assert client.post("/admin/api-tokens/new/", form(unit)).status_code == 302
    assert client.post(f"/admin/api-tokens/{token.pk}/revoke/").status_code in (302, 403)
    assert client.get(f"/admin/api-tokens/{token.pk}/requests/").status_code in (302, 403)
    token.refresh_from_db()
    assert token.revoked_at is None and IntegrationToken.objects.count() == 1
