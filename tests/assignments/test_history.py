"""History of a person's rounds: the learner's own on the course page, HR's per person."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import Group

from people.models import HRScope
from progress import selectors, services
from tests.assignments.conftest import make_person
from tests.assignments.test_renewal import DAY0, EXPIRY_DAY, at
from tests.factories import UserFactory, make_course

pytestmark = pytest.mark.django_db


def completed(person, course):
    with at(DAY0.date()):
        for module in course.get_children().order_by("path"):
            services.module_complete(user=person.user, module=module)


@pytest.fixture
def world(org, catalogue):
    course = make_course(catalogue, title="Kursen om normer", modules=1, validity_months=36)
    inside = make_person(org["home_care"])
    outside = make_person(org["school"])
    completed(inside, course)
    completed(outside, course)
    hr = UserFactory(username="hr-soc")
    hr.groups.add(Group.objects.get(name="HR"))
    HRScope.objects.create(user=hr, unit=org["social"])
    return {"course": course, "inside": inside, "outside": outside, "hr": hr}


def test_rounds_history_status_follows_the_last_valid_day(world):
    user = world["inside"].user
    course_id = world["course"].pk
    [row] = selectors.course_history(user=user, course_id=course_id)
    last_valid = EXPIRY_DAY - datetime.timedelta(days=1)
    assert row.valid_until == last_valid
    assert selectors.course_history(user=user, course_id=course_id, today=last_valid)[0].status == (
        selectors.VALID
    )
    assert selectors.course_history(user=user, course_id=course_id, today=EXPIRY_DAY)[0].status == (
        selectors.EXPIRED
    )


def test_rounds_history_is_one_query(world, django_assert_num_queries):
    with django_assert_num_queries(1):
        selectors.rounds_history(user=world["inside"].user)


def test_hr_sees_the_history_of_a_person_in_scope_only(client, world):
    client.force_login(world["hr"])
    response = client.get(f"/admin/course-history/{world['inside'].pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Kursen om normer" in page and "15 januari 2029" in page
    # From the person's page in the admin.
    inspect = client.get(f"/admin/organisation/people/inspect/{world['inside'].pk}/")
    assert f"/admin/course-history/{world['inside'].pk}/" in inspect.content.decode()
    # Outside HR's scope (another administration): refused, nothing shown.
    # (Wagtail's admin answers a refusal by sending the user to its dashboard.)
    for person_id in (world["outside"].pk, 999999):
        response = client.get(f"/admin/course-history/{person_id}/")
        assert (response.status_code, response["Location"]) == (302, "/admin/")


def test_a_manager_or_learner_without_hr_cannot_see_histories(client, world, org):
    manager = make_person(org["home_care"], manager=True)
    manager.user.is_staff = True
    manager.user.save()
    org["home_care"].managers.add(manager.user)
    for user in (manager.user, world["inside"].user):
        client.force_login(user)
        response = client.get(f"/admin/course-history/{world['inside'].pk}/")
        assert response.status_code in (302, 403)
        assert "Kursen om normer" not in response.content.decode()


def test_the_learner_sees_their_own_history_on_the_course_page(client, world):
    course = world["course"]
    client.force_login(world["inside"].user)
    page = client.get(course.url).content.decode()
    assert "Din historik i kursen" in page and "15 januari 2029" in page
    # A learner who has only started sees no history section.
    client.force_login(UserFactory(username="ny"))
    assert "Din historik i kursen" not in client.get(course.url).content.decode()
