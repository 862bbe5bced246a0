import pytest
from django.utils import timezone

from progress import selectors, services
from progress.models import Completion, CourseProgress, ModuleProgress
from tests.factories import UserFactory, make_course, make_film

pytestmark = pytest.mark.django_db


def modules_of(course):
    return [m.specific for m in course.get_children().live().order_by("path")]


def test_completing_every_required_module_completes_the_course_once(catalogue, learner):
    course = make_course(catalogue, modules=3, validity_months=24)
    first, second, third = modules_of(course)
    assert services.module_complete(user=learner, module=first).completion is None
    assert services.module_complete(user=learner, module=second).completion is None
    result = services.module_complete(user=learner, module=third)
    assert result.completion is not None
    assert result.course_state.status == selectors.COMPLETED
    completion = Completion.objects.get(user=learner, course_id=course.pk)
    # Validity runs from the Swedish calendar day (late evening UTC is the next day here)
    completed_on = timezone.localdate(completion.completed_at)
    assert completion.valid_until == services.add_months(completed_on, 24)
    # Again: nothing new is written.
    services.module_complete(user=learner, module=third)
    assert Completion.objects.filter(user=learner).count() == 1
    assert ModuleProgress.objects.filter(course_progress__user=learner).count() == 3


def test_optional_modules_are_not_needed_for_completion(catalogue, learner):
    course = make_course(catalogue, modules=2, sequential=False)
    first, second = modules_of(course)
    second.is_required = False
    second.save_revision().publish()
    result = services.module_complete(user=learner, module=first)
    assert result.completion is not None


def test_sequential_course_refuses_a_later_module_and_writes_nothing(catalogue, learner):
    course = make_course(catalogue, modules=2)
    _first, second = modules_of(course)
    with pytest.raises(services.ProgressError) as error:
        services.module_complete(user=learner, module=second)
    assert "Modul 1" in error.value.messages[0]
    assert not ModuleProgress.objects.filter(completed_at__isnull=False).exists()


def test_non_sequential_course_allows_any_order(catalogue, learner):
    course = make_course(catalogue, modules=2, sequential=False)
    first, second = modules_of(course)
    services.module_complete(user=learner, module=second)
    assert services.module_complete(user=learner, module=first).completion is not None


def test_prerequisite_course_locks_until_completed(catalogue, learner):
    level1 = make_course(catalogue, title="Nivå 1", modules=1)
    level2 = make_course(catalogue, title="Nivå 2", modules=1)
    level2.prerequisites.set([level1])
    level2.save_revision().publish()
    state = selectors.course_state(user=learner, course=level2)
    assert state.locked_reasons == ["Gå klart kursen ”Nivå 1” först."]
    with pytest.raises(services.ProgressError):
        services.module_complete(user=learner, module=modules_of(level2)[0])
    services.module_complete(user=learner, module=modules_of(level1)[0])
    assert selectors.course_state(user=learner, course=level2).locked_reasons == []


def test_film_must_be_watched_before_module_is_done(catalogue, learner):
    film = make_film(seconds=20)
    course = make_course(catalogue, modules=1, film=film)
    module = modules_of(course)[0]
    with pytest.raises(services.ProgressError) as error:
        services.module_complete(user=learner, module=module)
    assert "Testfilm" in error.value.messages[0]
    assert not CourseProgress.objects.filter(completed_at__isnull=False).exists()


def test_progress_is_per_learner(catalogue, learner):
    other = UserFactory()
    course = make_course(catalogue, modules=1)
    services.module_complete(user=learner, module=modules_of(course)[0])
    assert selectors.course_state(user=other, course=course).status == selectors.NOT_STARTED


def test_start_is_recorded_once_and_remembers_where_to_resume(catalogue, learner):
    course = make_course(catalogue, modules=2, sequential=False)
    first, second = modules_of(course)
    one = services.module_start(user=learner, module=first)
    again = services.module_start(user=learner, module=first)
    assert one.pk == again.pk and one.started_at == again.started_at
    services.module_start(user=learner, module=second)
    assert CourseProgress.objects.get(user=learner).last_module_id == second.pk
