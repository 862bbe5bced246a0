"""The menu leads to the organisations' pages: the public list for everyone (an editor put it in
the menu), "Min organisation" for the contact person only; both follow publishing at once."""

from __future__ import annotations

import pytest

from external_organisations.models import DiplomatedOrganisationsPage

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def menu(client, url: str = LOGIN) -> str:
    html = client.get(url).content.decode()
    start = html.index('aria-label="Huvudmeny"')
    return html[start : html.index("</nav>", start)]


@pytest.fixture
def public_list(demo_site):
    page = DiplomatedOrganisationsPage(
        title="Diplomerade organisationer", slug="diplomerade-organisationer", show_in_menus=True
    )
    demo_site.add_child(instance=page)
    page.save_revision().publish()
    return page


def test_the_public_list_is_in_every_visitors_menu_while_published(client, public_list, learner):
    assert 'href="/diplomerade-organisationer/"' in menu(client)  # not logged in
    client.force_login(learner)
    assert 'href="/diplomerade-organisationer/"' in menu(client, "/")
    public_list.unpublish()
    assert "diplomerade-organisationer" not in menu(client, "/")


def test_a_page_for_staff_only_is_not_in_the_menu_of_visitors(client, demo_site, learner):
    from wagtail.models import Page

    page = Page(title="Intranätsnytt", slug="intranatsnytt", show_in_menus=True)
    demo_site.add_child(instance=page)
    page.save_revision().publish()
    assert "intranatsnytt" not in menu(client)
    client.force_login(learner)
    assert 'href="/intranatsnytt/"' in menu(client, "/")


def test_only_the_contact_person_gets_my_organisation(client, approved, learner):
    from django.urls import reverse

    my_data = reverse("people:my_data")  # a page every logged-in user has
    contact = approved.memberships.get().user
    client.force_login(contact)
    assert 'href="/organisationer/min-organisation/"' in menu(client, my_data)
    client.force_login(learner)
    assert "min-organisation" not in menu(client, my_data)
