"""The content cache (lms.content_cache) must never open a page a learner may not see: view
restrictions, unpublished courses and routes are checked with the cache warm (issue 13)."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from wagtail.models import PageViewRestriction

from tests.factories import UserFactory, make_course

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(catalogue):
    return make_course(catalogue, title="Skyddad kurs", modules=2, sequential=False)


def _client(user=None) -> Client:
    client = Client()
    client.force_login(user or UserFactory())
    return client


def test_a_group_restriction_added_after_warming_refuses_outsiders(course):
    module = course.get_children().specific()[0]
    insider, outsider = UserFactory(), UserFactory()
    group = Group.objects.create(name="Pilotgrupp")
    insider.groups.add(group)
    clients = {"in": _client(insider), "out": _client(outsider)}
    for client in clients.values():
        assert client.get(module.url).status_code == 200  # cache warm
    restriction = PageViewRestriction.objects.create(
        page=course, restriction_type=PageViewRestriction.GROUPS
    )
    restriction.groups.add(group)
    assert clients["out"].get(module.url).status_code != 200
    assert clients["out"].get(course.url).status_code != 200
    assert clients["in"].get(module.url).status_code == 200
    # The module's own endpoints apply the restriction too (they are not served by Wagtail).
    from django.urls import reverse

    block_id = next(b.id for b in module.body if b.block_type == "reflection")
    url = reverse("modules:reflection_save", args=[module.pk, block_id])
    assert clients["out"].post(url, {"text": "försök"}).status_code == 404


def test_a_module_below_an_unpublished_course_is_not_reachable(course):
    module = course.get_children().specific()[0]
    client = _client()
    assert client.get(module.url).status_code == 200
    course.unpublish()
    assert client.get(module.url).status_code == 404


def test_a_forged_address_of_a_draft_is_not_served_from_the_route_map(course):
    from modules.models import ModulePage

    draft = ModulePage(title="Utkast", slug="utkast", body=[], live=False)
    course.add_child(instance=draft)
    client = _client()
    client.get(course.url)  # warm the route map
    assert client.get(course.url + "utkast/").status_code == 404
    assert client.get(course.url + "finns-inte/").status_code == 404


def test_a_restriction_taken_away_or_narrowed_shows_on_the_next_request(course):
    """View restrictions are served from the content cache: removing a group from one, or the
    restriction itself, applies on the next request for every learner."""
    module = course.get_children().specific()[0]
    insider, other = UserFactory(), UserFactory()
    pilots, others = Group.objects.create(name="Piloter"), Group.objects.create(name="Övriga")
    insider.groups.add(pilots)
    other.groups.add(others)
    restriction = PageViewRestriction.objects.create(
        page=course, restriction_type=PageViewRestriction.GROUPS
    )
    restriction.groups.add(pilots, others)
    clients = {"in": _client(insider), "other": _client(other), "none": _client()}
    assert clients["other"].get(module.url).status_code == 200  # cache warm
    assert clients["none"].get(module.url).status_code != 200
    restriction.groups.remove(others)
    assert clients["other"].get(module.url).status_code != 200
    assert clients["in"].get(module.url).status_code == 200
    restriction.delete()
    assert clients["none"].get(module.url).status_code == 200
    assert clients["none"].get(course.url).status_code == 200


def test_restrictions_from_the_cache_are_wagtails_own(course):
    """The same restrictions as Wagtail reads (the page's and its ancestors'), and a changed
    copy of the query (the admin's privacy view orders it) reads the database."""
    from wagtail.models import Page

    module = course.get_children().specific()[0]
    on_course = PageViewRestriction.objects.create(
        page=course, restriction_type=PageViewRestriction.LOGIN
    )
    on_module = PageViewRestriction.objects.create(
        page=module, restriction_type=PageViewRestriction.PASSWORD, password="hemligt"
    )
    ours = module.get_view_restrictions()
    assert {r.pk for r in ours} == {r.pk for r in Page.get_view_restrictions(module)}
    assert {r.pk for r in ours} == {on_course.pk, on_module.pk}
    assert list(ours.order_by("-page__depth")) == [on_module, on_course]
    assert [r.pk for r in course.get_view_restrictions()] == [on_course.pk]


def test_an_alias_has_its_sources_restrictions(course, catalogue):
    module = course.get_children().specific()[0]
    other = make_course(catalogue, title="Annan kurs", modules=1, sequential=False)
    alias = module.create_alias(parent=other, update_slug="alias-modul")
    restriction = PageViewRestriction.objects.create(
        page=module, restriction_type=PageViewRestriction.PASSWORD, password="hemligt"
    )
    alias = alias.specific
    assert [r.pk for r in alias.get_view_restrictions()] == [restriction.pk]
    # Wagtail answers with its password form instead of the page.
    assert 'name="password"' in _client().get(alias.url).content.decode()
