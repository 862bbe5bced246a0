"""Edge cases found in review: editors changing courses under learners, crafted page ids."""

import pytest
from django.utils import timezone

from progress import selectors, services
from progress.models import Completion
from tests.factories import make_course

pytestmark = pytest.mark.django_db


def modules_of(course):
    return [m.specific for m in course.get_children().order_by("path")]


def test_unpublishing_the_last_module_does_not_strand_the_learner(client, catalogue, learner):
    course = make_course(catalogue, modules=3)
    first, second, third = modules_of(course)
    services.module_complete(user=learner, module=first)
    services.module_complete(user=learner, module=second)
    third.unpublish()
    client.force_login(learner)
    html = client.get(course.url).content.decode()
    assert "Du blev klar med kursen" in html
    assert Completion.objects.filter(user=learner, course_id=course.pk).count() == 1


@pytest.mark.parametrize("target", ["course", "catalogue", "home"])
def test_completing_a_page_that_is_not_a_module_is_refused(client, catalogue, learner, target):
    course = make_course(catalogue, modules=1)
    page = {"course": course, "catalogue": catalogue, "home": catalogue.get_parent()}[target]
    client.force_login(learner)
    assert client.post(f"/progress/modules/{page.pk}/complete/").status_code == 404
    assert not Completion.objects.exists()


def test_module_of_an_unpublished_course_is_out_of_reach(client, catalogue, learner):
    course = make_course(catalogue, modules=1)
    module = modules_of(course)[0]
    course.unpublish()
    client.force_login(learner)
    assert client.get(module.url).status_code == 404
    assert client.post(f"/progress/modules/{module.pk}/complete/").status_code == 404
    assert not Completion.objects.exists()


def test_a_module_moved_to_another_course_counts_only_there(catalogue, learner):
    course_a = make_course(catalogue, modules=1)
    course_b = make_course(catalogue, modules=2, sequential=False)
    moved = modules_of(course_b)[1]
    services.module_complete(user=learner, module=moved)
    moved.move(course_a, pos="last-child")
    states = selectors.catalogue_states(user=learner, courses=[course_a, course_b])
    assert (states[course_a.pk].required_done, states[course_a.pk].required_total) == (0, 2)
    assert (states[course_b.pk].required_done, states[course_b.pk].required_total) == (0, 1)


def test_a_course_of_only_optional_modules_needs_all_of_them(catalogue, learner):
    course = make_course(catalogue, modules=2, sequential=False)
    for module in modules_of(course):
        module.is_required = False
        module.save_revision().publish()
    first, second = modules_of(course)
    assert services.module_complete(user=learner, module=first).completion is None
    assert services.module_complete(user=learner, module=second).completion is not None


def test_catalogue_states_are_the_learners_own_and_of_the_latest_round(catalogue, learner):
    """The catalogue reads the learner's rows through queries compiled once per process: another
    learner's progress never shows, and a new round starts the count again."""
    from progress.models import CourseProgress
    from tests.factories import UserFactory

    course = make_course(catalogue, modules=2, sequential=False)
    other_course = make_course(catalogue, modules=1)
    first, second = modules_of(course)
    someone_else = UserFactory()
    services.module_complete(user=someone_else, module=first)
    services.module_complete(user=someone_else, module=second)
    services.module_complete(user=learner, module=first)

    states = selectors.catalogue_states(user=learner, courses=[course, other_course])
    assert states[course.pk].status == selectors.IN_PROGRESS
    assert (states[course.pk].required_done, states[course.pk].required_total) == (1, 2)
    assert states[other_course.pk].status == selectors.NOT_STARTED
    theirs = selectors.catalogue_states(user=someone_else, courses=[course])
    assert theirs[course.pk].status == selectors.COMPLETED

    # A second round (a renewal): nothing of the first round counts.
    services.module_complete(user=learner, module=second)
    CourseProgress.objects.create(
        user=learner, course_id=course.pk, round=2, started_at=timezone.now()
    )
    states = selectors.catalogue_states(user=learner, courses=[course])
    assert states[course.pk].status == selectors.IN_PROGRESS
    assert states[course.pk].required_done == 0
