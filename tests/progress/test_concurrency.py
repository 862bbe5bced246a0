"""Two tabs or a double click: concurrent completions leave one record each (PostgreSQL)."""

import threading

import pytest
from django.db import connection
from django.test import Client

from progress.models import Completion, CourseProgress, ModuleProgress
from tests.factories import make_course
from tests.helpers import require_postgres

pytestmark = pytest.mark.django_db(transaction=True)


def run_concurrently(user, urls: list[str]) -> list[int]:
    barrier = threading.Barrier(len(urls))
    statuses: list[int] = []

    def post(url):
        client = Client()
        client.force_login(user)
        barrier.wait()
        try:
            statuses.append(client.post(url).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(url,)) for url in urls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return statuses


@pytest.mark.parametrize("attempt", range(3))
def test_two_tabs_completing_the_last_module_write_one_completion(catalogue, learner, attempt):
    require_postgres()
    course = make_course(catalogue, modules=1)
    module = course.get_children().get()
    url = f"/progress/modules/{module.pk}/complete/"
    statuses = run_concurrently(learner, [url, url, url])
    assert statuses == [302, 302, 302]
    assert CourseProgress.objects.filter(user=learner, course_id=course.pk).count() == 1
    assert ModuleProgress.objects.filter(module_id=module.pk).count() == 1
    assert Completion.objects.filter(user=learner, course_id=course.pk).count() == 1


def test_two_tabs_completing_two_modules_complete_the_course_once(catalogue, learner):
    require_postgres()
    course = make_course(catalogue, modules=2, sequential=False)
    first, second = course.get_children().order_by("path")
    statuses = run_concurrently(
        learner,
        [f"/progress/modules/{first.pk}/complete/", f"/progress/modules/{second.pk}/complete/"],
    )
    assert statuses == [302, 302]
    assert ModuleProgress.objects.filter(completed_at__isnull=False).count() == 2
    # Whichever request came second saw both modules done: exactly one completion.
    assert Completion.objects.filter(user=learner, course_id=course.pk).count() == 1
