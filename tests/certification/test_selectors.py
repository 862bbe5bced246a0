"""Criteria for every unit in a constant number of queries (acceptance 4, certification half),
for the selector and for HR's list page, asserted at two sizes."""

from __future__ import annotations

import pytest
from django.utils import timezone

from certification import selectors, services
from certification.models import Certification, Evidence
from people.models import OrgUnit, Person
from tests.certification.fixtures import criterion, give_completion
from tests.factories import UserFactory
from tests.helpers import assert_queries_independent_of_size

pytestmark = pytest.mark.django_db


def _grow(org, programme, courses, n: int = 12):
    soc = OrgUnit.objects.get(pk=org["units"]["SOC"].pk)
    manual = criterion(programme, "manual")
    for i in range(n):
        unit = soc.add_child(instance=OrgUnit(code=f"G{i}", name=f"Enhet {i}"))
        soc.refresh_from_db()
        boss = UserFactory(username=f"g-chef-{i}")
        unit.managers.add(boss)
        Person.objects.create(user=boss, employee_number=f"G-C-{i}", unit=unit, is_manager=True)
        give_completion(boss, courses["metoo"])
        for j in range(3):
            user = UserFactory(username=f"g-{i}-{j}")
            Person.objects.create(user=user, employee_number=f"G-{i}-{j}", unit=unit)
            if j:
                give_completion(user, courses["norm"])
        Evidence.objects.create(unit=unit, criterion=manual, text="Plan", submitted_by=boss)
        if i % 3 == 0:
            Certification.objects.create(
                unit=unit,
                programme=programme,
                certified_on="2024-01-01",
                valid_until="2024-12-31",
            )


def test_standings_take_constant_queries(org, programme, courses):
    def measure():
        units = list(OrgUnit.objects.order_by("path"))
        rows = selectors.standings(programme, units, timezone.localdate())
        assert len(rows) == len(units)

    queries = assert_queries_independent_of_size(
        measure, lambda: _grow(org, programme, courses), label="standings"
    )
    assert queries <= 8  # units, criteria, 3 evaluators, certificates, evidence to review


def test_hr_list_takes_constant_queries(org, programme, courses, client):
    client.force_login(org["hr"])

    def measure():
        response = client.get(f"/admin/certification/?programme={programme.pk}")
        assert response.status_code == 200

    assert_queries_independent_of_size(
        measure, lambda: _grow(org, programme, courses), label="HR list"
    )


def test_hr_list_shows_lapsed_and_certified_units_in_scope_only(org, programme, courses, client):
    _grow(org, programme, courses, n=3)
    for user in org["people"]:
        give_completion(user, courses["norm"])
    give_completion(org["manager"], courses["metoo"])
    evidence = services.evidence_submit(
        user=org["manager"],
        unit_id=org["units"]["HT"].pk,
        criterion_id=criterion(programme, "manual").pk,
        text="Plan",
    )
    services.evidence_review(user=org["hr"], evidence_id=evidence.pk, approve=True)
    services.certification_issue(
        user=org["hr"], unit_id=org["units"]["HT"].pk, programme_id=programme.pk
    )
    client.force_login(org["hr"])
    page = client.get(f"/admin/certification/?programme={programme.pk}&state=certified")
    text = page.content.decode()
    assert "Hemtjänsten (HT)" in text and "Enhet 0" not in text
    lapsed = client.get(f"/admin/certification/?programme={programme.pk}&state=lapsed")
    text = lapsed.content.decode()
    assert "Enhet 0" in text and "Förfallen" in text and "Hemtjänsten (HT)" not in text
    # Utbildning is outside HR's scope (Socialförvaltningen).
    everything = client.get(f"/admin/certification/?programme={programme.pk}").content.decode()
    assert "Utbildning" not in everything
