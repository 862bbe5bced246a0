"""A small organisation: kommunen → two administrations → units, with managers and staff."""

from __future__ import annotations

import datetime
import itertools

import pytest

from people.models import OrgUnit, Person
from tests.factories import UserFactory, make_course

_numbers = itertools.count(1)


def make_person(unit, *, manager=False, start=None, end=None, username=None) -> Person:
    n = next(_numbers)
    user = UserFactory(username=username or f"p{n}")
    return Person.objects.create(
        user=user,
        employee_number=f"E{n:05d}",
        unit=unit,
        is_manager=manager,
        is_staff_member=not manager,
        start_date=start or datetime.date(2015, 1, 1),
        end_date=end,
    )


@pytest.fixture
def org(db):
    root = OrgUnit.add_root(instance=OrgUnit(code="K", name="Kommunen"))
    social = root.add_child(instance=OrgUnit(code="SOC", name="Socialförvaltningen"))
    root.refresh_from_db()
    school = root.add_child(instance=OrgUnit(code="UTB", name="Utbildningsförvaltningen"))
    social.refresh_from_db()
    home_care = social.add_child(instance=OrgUnit(code="HT", name="Hemtjänsten"))
    return {"root": root, "social": social, "school": school, "home_care": home_care}


@pytest.fixture
def course(catalogue):
    return make_course(catalogue, modules=1, title="Normdiplomering")
