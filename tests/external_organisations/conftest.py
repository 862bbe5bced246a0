import re

import pytest
from django.core import mail

from tests.factories import make_course


def orgnr(prefix: str) -> str:
    """A valid organisation number: nine digits and the Luhn check digit."""
    from external_organisations.orgnr import luhn_ok

    for digit in "0123456789":
        if luhn_ok(prefix + digit):
            return f"{prefix[:6]}-{prefix[6:]}{digit}"
    raise AssertionError


def link_in(message, pattern: str) -> str:
    match = re.search(r"https?://[^\s]+" + pattern + r"[^\s]*", message.body)
    assert match, message.body
    from urllib.parse import urlsplit

    return urlsplit(match.group(0)).path


@pytest.fixture
def offered_course(catalogue):
    from external_organisations.models import CourseOffering

    course = make_course(catalogue, title="Mångfald i föreningslivet", modules=1)
    CourseOffering.objects.create(course=course, min_members=3, min_percent=50)
    return course


@pytest.fixture
def coordinator(db):
    from django.contrib.auth.models import Group

    from lms.roles import sync_roles
    from tests.factories import UserFactory

    sync_roles()
    user = UserFactory(username="samordnare")
    user.groups.add(Group.objects.get(name="External coordinators"))
    return user


@pytest.fixture
def approved(db, coordinator, django_capture_on_commit_callbacks):
    """An approved organisation with its contact person (a user without a Person)."""
    from external_organisations import services

    with django_capture_on_commit_callbacks(execute=True):
        organisation = services.registration_submit(
            name="Piteå Friidrott",
            org_number=orgnr("802000000").replace("-", ""),
            contact_name="Eva Strand",
            contact_email="eva@friidrott.example",
            consent=True,
        )
        services.registration_confirm(token=services.confirmation_token(organisation))
        services.organisation_approve(organisation=organisation, user=coordinator, message="")
    mail.outbox.clear()
    organisation.refresh_from_db()
    return organisation


def add_members(organisation, n: int, *, prefix: str = "m"):
    """n accepted members, through invitations as a contact would."""
    from external_organisations import services
    from external_organisations.models import Invitation

    users = []
    for i in range(n):
        email = f"{prefix}{i}@{organisation.pk}.example"
        token = f"tok-{prefix}-{organisation.pk}-{i}"
        Invitation.objects.create(
            organisation=organisation,
            email=email,
            token_hash=services._hash(token),
            expires_at="2999-01-01T00:00Z",
        )
        users.append(
            services.invitation_accept(
                token=token, first_name="Med", last_name=f"Lem {i}", password="Losenord-langt-77"
            )
        )
    return users


def complete(user, course):
    from progress import services

    for module in course.get_children().live().specific():
        services.module_start(user=user, module=module)
        services.module_complete(user=user, module=module)
