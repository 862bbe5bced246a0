"""The synthetic municipality used by the benchmarks is consistent (small size)."""

import pytest

from bench.municipality import consistency_problems, generate
from people.models import OrgUnit, Person
from progress.models import Completion, ModuleProgress

pytestmark = pytest.mark.django_db


def test_small_municipality_is_consistent(demo_site):
    counts = generate(people=600, units=40, courses=4, log=lambda message: None)
    assert counts["people"] == 600 and counts["units"] == 40
    assert max(OrgUnit.objects.values_list("depth", flat=True)) == 4
    managers = Person.objects.filter(is_manager=True).count()
    assert 0.05 * 600 <= managers <= 0.15 * 600
    assert Person.objects.filter(end_date__isnull=False).exists()  # leavers
    assert ModuleProgress.objects.count() > 600 * 4 * 4
    assert Completion.objects.exists()
    # Every unit row is a valid tree node for treebeard.
    assert OrgUnit.find_problems() == ([], [], [], [], [])
    assert consistency_problems() == []


def test_the_consistency_check_finds_a_broken_database(demo_site):
    generate(people=60, units=10, courses=2, log=lambda message: None)
    Completion.objects.filter(pk=Completion.objects.first().pk).update(
        course_progress=ModuleProgress.objects.filter(completed_at__isnull=True)
        .first()
        .course_progress
    )
    assert consistency_problems() != []
