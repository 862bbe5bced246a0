"""Acceptance 3: an external organisation of 50 members changes no employee figure.

A municipality (the sample HR file, 500+ people) with a course assigned to everyone and some
completions reaches a steady state (rules evaluated, reminders swept); then 50 external
members join, start and complete the same course. Coverage, assignments, the HR import's
plan, reminders and the API's completions are exactly what they were.
"""

from __future__ import annotations

import pytest
from django.utils import timezone

from api import selectors as api_selectors
from assignments import services as assignment_services
from assignments.models import Assignment, AssignmentRule
from external_organisations.models import CourseOffering
from lms import demo
from people import importing
from people.models import OrgUnit, Person
from reminders import services as reminder_services
from reminders.models import Notice
from reports import selectors as report_selectors
from tests.external_organisations.conftest import add_members, complete
from tests.factories import make_course

pytestmark = pytest.mark.django_db


def _figures(course, today) -> dict:
    root = OrgUnit.get_first_root_node()
    coverage = report_selectors.coverage_by_unit(parents=[root], course_id=course.pk, today=today)
    return {
        "evaluate": assignment_services.evaluate_course(course.pk, today),
        "sweep": dict(reminder_services.sweep(today=today).created),
        "coverage": [
            (c.total, c.direct, [(r.unit.pk, r.figures) for r in c.children]) for c in coverage
        ],
        "assignments": sorted(Assignment.objects.values_list("user_id", "course_id", "due_on")),
        "notices": sorted(Notice.objects.values_list("pk", flat=True)),
        "people": Person.objects.count(),
        "import": importing.plan_import(
            importing.read_rows(demo.SAMPLE_HR_FILE.read_bytes(), demo.SAMPLE_HR_FILE.name)
        ).summary(),
        "api_completions": sorted(
            api_selectors.completions(api_selectors.TokenScope(roots=None)).values_list(
                "pk", flat=True
            )
        ),
    }


def test_fifty_external_members_change_no_employee_figure(catalogue, demo_users, approved):
    demo.ensure_organisation()
    course = make_course(catalogue, title="Mångfald", modules=1)
    CourseOffering.objects.create(course=course, min_members=3)
    AssignmentRule.objects.create(
        name="Alla", course=course, unit=OrgUnit.get_first_root_node(), include_subunits=True
    )
    for person in Person.objects.order_by("pk")[:20]:
        complete(person.user, course)
    today = timezone.localdate()
    _figures(course, today)  # the first run writes assignments and notices
    before = _figures(course, today)
    assert before["evaluate"] == (0, 0) and before["assignments"]  # a steady state

    members = add_members(approved, 49)  # with the contact: 50 members
    assert approved.memberships.count() == 50
    for user in members[:30]:
        complete(user, course)
    after = _figures(course, today)
    assert after == before
    assert not Assignment.objects.filter(user__in=members).exists()
    assert all(not hasattr(u, "person") for u in members)
    assert approved.awards.filter(course=course).exists()


def test_each_contact_sees_only_their_own_organisations_counts(approved, offered_course):
    """The contact page's counts come from a query compiled once per process with the
    organisation as its placeholder: two organisations must never see each other's."""
    from external_organisations import selectors
    from external_organisations.models import ExternalOrganisation, Status
    from tests.external_organisations.conftest import add_members, complete

    other = ExternalOrganisation.objects.create(
        name="Annan förening",
        org_number="5560000001",
        contact_name="Ola Annan",
        contact_email="ola@annan.example",
        status=Status.APPROVED,
    )
    for user in add_members(approved, 3, prefix="a"):
        complete(user, offered_course)
    add_members(other, 1, prefix="b")

    ours = selectors.organisation_progress(organisation=approved)
    theirs = selectors.organisation_progress(organisation=other)
    assert [(r.invited, r.completed) for r in ours] == [(4, 3)]
    assert [(r.invited, r.completed) for r in theirs] == [(2, 0)]
