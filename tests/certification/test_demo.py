"""The demo programme and the demo manager's action plan waiting for review."""

from __future__ import annotations

import pytest
from django.utils import timezone

from certification import selectors
from certification.demo import DEMO_UNIT, PROGRAMME, ensure_certification
from certification.models import CertificationProgramme, Evidence
from people.models import OrgUnit

pytestmark = pytest.mark.django_db


def test_demo_programme_and_evidence(demo_courses, demo_organisation, django_user_model):
    assert ensure_certification() is True
    assert ensure_certification() is False  # safe to run again
    programme = CertificationProgramme.objects.get(name=PROGRAMME)
    assert [c.kind for c in programme.criteria.order_by("sort_order")] == [
        "staff_share_completed",
        "managers_completed",
        "group_modules_held",  # both APT films of Normdiplomering
        "manual",
    ]
    films = programme.criteria.get(kind="group_modules_held")
    assert len(films.module_ids) == 2 and films.months == 12
    unit = OrgUnit.objects.get(code=DEMO_UNIT)
    chef = django_user_model.objects.get(username="chef")
    assert unit.managers.filter(pk=chef.pk).exists()
    evidence = Evidence.objects.get(unit=unit)
    assert evidence.status == "submitted" and evidence.file.read(5) == b"%PDF-"
    standing = selectors.standing(programme, unit, timezone.localdate())
    assert standing.pending_evidence == 1 and not standing.all_met


def test_demo_unit_has_held_one_of_the_two_films(demo_courses, demo_organisation):
    from workplace_meetings.demo import ensure_meetings

    ensure_certification()
    assert ensure_meetings() == 1
    programme = CertificationProgramme.objects.get(name=PROGRAMME)
    unit = OrgUnit.objects.get(code=DEMO_UNIT)
    standing = selectors.standing(programme, unit, timezone.localdate())
    (films,) = [s for s in standing.criteria if s.criterion.kind == "group_modules_held"]
    assert not films.result.met
    assert films.result.summary.startswith("1 av 2 moduler")
