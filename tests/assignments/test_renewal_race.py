"""The renewal sweep writes its rounds and due dates set-based (one statement each per slice):
two sweeps and the learners themselves opening their lapsed courses, all at once, still give
each person exactly one new round and the same due date (PostgreSQL, real transactions)."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.db import connection

from assignments import services
from assignments.models import Assignment, AssignmentRule
from progress.models import CourseProgress
from tests.assignments.conftest import make_person
from tests.assignments.test_renewal import DAY0, EXPIRY_DAY, at, complete_on_day0
from tests.factories import make_course
from tests.helpers import require_postgres

pytestmark = pytest.mark.django_db(transaction=True)


def test_sweeps_and_learners_renewing_at_once_open_one_round_each(org, catalogue):
    require_postgres()
    course = make_course(catalogue, modules=1, validity_months=36)
    people = [make_person(org["home_care"]) for _ in range(6)]
    AssignmentRule.objects.create(name="Alla", course=course, unit=org["root"], due_days=30)
    with at(DAY0.date()):
        services.evaluate_rules()
    for person in people:
        complete_on_day0(person.user, course)

    jobs = [services.renew_lapsed, services.renew_lapsed] + [
        (lambda user=p.user: services.renewal_open_if_due(user=user, course_id=course.pk))
        for p in people[:3]
    ]
    barrier = threading.Barrier(len(jobs))
    errors: list[Exception] = []

    def run(job) -> None:
        barrier.wait()
        try:
            job()
        except Exception as error:  # surfaced below
            errors.append(error)
        finally:
            connection.close()

    with at(EXPIRY_DAY):
        threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    assert not errors, errors
    rounds = list(CourseProgress.objects.filter(course=course).values_list("user_id", "round"))
    assert sorted(r for _u, r in rounds) == [1] * 6 + [2] * 6
    assert set(Assignment.objects.values_list("due_on", flat=True)) == {
        EXPIRY_DAY + datetime.timedelta(days=30)
    }
