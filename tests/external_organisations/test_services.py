"""Registration, decision, invitations, award and leaving, as services; acceptance 2's bad input."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.utils import timezone

from external_organisations import selectors, services
from external_organisations.models import (
    ExternalOrganisation,
    Invitation,
    Membership,
    OrganisationAward,
    Status,
)
from people.gdpr import anonymise_everywhere, register_extract
from tests.external_organisations.conftest import add_members, complete, orgnr

pytestmark = pytest.mark.django_db


def _register(callbacks, **overrides):
    data = {
        "name": "Norrbottens Byggare AB",
        "org_number": orgnr("556000000").replace("-", ""),
        "contact_name": "Ali Nord",
        "contact_email": "ali@bygg.example",
        "consent": True,
        **overrides,
    }
    with callbacks(execute=True):
        return services.registration_submit(**data)


def _state():
    """Everything a refused request must leave as it was."""
    return (
        list(ExternalOrganisation.objects.order_by("pk").values()),
        list(Invitation.objects.order_by("pk").values()),
        list(Membership.objects.order_by("pk").values()),
        get_user_model().objects.count(),
    )


def test_registration_sends_a_confirmation_link_and_waits(django_capture_on_commit_callbacks):
    organisation = _register(django_capture_on_commit_callbacks)
    assert organisation.status == Status.UNCONFIRMED
    assert mail.outbox[0].to == ["ali@bygg.example"]
    assert "/organisationer/bekrafta/" in mail.outbox[0].body
    services.registration_confirm(token=services.confirmation_token(organisation))
    organisation.refresh_from_db()
    assert organisation.status == Status.PENDING and organisation.email_confirmed_at


def test_wrong_check_digit_is_refused_in_swedish():
    from external_organisations.forms import RegistrationForm

    good = orgnr("556000000")
    bad = good[:-1] + str((int(good[-1]) + 1) % 10)
    form = RegistrationForm(
        {"name": "X", "org_number": bad, "contact_name": "Y", "contact_email": "y@x.example"}
    )
    assert not form.is_valid()
    assert "kontrollsiffran" in form.errors["org_number"][0]
    assert ExternalOrganisation.objects.count() == 0


def test_duplicate_organisation_number_is_not_saved(django_capture_on_commit_callbacks):
    _register(django_capture_on_commit_callbacks)
    before = _state()
    mail.outbox.clear()
    again = _register(django_capture_on_commit_callbacks, contact_email="annan@bygg.example")
    assert again is None and _state() == before
    # The page says the same as for a new registration; the mail tells the address's owner.
    assert "Organisationsnumret är redan registrerat" in mail.outbox[0].body


def test_same_email_registering_twice_is_not_saved(django_capture_on_commit_callbacks):
    _register(django_capture_on_commit_callbacks)
    before = _state()
    mail.outbox.clear()
    again = _register(
        django_capture_on_commit_callbacks,
        name="Annan förening",
        org_number=orgnr("802111111").replace("-", ""),
    )
    assert again is None and _state() == before
    assert "e-postadressen är redan registrerad" in mail.outbox[0].body


def test_expired_confirmation_link_is_refused(django_capture_on_commit_callbacks):
    organisation = _register(django_capture_on_commit_callbacks)
    token = services.confirmation_token(organisation)
    before = _state()
    with (
        time_machine.travel(timezone.now() + datetime.timedelta(days=3)),
        pytest.raises(services.ExternalError) as error,
    ):
        services.registration_confirm(token=token)
    assert "har gått ut" in str(error.value)
    assert _state() == before


def test_confirmation_link_works_once_and_forged_ones_never(django_capture_on_commit_callbacks):
    organisation = _register(django_capture_on_commit_callbacks)
    token = services.confirmation_token(organisation)
    services.registration_confirm(token=token)
    with pytest.raises(services.ExternalError):
        services.registration_confirm(token=token)
    with pytest.raises(services.ExternalError):
        services.registration_confirm(token=token[:-2] + "xx")


def test_decline_needs_a_message_and_sends_it(coordinator, django_capture_on_commit_callbacks):
    organisation = _register(django_capture_on_commit_callbacks)
    services.registration_confirm(token=services.confirmation_token(organisation))
    with pytest.raises(services.ExternalError):
        services.organisation_decline(organisation=organisation, user=coordinator, message=" ")
    with django_capture_on_commit_callbacks(execute=True):
        services.organisation_decline(
            organisation=organisation, user=coordinator, message="Ni finns inte i kommunen."
        )
    organisation.refresh_from_db()
    assert organisation.status == Status.DECLINED
    assert "Ni finns inte i kommunen." in mail.outbox[-1].body


def test_approval_creates_a_contact_without_person(approved):
    contact = Membership.objects.get(organisation=approved, is_contact=True).user
    assert not hasattr(contact, "person") or contact.person is None
    assert selectors.contact_organisation(contact) == approved


def test_invitations_are_one_time_and_expire(approved, django_capture_on_commit_callbacks):
    contact = approved.memberships.get().user
    with django_capture_on_commit_callbacks(execute=True):
        result = services.invitations_send(
            organisation=approved, user=contact, addresses=["a@x.example", "b@x.example"]
        )
    assert result.sent == ["a@x.example", "b@x.example"]
    token = mail.outbox[0].body.split("/organisationer/inbjudan/")[1].split("/")[0]
    services.invitation_accept(
        token=token, first_name="A", last_name="A", password="Losenord-langt-77"
    )
    before = _state()
    with pytest.raises(services.ExternalError):
        services.invitation_accept(
            token=token, first_name="A", last_name="A", password="Losenord-langt-77"
        )
    assert _state() == before
    # The second link, after its 14 days: refused with a Swedish message, nothing changes.
    token_b = mail.outbox[1].body.split("/organisationer/inbjudan/")[1].split("/")[0]
    with time_machine.travel(timezone.now() + datetime.timedelta(days=15)):
        with pytest.raises(services.ExternalError) as error:
            services.invitation_accept(
                token=token_b, first_name="B", last_name="B", password="Losenord-langt-77"
            )
        assert "har gått ut" in str(error.value)
        assert _state() == before
        assert services.invitations_expire() == 1


def test_inviting_1000_addresses_is_refused(approved):
    contact = approved.memberships.get().user
    before = _state()
    addresses = [f"p{i}@massutskick.example" for i in range(1000)]
    with pytest.raises(services.ExternalError) as error:
        services.invitations_send(organisation=approved, user=contact, addresses=addresses)
    assert "högst 200" in str(error.value) and "1000" in str(error.value)
    assert _state() == before and mail.outbox == []


def test_invalid_addresses_send_nothing(approved):
    contact = approved.memberships.get().user
    before = _state()
    with pytest.raises(services.ExternalError) as error:
        services.invitations_send(
            organisation=approved, user=contact, addresses=["ok@x.example", "inte-en-adress"]
        )
    assert "inte-en-adress" in str(error.value)
    assert _state() == before


def test_award_when_the_criterion_is_met(approved, offered_course):
    members = add_members(approved, 5)  # six invited with the contact: 50 % is three
    for user in members[:2]:
        complete(user, offered_course)
    assert not OrganisationAward.objects.exists()
    complete(members[2], offered_course)
    award = OrganisationAward.objects.get()
    assert award.organisation == approved and award.course_title == offered_course.title
    complete(members[3], offered_course)
    assert OrganisationAward.objects.count() == 1  # once
    assert award in selectors.public_awards()
    assert services.award_pdf(award)[:4] == b"%PDF"


def test_sweep_awards_after_hr_lowers_the_threshold(approved, offered_course):
    member = add_members(approved, 9)[0]
    complete(member, offered_course)
    assert not OrganisationAward.objects.exists()
    offered_course.external_offering.min_members = 1
    offered_course.external_offering.save()
    assert services.awards_sweep() == 1
    assert services.awards_sweep() == 0


def test_leaving_closes_accounts_and_the_public_listing(approved, offered_course):
    members = add_members(approved, 3)
    for user in members:
        complete(user, offered_course)
    assert selectors.public_awards().count() == 1
    contact = approved.memberships.get(is_contact=True).user
    services.organisation_leave(organisation=approved, user=contact)
    assert (
        not get_user_model()
        .objects.filter(external_membership__organisation=approved, is_active=True)
        .exists()
    )
    assert selectors.public_awards().count() == 0
    with pytest.raises(services.ExternalError):
        services.invitations_send(organisation=approved, user=contact, addresses=["n@x.example"])


def test_register_extract_and_anonymisation_cover_external_members(approved):
    member = add_members(approved, 1)[0]
    extract = register_extract(member)
    assert extract["sections"]["external_organisation"][0]["organisation"] == approved.name
    assert extract["sections"]["person"][0]["email"] == member.email
    anonymise_everywhere(member)
    assert not Membership.objects.filter(user=member).exists()
    assert not Invitation.objects.filter(email=member.email).exists()


def test_member_sees_the_organisation_in_the_readable_extract(client, approved):
    member = add_members(approved, 1)[0]
    client.force_login(member)
    html = client.get("/mina-uppgifter/registerutdrag/").content.decode()
    assert approved.name in html and "Gick med" in html
    assert "<dt>joined</dt>" not in html and "<dt>Joined</dt>" not in html
