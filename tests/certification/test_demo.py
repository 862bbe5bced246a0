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
        "manual",
    ]
    unit = OrgUnit.objects.get(code=DEMO_UNIT)
    chef = django_user_model.objects.get(username="chef")
    assert unit.managers.filter(pk=chef.pk).exists()
    evidence = Evidence.objects.get(unit=unit)
    assert evidence.status == "submitted" and evidence.file.read(5) == b"%PDF-"
    standing = selectors.standing(programme, unit, timezone.localdate())
    assert standing.pending_evidence == 1 and not standing.all_met
