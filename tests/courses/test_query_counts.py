"""Catalogue, course and module pages cost the same number of queries at any data size."""

import pytest

from progress import services
from tests.factories import UserFactory, make_course, make_film
from tests.helpers import assert_queries_independent_of_size

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(client, catalogue, learner):
    film = make_film()
    course = make_course(catalogue, modules=3, film=film, sequential=False)
    first = course.get_children().live().first().specific
    services.module_start(user=learner, module=first)
    client.force_login(learner)
    return client, catalogue, course, first, film


def grow(catalogue, course, film, learner):
    """More courses, more modules in the course, more learners with progress, more own progress."""

    def _grow():
        for _ in range(4):
            new = make_course(catalogue, modules=4, film=film)
            services.module_start(user=learner, module=new.get_children().first().specific)
        for number in range(4, 9):
            from modules.models import ModulePage

            module = ModulePage(title=f"Extra {number}", slug=f"extra-{number}", body=[])
            course.add_child(instance=module)
            module.save_revision().publish()
        others = [UserFactory() for _ in range(5)]
        for module in course.get_children().live().specific():
            for person in [*others, learner]:
                services.module_start(user=person, module=module)
        extra = course.get_children().live().specific().order_by("-path").first()
        services.module_complete(user=learner, module=extra)

    return _grow


def test_catalogue(setup, learner):
    client, catalogue, course, _first, film = setup
    count = assert_queries_independent_of_size(
        lambda: client.get(catalogue.url + "?status=in_progress"),
        grow(catalogue, course, film, learner),
        label="catalogue",
    )
    assert count < 20


def test_course_page(setup, learner):
    client, catalogue, course, _first, film = setup
    count = assert_queries_independent_of_size(
        lambda: client.get(course.url), grow(catalogue, course, film, learner), label="course"
    )
    assert count < 20


def test_module_page(setup, learner):
    client, catalogue, course, first, film = setup
    count = assert_queries_independent_of_size(
        lambda: client.get(first.url), grow(catalogue, course, film, learner), label="module"
    )
    assert count < 30


def test_my_courses(setup, learner):
    client, catalogue, course, _first, film = setup
    count = assert_queries_independent_of_size(
        lambda: client.get("/mina-kurser/"), grow(catalogue, course, film, learner), label="mine"
    )
    assert count < 20
