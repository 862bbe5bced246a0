"""Courses that are assigned keep their history: they can be unpublished, not deleted."""

import pytest

from assignments.models import AssignmentRule
from lms.demo import DEFAULT_DEMO_PASSWORD
from tests.helpers import login_via_form

pytestmark = pytest.mark.django_db


def test_an_assigned_course_cannot_be_deleted(client, org, course, demo_users):
    AssignmentRule.objects.create(name="Alla", course=course, unit=org["root"])
    assert login_via_form(client, "admin", DEFAULT_DEMO_PASSWORD)
    response = client.post(f"/admin/pages/{course.pk}/delete/", follow=True)
    assert "är tilldelad personer" in response.content.decode()
    course.refresh_from_db()


def test_an_assigned_course_is_kept_in_a_bulk_delete(client, org, course, demo_users):
    # Wagtail's reference index may refuse first (the rule protects the page), else our hook
    # does; either way the course stays and the editor gets a message, not an error.
    AssignmentRule.objects.create(name="Alla", course=course, unit=org["root"])
    assert login_via_form(client, "admin", DEFAULT_DEMO_PASSWORD)
    parent = course.get_parent().pk
    response = client.post(
        f"/admin/bulk/wagtailcore/page/delete/?id={course.pk}&childOf={parent}", follow=True
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "är tilldelad personer" in page or "saknar rättigheter" in page
    course.refresh_from_db()
