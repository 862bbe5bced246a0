"""Nightly run and an HR import's run at the same moment: still one open assignment each."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.db import connection

from assignments import services
from assignments.models import Assignment, AssignmentRule
from tests.helpers import require_postgres

from .conftest import make_person

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("attempt", range(2))
def test_concurrent_evaluations_create_each_assignment_once(org, course, attempt):
    require_postgres()
    for _ in range(40):
        make_person(org["home_care"])
    AssignmentRule.objects.create(name="Alla", course=course, unit=org["root"])
    barrier = threading.Barrier(3)
    errors: list[BaseException] = []

    def evaluate() -> None:
        barrier.wait()
        try:
            services.evaluate_rules(today=datetime.date(2026, 11, 25))
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=evaluate) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert errors == []
    assert Assignment.objects.filter(ended_at__isnull=True).count() == 40
    assert Assignment.objects.count() == 40
