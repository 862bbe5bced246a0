"""An applied HR import re-evaluates the rules through a real Celery worker."""

from __future__ import annotations

import pytest

from assignments.models import Assignment, AssignmentRule
from people import importing
from people.models import OrgUnit, Person
from people.sample import as_csv, sample_rows
from tests.helpers import require_postgres, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def test_new_hires_from_an_import_get_their_assignments(celery_worker, catalogue):
    # The worker writes while this thread polls: SQLite's shared in-memory test database
    # answers that with "table is locked" instead of waiting, so this needs PostgreSQL.
    require_postgres()
    from tests.factories import make_course

    course = make_course(catalogue, modules=1)
    rows = sample_rows(30)
    first = importing.plan_import(importing.read_rows(as_csv(rows[:20]), "personal.csv"))
    importing.apply_plan(first)
    AssignmentRule.objects.create(name="Alla", course=course, unit=OrgUnit.get_first_root_node())
    from assignments import services

    services.evaluate_rules()
    assert Assignment.objects.count() == 20

    second = importing.plan_import(importing.read_rows(as_csv(rows), "personal.csv"))
    importing.apply_plan(second)  # new people; the worker evaluates after the commit
    employed = Person.objects.filter(end_date__isnull=True, unit__isnull=False).count()
    assert employed > 20

    assert wait_for(lambda: Assignment.objects.count() == employed)
