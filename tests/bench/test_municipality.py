"""The synthetic municipality used by the benchmarks is consistent (small size)."""

import pytest

from assignments.models import Assignment, AssignmentRule
from bench.municipality import consistency_problems, generate
from people.models import OrgUnit, Person
from progress.models import Completion, ModuleProgress

pytestmark = pytest.mark.django_db


def test_small_municipality_is_consistent(demo_site):
    # Eight courses: every kind of rule (everyone, managers, new hires, one administration).
    counts = generate(people=600, units=40, courses=8, log=lambda message: None)
    assert counts["people"] == 600 and counts["units"] == 40
    assert max(OrgUnit.objects.values_list("depth", flat=True)) == 4
    managers = Person.objects.filter(is_manager=True).count()
    assert 0.05 * 600 <= managers <= 0.15 * 600
    assert Person.objects.filter(end_date__isnull=False).exists()  # leavers
    assert ModuleProgress.objects.count() > 600 * 4 * 4
    assert Completion.objects.exists()
    # Every unit row is a valid tree node for treebeard.
    assert OrgUnit.find_problems() == ([], [], [], [], [])
    open_ = Assignment.objects.filter(ended_at__isnull=True)
    assert counts["assignment_rules"] == 8
    assert open_.count() > 600 * 5 * 0.8  # five courses for everyone, and the rest
    assert Assignment.objects.filter(end_reason="left").exists()
    assert open_.filter(exempted_at__isnull=False).exists()
    assert open_.filter(due_on__lt="2026-11-01").exists()  # some are overdue
    assert consistency_problems() == []


def test_the_consistency_check_finds_assignments_the_rules_would_not_make(demo_site):
    generate(people=120, units=10, courses=8, log=lambda message: None)
    assert consistency_problems() == []
    manager_rule = AssignmentRule.objects.get(audience="managers")
    staff = Person.objects.filter(is_manager=False, end_date__isnull=True).first()
    Assignment.objects.create(
        user=staff.user,
        course_id=manager_rule.course_id,
        rule=manager_rule,
        assigned_at="2026-01-01T00:00Z",
        due_on="2026-06-01",
    )
    assert consistency_problems() == [
        f"1 assignments of course {manager_rule.course_id} are out of scope"
    ]


def test_the_consistency_check_finds_a_broken_database(demo_site):
    generate(people=60, units=10, courses=2, log=lambda message: None)
    Completion.objects.filter(pk=Completion.objects.first().pk).update(
        course_progress=ModuleProgress.objects.filter(completed_at__isnull=True)
        .first()
        .course_progress
    )
    assert consistency_problems() != []
