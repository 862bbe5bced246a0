"""The small-group protection is cached under a change counter (issue 11, bench): unchanged data
reuses the hidden breakdowns, and every kind of write they depend on (assignments, people, the
organisation) makes the next dashboard compute them anew, so a cached decision is never stale."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.utils import timezone

from assignments.models import Assignment
from people.models import OrgUnit, Person
from reports import selectors
from reports.models import ProtectionChange
from tests.factories import make_course
from tests.reports.conftest import add_person, assign

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the cache rests on PostgreSQL triggers"
    ),
]


@pytest.fixture(autouse=True)
def _counter_row():
    # Migration data: a flushing test earlier in the same xdist process may have removed it
    ProtectionChange.objects.get_or_create(pk=1)


@pytest.fixture
def shown(catalogue):
    """An organisation Z whose unit Z1 holds five managers and five staff on course X: the role
    breakdown of Z and Z1 is shown; the sex breakdown (all women) is hidden."""
    z = OrgUnit.add_root(instance=OrgUnit(code="Z", name="Kommunen Z"))
    z1 = z.add_child(instance=OrgUnit(code="Z1", name="Enhet Z1"))
    z2 = z.add_child(instance=OrgUnit(code="Z2", name="Enhet Z2"))
    course = make_course(catalogue, title="Kurs X", modules=1)
    people = [add_person(z1, manager=index < 5) for index in range(10)]
    assignments = [assign(user, course, "not_started") for user in people]
    return z, z1, z2, course, people, assignments


def role_shown(z, unit, course) -> bool:
    return (unit.path, course.pk, "role") not in selectors.hidden_breakdowns([z])


def fresh(z) -> set:
    return selectors._compute_hidden([OrgUnit(path=z.path[: OrgUnit.steplen])])


def test_unchanged_data_reuses_the_hidden_breakdowns(shown, django_assert_num_queries):
    z, z1, _z2, course, _people, _assignments = shown
    first = selectors.hidden_breakdowns([z])
    assert (z1.path, course.pk, "role") not in first
    assert (z1.path, course.pk, "sex") in first
    with django_assert_num_queries(1):  # the change counter only
        assert selectors.hidden_breakdowns([z1]) == first  # same organisation, same decisions


def test_an_ended_assignment_is_seen_at_once(shown):
    z, z1, _z2, course, _people, assignments = shown
    assert role_shown(z, z1, course)
    before = ProtectionChange.objects.get().version
    Assignment.objects.filter(pk=assignments[0].pk).update(ended_at=timezone.now())
    assert ProtectionChange.objects.get().version != before
    assert not role_shown(z, z1, course)  # four managers left
    assert selectors.hidden_breakdowns([z]) == fresh(z)


def test_an_exemption_and_a_new_assignment_are_seen(shown):
    z, z1, _z2, course, _people, assignments = shown
    assert role_shown(z, z1, course)
    Assignment.objects.filter(pk=assignments[1].pk).update(exempted_at=timezone.now())
    assert not role_shown(z, z1, course)
    newcomer = add_person(z1, manager=True)
    assign(newcomer, course, "not_started")
    assert role_shown(z, z1, course)
    assert selectors.hidden_breakdowns([z]) == fresh(z)


def test_a_person_changing_role_or_unit_is_seen(shown):
    z, z1, z2, course, people, _assignments = shown
    assert role_shown(z, z1, course)
    Person.objects.filter(user=people[0]).update(is_manager=False)
    assert not role_shown(z, z1, course)
    Person.objects.filter(user=people[0]).update(is_manager=True)
    assert role_shown(z, z1, course)
    Person.objects.filter(user=people[9]).update(unit=z2)  # a move: Z1 keeps four staff
    assert not role_shown(z, z1, course)
    assert selectors.hidden_breakdowns([z]) == fresh(z)


def test_a_moved_unit_is_seen(shown):
    z, z1, z2, course, _people, _assignments = shown
    assert role_shown(z, z1, course)
    z1.move(z2, "first-child")  # Z1 under Z2: new paths, new decisions
    moved = OrgUnit.objects.get(pk=z1.pk)
    assert (moved.path, course.pk, "role") not in selectors.hidden_breakdowns([z])
    assert selectors.hidden_breakdowns([z]) == fresh(z)


def test_a_rolled_back_write_leaves_no_version_to_reuse(shown):
    z, z1, _z2, course, _people, assignments = shown
    assert role_shown(z, z1, course)
    before = ProtectionChange.objects.get().version
    with pytest.raises(RuntimeError), transaction.atomic():
        Assignment.objects.filter(pk=assignments[0].pk).update(ended_at=timezone.now())
        assert not role_shown(z, z1, course)  # cached under the uncommitted version
        raise RuntimeError
    assert ProtectionChange.objects.get().version == before
    assert role_shown(z, z1, course)
    # The next write gets a version never used before (a sequence), not the rolled-back one.
    Assignment.objects.filter(pk=assignments[0].pk).update(ended_at=timezone.now())
    assert not role_shown(z, z1, course)
