"""The nightly sweep and a learner opening the course at the same moment open one round
(PostgreSQL: real concurrent transactions)."""

import datetime
import threading

import pytest
from django.db import connection
from django.test import Client

from assignments import services
from assignments.models import Assignment, AssignmentRule
from progress import services as progress_services
from progress.models import CourseProgress
from tests.assignments.conftest import make_person
from tests.assignments.test_renewal import DAY0, EXPIRY_DAY, at
from tests.factories import make_course
from tests.helpers import require_postgres

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("attempt", range(3))
def test_sweep_and_learner_at_once_open_one_round(org, catalogue, attempt):
    require_postgres()
    course = make_course(catalogue, modules=1, validity_months=36)
    person = make_person(org["home_care"])
    AssignmentRule.objects.create(name="Alla", course=course, unit=org["root"], due_days=45)
    with at(DAY0.date()):
        services.evaluate_rules()
        progress_services.module_complete(
            user=person.user, module=course.get_children().get().specific
        )
    barrier = threading.Barrier(3)
    errors: list[BaseException] = []

    def run(work):
        try:
            barrier.wait()
            work()
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    def learner():
        client = Client()
        client.force_login(person.user)
        assert client.get(course.url).status_code == 200

    with at(EXPIRY_DAY):
        threads = [
            threading.Thread(target=run, args=(work,))
            for work in (services.renew_lapsed, learner, services.renew_lapsed)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    assert not errors, errors
    assert list(
        CourseProgress.objects.filter(user=person.user).order_by("round").values_list("round")
    ) == [(1,), (2,)]
    assert Assignment.objects.get(user=person.user).due_on == EXPIRY_DAY + datetime.timedelta(
        days=45
    )
