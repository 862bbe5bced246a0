"""HR defines a programme with its criteria in one admin form; the kind's needs are checked."""

from __future__ import annotations

import pytest

from certification.models import CertificationProgramme

pytestmark = pytest.mark.django_db


def _form(courses, **criterion):
    data = {
        "name": "Jämställd arbetsplats",
        "description": "",
        "validity_months": "24",
        "active": "on",
        "criteria-TOTAL_FORMS": "1",
        "criteria-INITIAL_FORMS": "0",
        "criteria-MIN_NUM_FORMS": "1",
        "criteria-MAX_NUM_FORMS": "1000",
        "criteria-0-kind": "staff_share_completed",
        "criteria-0-title": "",
        "criteria-0-course": str(courses["norm"].pk),
        "criteria-0-percent": "80",
        "criteria-0-months": "",
        "criteria-0-instructions": "",
        "criteria-0-ORDER": "1",
        "criteria-0-id": "",
        "criteria-0-DELETE": "",
    }
    data.update({f"criteria-0-{k}": v for k, v in criterion.items()})
    return data


def test_hr_creates_a_programme_with_a_criterion(org, courses, client):
    client.force_login(org["hr"])
    response = client.post("/admin/certification/programmes/new/", _form(courses))
    assert response.status_code == 302, response.content.decode()[:2000]
    programme = CertificationProgramme.objects.get()
    criterion = programme.criteria.get()
    assert (criterion.kind, criterion.percent, criterion.course_id) == (
        "staff_share_completed",
        80,
        courses["norm"].pk,
    )
    assert "80 %" in criterion.label and "Normdiplomering" in criterion.label


def test_a_criterion_without_what_its_kind_needs_is_refused(org, courses, client):
    client.force_login(org["hr"])
    response = client.post("/admin/certification/programmes/new/", _form(courses, percent=""))
    assert response.status_code == 200
    assert "behöver en andel i procent" in response.content.decode()
    assert not CertificationProgramme.objects.exists()


def test_a_programme_with_certificates_is_not_deleted(org, programme, client):
    from certification.models import Certification

    Certification.objects.create(
        unit=org["units"]["HT"],
        programme=programme,
        certified_on="2025-01-01",
        valid_until="2025-12-31",
    )
    client.force_login(org["hr"])
    response = client.post(f"/admin/certification/programmes/delete/{programme.pk}/", follow=True)
    assert response.status_code == 200
    assert "kan inte tas bort" in response.content.decode()
    assert CertificationProgramme.objects.filter(pk=programme.pk).exists()


def test_a_programme_without_history_is_deleted(org, programme, client):
    client.force_login(org["hr"])
    response = client.post(f"/admin/certification/programmes/delete/{programme.pk}/")
    assert response.status_code == 302
    assert not CertificationProgramme.objects.exists()


def test_a_criterion_with_evidence_is_not_removed(org, programme, client):
    from certification.models import Evidence

    manual = programme.criteria.get(kind="manual")
    Evidence.objects.create(unit=org["units"]["HT"], criterion=manual, text="Plan")
    criteria = list(programme.criteria.order_by("sort_order"))
    data = {
        "name": programme.name,
        "description": "",
        "validity_months": "12",
        "active": "on",
        "criteria-TOTAL_FORMS": str(len(criteria)),
        "criteria-INITIAL_FORMS": str(len(criteria)),
        "criteria-MIN_NUM_FORMS": "1",
        "criteria-MAX_NUM_FORMS": "1000",
    }
    for n, c in enumerate(criteria):
        data.update(
            {
                f"criteria-{n}-id": str(c.pk),
                f"criteria-{n}-kind": c.kind,
                f"criteria-{n}-title": c.title,
                f"criteria-{n}-course": str(c.course_id or ""),
                f"criteria-{n}-percent": str(c.percent or ""),
                f"criteria-{n}-months": "",
                f"criteria-{n}-instructions": c.instructions,
                f"criteria-{n}-ORDER": str(n + 1),
                f"criteria-{n}-DELETE": "on" if c.pk == manual.pk else "",
            }
        )
    client.force_login(org["hr"])
    response = client.post(f"/admin/certification/programmes/edit/{programme.pk}/", data)
    assert response.status_code == 200
    assert "kan inte tas bort" in response.content.decode()
    assert programme.criteria.filter(pk=manual.pk).exists()
    # Without the deletion the same form saves.
    data["criteria-2-DELETE"] = ""
    response = client.post(f"/admin/certification/programmes/edit/{programme.pk}/", data)
    assert response.status_code == 302
