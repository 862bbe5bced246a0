import pytest

from tests.factories import UserFactory, make_course


@pytest.fixture
def complete(django_capture_on_commit_callbacks):
    """Complete a course through progress.services; on_commit callbacks run (the render task
    is captured, not run, so that each test decides when the worker works)."""
    from progress import services

    def run(user, course):
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            for module in course.get_children().live().specific():
                services.module_start(user=user, module=module)
                services.module_complete(user=user, module=module)
        return user.completions.get(course_id=course.pk), callbacks

    return run


@pytest.fixture
def holder(db):
    return UserFactory(username="holder", first_name="Åsa", last_name="Öberg")


@pytest.fixture
def equality_course(catalogue):
    return make_course(catalogue, title="Jämställdhet i vardagen", modules=2, validity_months=36)
