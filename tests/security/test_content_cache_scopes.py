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
