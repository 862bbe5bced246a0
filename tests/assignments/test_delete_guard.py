"""Courses that are assigned keep their history: they can be unpublished, not deleted.

The refusal must be ours (assignments/wagtail_hooks.py through courses.wagtail_hooks.
register_deletion_guard), in Swedish, and the pages must still be there. Wagtail refuses by
itself only when its reference index knows a rule: rules saved outside the admin's process
(Celery, the demo loader) are not indexed, and assignments never are (add_to_reference_index
is off for them), so our guard is what keeps those courses.
"""

import pytest
from wagtail.models import Page, ReferenceIndex

from assignments.models import Assignment, AssignmentRule
from lms.demo import DEFAULT_DEMO_PASSWORD
from tests.helpers import login_via_form

from .conftest import make_person

pytestmark = pytest.mark.django_db


def refusal(title: str) -> str:
    return (
        f"”{title}” kan inte tas bort eftersom den är tilldelad personer (regler eller deras "
        "historik). Avpublicera den i stället, eller inaktivera dess regler."
    )


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def still_there(course) -> bool:
    """The course and its modules: nothing of the subtree was deleted."""
    return Page.objects.descendant_of(course, inclusive=True).count() == 2


def test_an_assigned_course_cannot_be_deleted(client, org, course, demo_users):
    AssignmentRule.objects.create(name="Alla", course=course, unit=org["root"])
    assert login_via_form(client, "admin", DEFAULT_DEMO_PASSWORD)
    response = client.post(f"/admin/pages/{course.pk}/delete/", follow=True)
    assert response.redirect_chain == [(f"/admin/pages/{course.pk}/edit/", 302)]
    assert messages_of(response) == [refusal("Normdiplomering")]
    assert still_there(course)


def _history_only(org, course):
    """Assignments whose rule was deleted since: the course is still assigned (its history)."""
    person = make_person(org["social"])
    rule = AssignmentRule.objects.create(name="Gammal", course=course, unit=org["root"])
    Assignment.objects.create(
        user=person.user,
        course=course,
        rule=rule,
        assigned_at="2026-01-05T08:00Z",
        due_on="2026-06-30",
    )
    rule.delete()


def _rule_unknown_to_wagtail(org, course):
    AssignmentRule.objects.create(name="Alla", course=course, unit=org["root"])
    # As for a rule saved by the demo loader or a worker, where the admin's viewsets (which
    # register rules for Wagtail's reference index) were never loaded.
    ReferenceIndex.objects.all().delete()


@pytest.mark.parametrize("assigned", [_history_only, _rule_unknown_to_wagtail])
def test_an_assigned_course_is_kept_in_a_bulk_delete(client, org, course, demo_users, assigned):
    assert login_via_form(client, "admin", DEFAULT_DEMO_PASSWORD)
    assigned(org, course)
    parent = course.get_parent().pk
    response = client.post(
        f"/admin/bulk/wagtailcore/page/delete/?id={course.pk}&childOf={parent}", follow=True
    )
    assert response.redirect_chain == [(f"/admin/pages/{parent}/", 302)]
    assert messages_of(response) == [refusal("Normdiplomering")]
    assert still_there(course)


def test_an_unassigned_course_is_deleted_in_bulk(client, org, course, demo_users):
    """The guard keeps only assigned courses (so the test above is not passed by a guard
    that refuses everything)."""
    assert login_via_form(client, "admin", DEFAULT_DEMO_PASSWORD)
    parent = course.get_parent().pk
    client.post(f"/admin/bulk/wagtailcore/page/delete/?id={course.pk}&childOf={parent}")
    assert not Page.objects.filter(pk=course.pk).exists()
