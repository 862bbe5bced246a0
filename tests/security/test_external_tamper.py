# ruff: noqa: F811  (the fixtures imported from tests/external_organisations are arguments here)
"""External members: another organisation's pages and diplomas, courses not offered to them,
employees' pages, forged and replayed links."""

from __future__ import annotations

import pytest

from external_organisations import services
from external_organisations.models import ExternalOrganisation, OrganisationAward, Status
from tests.external_organisations.conftest import (  # noqa: F401  (fixtures)
    add_members,
    approved,
    complete,
    coordinator,
    offered_course,
    orgnr,
)
from tests.factories import make_course
from tests.helpers import login_via_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def other(coordinator):
    """A second approved organisation with a diploma."""
    organisation = ExternalOrganisation.objects.create(
        name="Annan förening",
        org_number=orgnr("802999999").replace("-", ""),
        contact_name="Bo Ek",
        contact_email="bo@annan.example",
        status=Status.PENDING,
    )
    services.organisation_approve(organisation=organisation, user=coordinator)
    return organisation


def test_member_cannot_reach_another_organisations_pages(client, approved, other, offered_course):
    members = add_members(other, 3, prefix="o")
    for user in members:
        complete(user, offered_course)
    award = OrganisationAward.objects.get(organisation=other)
    own_member = add_members(approved, 1)[0]
    own_contact = approved.memberships.get(is_contact=True).user
    for user in (own_member, own_contact):
        client.force_login(user)
        assert client.get(f"/organisationer/min-organisation/diplom/{award.pk}/").status_code == 404
        page = client.get("/organisationer/min-organisation/")
        if user == own_contact:
            assert page.status_code == 200 and "Annan förening" not in page.content.decode()
            assert "o0@" not in page.content.decode()
        else:  # a member is not the contact: there is no such page for them
            assert page.status_code == 404
    # Forged ids: one that does not exist, one that is the own organisation's id.
    client.force_login(own_contact)
    assert client.get("/organisationer/min-organisation/diplom/999999/").status_code == 404


def test_member_sees_only_offered_courses(client, approved, offered_course, catalogue):
    internal = make_course(catalogue, title="Intern kurs för medarbetare", modules=1)
    member = add_members(approved, 1)[0]
    client.force_login(member)
    assert client.get(offered_course.url).status_code == 200
    assert client.get(internal.url).status_code == 404
    module = internal.get_children().first()
    assert client.get(module.url).status_code == 404
    assert client.post(f"/progress/modules/{module.pk}/complete/").status_code == 404
    catalogue_page = client.get(catalogue.url).content.decode()
    assert offered_course.title in catalogue_page and internal.title not in catalogue_page
    # Employees' pages: the manager's unit page holds no unit for them, the admin is closed.
    assert client.get("/admin/").status_code == 302
    assert client.get("/admin/coverage/").status_code == 302


def test_employee_still_sees_every_course(client, learner, offered_course, catalogue):
    internal = make_course(catalogue, title="Intern kurs", modules=1)
    client.force_login(learner)
    assert client.get(internal.url).status_code == 200
    assert client.get(offered_course.url).status_code == 200


def test_replayed_and_forged_invitation_links(client, approved):
    add_members(approved, 1, prefix="r")  # token "tok-r-<pk>-0", now used
    used = client.get(f"/organisationer/inbjudan/tok-r-{approved.pk}-0/")
    forged = client.get("/organisationer/inbjudan/tok-r-999-0/")
    assert used.status_code == forged.status_code == 400
    # The same message (only the CSRF token and the page's own address differ).
    message = "Inbjudningslänken är ogiltig, redan använd eller har gått ut"
    assert message in used.content.decode() and message in forged.content.decode()


def test_left_organisation_cannot_log_in(client, approved):
    member = add_members(approved, 1)[0]
    services.organisation_leave(organisation=approved, user=None)
    assert not login_via_form(client, member.username, "Losenord-langt-77")
