"""The public pages answer alike for known and unknown input, are rate-limited, and the
contact's page shows the organisation's progress."""

from __future__ import annotations

import pytest
from django.core import mail

from external_organisations import services, views
from external_organisations.models import ExternalOrganisation, Status
from tests.external_organisations.conftest import add_members, complete, link_in, orgnr
from tests.helpers import count_queries, login_via_form

pytestmark = pytest.mark.django_db


def _post(client, **overrides):
    data = {
        "name": "Luleå Schack",
        "org_number": orgnr("802222222"),
        "contact_name": "Kim Lund",
        "contact_email": "kim@schack.example",
        "consent": "on",
        **overrides,
    }
    return client.post("/organisationer/registrera/", data)


def test_register_answers_alike_for_new_and_known(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = _post(client)
        again = _post(client)  # the same organisation and email
        other = _post(client, org_number=orgnr("802333333"))  # the same email only
    assert first.status_code == again.status_code == other.status_code == 302
    assert first["Location"] == again["Location"] == other["Location"]
    assert ExternalOrganisation.objects.count() == 1
    page = client.get(first["Location"])
    assert "Tack för er registrering" in page.content.decode()


def test_wrong_check_digit_shows_a_swedish_message(client):
    good = orgnr("802222222")
    response = _post(client, org_number=good[:-1] + str((int(good[-1]) + 3) % 10))
    assert response.status_code == 200
    assert "kontrollsiffran" in response.content.decode()
    assert ExternalOrganisation.objects.count() == 0


def test_register_is_rate_limited_per_address(client, monkeypatch):
    monkeypatch.setattr(views, "REGISTER_LIMIT", 2)
    for n in range(2):
        _post(client, org_number=orgnr(f"80244444{n}"), contact_email=f"k{n}@x.example")
    refused = _post(client, org_number=orgnr("802555555"), contact_email="k9@x.example")
    assert refused.status_code == 429 and "För många försök" in refused.content.decode()
    assert ExternalOrganisation.objects.count() == 2


def test_confirm_link_needs_a_post_and_answers_alike(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _post(client)
    path = link_in(mail.outbox[0], "/organisationer/bekrafta/")
    assert client.get(path).status_code == 200  # a mail scanner's visit confirms nothing
    assert ExternalOrganisation.objects.get().status == Status.UNCONFIRMED
    assert "bekräftad" in client.post(path).content.decode()
    used = client.post(path)
    forged = client.post("/organisationer/bekrafta/not-a-token/")
    assert used.status_code == forged.status_code == 400
    assert used.content.decode().count("ogiltig") == forged.content.decode().count("ogiltig")


def test_contact_page_shows_progress_in_fixed_queries(client, approved, offered_course):
    from external_organisations.models import CourseOffering
    from tests.factories import make_course

    contact = approved.memberships.get().user
    contact.set_password("Losenord-langt-77")
    contact.save()
    client.force_login(contact)

    def run() -> int:
        with count_queries() as queries:
            assert client.get("/organisationer/min-organisation/").status_code == 200
        return len(queries)

    members = add_members(approved, 2, prefix="a")
    complete(members[0], offered_course)
    run()  # the first request fills the caches (site root paths, translations)
    small = run()
    for n in range(3):
        CourseOffering.objects.create(
            course=make_course(offered_course.get_parent(), title=f"K{n}", modules=1),
            min_members=2,
        )
    for user in add_members(approved, 20, prefix="b"):
        complete(user, offered_course)
    # New course pages bump the content cache's generation; the first request after
    # that refills it (one query) just as after any publish, so warm it again.
    run()
    assert run() == small
    page = client.get("/organisationer/min-organisation/").content.decode()
    assert "Mångfald i föreningslivet" in page and "Ladda ner diplomet" in page
    # One row per offered course, by title, each linking to its course.
    import re

    links = re.findall(r'<td lang="sv"><a href="([^"]+)">([^<]+)</a></td>', page)
    assert [title for _href, title in links] == ["K0", "K1", "K2", "Mångfald i föreningslivet"]
    assert links[-1][0] == offered_course.url


def test_invite_form_refuses_1000_addresses(client, approved):
    contact = approved.memberships.get().user
    client.force_login(contact)
    text = "\n".join(f"p{i}@massutskick.example" for i in range(1000))
    response = client.post("/organisationer/min-organisation/bjud-in/", {"addresses": text})
    page = client.get(response["Location"]).content.decode()
    assert "högst 200" in page
    assert approved.invitations.count() == 0 and mail.outbox == []


def test_accept_invitation_creates_a_member(client, approved, django_capture_on_commit_callbacks):
    contact = approved.memberships.get().user
    with django_capture_on_commit_callbacks(execute=True):
        services.invitations_send(organisation=approved, user=contact, addresses=["ny@x.example"])
    path = link_in(mail.outbox[0], "/organisationer/inbjudan/")
    assert client.get(path).status_code == 200
    response = client.post(
        path, {"first_name": "Ny", "last_name": "Medlem", "password": "Losenord-langt-77"}
    )
    assert response.status_code == 302
    assert login_via_form(client, "ny@x.example", "Losenord-langt-77")
    again = client.get(path)
    assert again.status_code == 400 and "har gått ut" in again.content.decode()
