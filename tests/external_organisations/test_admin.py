"""The coordinator decides registrations in the admin; sees no employee data; housekeeping."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from external_organisations import services, tasks
from external_organisations.models import ExternalOrganisation, Invitation, Status
from tests.external_organisations.conftest import orgnr

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending(db):
    return ExternalOrganisation.objects.create(
        name="Hamnens Kulturförening",
        org_number=orgnr("802777777").replace("-", ""),
        contact_name="Ida Hamn",
        contact_email="ida@hamnen.example",
        status=Status.PENDING,
    )


def test_decline_without_message_is_refused_and_changes_nothing(client, coordinator, pending):
    client.force_login(coordinator)
    url = f"/admin/external-organisations/{pending.pk}/"
    response = client.post(url, {"decision": "decline", "message": ""})
    assert response.status_code == 200
    assert "Skriv ett meddelande" in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == Status.PENDING and mail.outbox == []


def test_decline_with_message(client, coordinator, pending, django_capture_on_commit_callbacks):
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/admin/external-organisations/{pending.pk}/",
            {"decision": "decline", "message": "Föreningen ligger i en annan kommun."},
        )
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == Status.DECLINED and pending.decided_by == coordinator
    assert "annan kommun" in mail.outbox[0].body


def test_approving_twice_is_refused(client, coordinator, pending):
    client.force_login(coordinator)
    url = f"/admin/external-organisations/{pending.pk}/"
    assert client.post(url, {"decision": "approve", "message": ""}).status_code == 302
    again = client.post(url, {"decision": "approve", "message": ""})
    assert "Bara en registrering som väntar på beslut" in again.content.decode()
    assert pending.memberships.count() == 1


def test_unconfirmed_registrations_are_not_shown_to_hr(client, coordinator, pending):
    pending.status = Status.UNCONFIRMED
    pending.save()
    client.force_login(coordinator)
    assert client.get(f"/admin/external-organisations/{pending.pk}/").status_code == 404
    assert "Hamnens" not in client.get("/admin/external-organisations/").content.decode()


def test_coordinator_sees_no_employee_data(client, coordinator):
    client.force_login(coordinator)
    for url in ("/admin/organisation/people/", "/admin/coverage/", "/admin/diplomas/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == "/admin/", url


def test_housekeeping_expires_invitations_and_stale_registrations(approved, pending):
    Invitation.objects.create(
        organisation=approved,
        email="gammal@x.example",
        token_hash="x" * 64,
        expires_at=timezone.now() + datetime.timedelta(days=1),
    )
    stale = ExternalOrganisation.objects.create(
        name="Aldrig bekräftad",
        org_number=orgnr("802888888").replace("-", ""),
        contact_name="N N",
        contact_email="nn@x.example",
    )
    with time_machine.travel(timezone.now() + datetime.timedelta(days=3)):
        result = tasks.housekeeping.apply().get()
    assert result == {"invitations_expired": 1, "registrations_removed": 1, "awards": 0}
    assert not ExternalOrganisation.objects.filter(pk=stale.pk).exists()
    assert ExternalOrganisation.objects.filter(pk=pending.pk).exists()
    assert services.invitations_expire() == 0
