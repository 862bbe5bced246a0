"""Acceptance 3 of issue 14 on a hand-built unit: computed criteria follow completions, a manual
criterion needs HR's approval, and a certificate lapses on the right day and shows as lapsed."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.utils import timezone

from certification import evaluators, selectors, services
from certification.models import Certification, EvidenceStatus, add_months
from tests.certification.fixtures import criterion, give_completion, pdf_upload

pytestmark = pytest.mark.django_db


def _results(programme, unit, today=None):
    standing = selectors.standing(programme, unit, today or timezone.localdate())
    return {row.criterion.kind: row.result for row in standing.criteria}, standing


def _approve_plan(org, programme):
    evidence = services.evidence_submit(
        user=org["manager"],
        unit_id=org["units"]["HT"].pk,
        criterion_id=criterion(programme, "manual").pk,
        upload=pdf_upload(),
        text="Handlingsplanen antogs på APT i november.",
    )
    return services.evidence_review(user=org["hr"], evidence_id=evidence.pk, approve=True)


def test_computed_criteria_change_as_people_complete(org, courses, programme):
    unit = org["units"]["HT"]
    results, _standing = _results(programme, unit)
    share = results["staff_share_completed"]
    assert not share.met
    assert share.figures == {"completed": 0, "staff": 6, "percent": 0}
    assert "0 av 6" in share.summary or "0 of 6" in share.summary

    # Four of six (66 %): not yet 80 %. The night shift's person counts (a sub-unit).
    for user in org["people"][2:]:
        give_completion(user, courses["norm"])
    share = _results(programme, unit)[0]["staff_share_completed"]
    assert (share.met, share.figures["completed"], share.figures["percent"]) == (False, 4, 66)

    # An expired completion does not count; a valid one does: five of six is 83 %.
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    give_completion(org["people"][1], courses["norm"], valid_until=yesterday)
    assert not _results(programme, unit)[0]["staff_share_completed"].met
    give_completion(org["people"][0], courses["norm"])
    share = _results(programme, unit)[0]["staff_share_completed"]
    assert (share.met, share.figures["completed"], share.figures["percent"]) == (True, 5, 83)

    # Every manager: the unit's one manager has not done #metoo, then has.
    managers = _results(programme, unit)[0]["managers_completed"]
    assert (managers.met, managers.figures) == (False, {"completed": 0, "managers": 1})
    give_completion(org["manager"], courses["metoo"])
    managers = _results(programme, unit)[0]["managers_completed"]
    assert (managers.met, managers.figures) == (True, {"completed": 1, "managers": 1})

    # Someone who left no longer counts among the staff.
    person = org["people"][2].person
    person.end_date = yesterday
    person.save()
    share = _results(programme, unit)[0]["staff_share_completed"]
    assert share.figures["staff"] == 5


def test_a_unit_without_a_manager_does_not_meet_the_manager_criterion(org, programme):
    results, _ = _results(programme, org["units"]["HTN"])
    assert not results["managers_completed"].met
    assert results["managers_completed"].figures["managers"] == 0


def test_manual_criterion_needs_hr_approval(org, courses, programme):
    unit = org["units"]["HT"]
    for user in org["people"]:
        give_completion(user, courses["norm"])
    give_completion(org["manager"], courses["metoo"])
    manual = criterion(programme, "manual")
    assert not _results(programme, unit)[0]["manual"].met

    evidence = services.evidence_submit(
        user=org["manager"], unit_id=unit.pk, criterion_id=manual.pk, upload=pdf_upload()
    )
    assert evidence.file.name.startswith(f"certification/evidence/{unit.pk}/")
    result = _results(programme, unit)[0]["manual"]
    assert not result.met and result.latest_evidence.pk == evidence.pk
    with pytest.raises(services.CertificationError, match="Aktiv handlingsplan"):
        services.certification_issue(user=org["hr"], unit_id=unit.pk, programme_id=programme.pk)
    assert not Certification.objects.exists()

    # Returning needs a comment; then the manager submits again and HR approves.
    with pytest.raises(services.CertificationError):
        services.evidence_review(user=org["hr"], evidence_id=evidence.pk, approve=False)
    services.evidence_review(
        user=org["hr"], evidence_id=evidence.pk, approve=False, comment="Datum saknas."
    )
    result = _results(programme, unit)[0]["manual"]
    assert not result.met and "Datum saknas." in result.summary
    second = services.evidence_submit(
        user=org["manager"], unit_id=unit.pk, criterion_id=manual.pk, text="Plan med datum."
    )
    services.evidence_review(user=org["hr"], evidence_id=second.pk, approve=True)
    assert _results(programme, unit)[0]["manual"].met
    # The history is kept: the returned one and the approved one.
    assert [e.status for e in selectors.evidence_history(unit, programme)] == [
        EvidenceStatus.APPROVED,
        EvidenceStatus.RETURNED,
    ]
    # A reviewed evidence cannot be reviewed again (a replayed form).
    with pytest.raises(services.CertificationError):
        services.evidence_review(user=org["hr"], evidence_id=second.pk, approve=False, comment="x")

    certification = services.certification_issue(
        user=org["hr"], unit_id=unit.pk, programme_id=programme.pk
    )
    assert certification.pdf.read(5) == b"%PDF-"
    assert len(certification.criteria_snapshot) == 3


def test_certificate_lapses_on_the_right_day_and_shows_as_lapsed(org, courses, programme, client):
    unit = org["units"]["HT"]
    with time_machine.travel(datetime.datetime(2026, 12, 1, 10, tzinfo=datetime.UTC)):
        for user in org["people"]:
            give_completion(user, courses["norm"])
        give_completion(org["manager"], courses["metoo"])
        _approve_plan(org, programme)
        certification = services.certification_issue(
            user=org["hr"], unit_id=unit.pk, programme_id=programme.pk
        )
    assert (certification.certified_on, certification.valid_until) == (
        datetime.date(2026, 12, 1),
        datetime.date(2027, 11, 30),
    )
    with time_machine.travel(datetime.datetime(2027, 11, 30, 12, tzinfo=datetime.UTC)):
        client.force_login(org["manager"])  # a year on: a fresh session
        standing = selectors.standing(programme, unit, timezone.localdate())
        assert standing.state == selectors.CERTIFIED
        page = client.get(f"/min-enhet/certifiering/{unit.pk}/").content.decode()
        assert "lapsed" not in page.lower() and "förfallen" not in page.lower()
    with time_machine.travel(datetime.datetime(2027, 12, 1, 12, tzinfo=datetime.UTC)):
        client.force_login(org["manager"])
        standing = selectors.standing(programme, unit, timezone.localdate())
        assert standing.state == selectors.LAPSED
        assert standing.current.pk == certification.pk  # kept, never deleted
        page = client.get(f"/min-enhet/certifiering/{unit.pk}/").content.decode()
        assert "Förfallen" in page or "Lapsed" in page
        # Renewal makes a new row; the lapsed one stays.
        renewed = services.certification_issue(
            user=org["hr"], unit_id=unit.pk, programme_id=programme.pk
        )
    assert Certification.objects.filter(unit=unit).count() == 2
    assert renewed.valid_until == datetime.date(2028, 11, 30)


def test_early_renewal_continues_from_the_end_of_the_current_certificate(org, courses, programme):
    unit = org["units"]["HT"]
    for user in org["people"]:
        give_completion(user, courses["norm"])
    give_completion(org["manager"], courses["metoo"])
    _approve_plan(org, programme)
    first = services.certification_issue(user=org["hr"], unit_id=unit.pk, programme_id=programme.pk)
    with pytest.raises(services.CertificationError, match="90"):
        services.certification_issue(user=org["hr"], unit_id=unit.pk, programme_id=programme.pk)
    soon = first.valid_until - datetime.timedelta(days=30)
    renewed = services.certification_issue(
        user=org["hr"], unit_id=unit.pk, programme_id=programme.pk, today=soon
    )
    assert renewed.valid_until == programme.valid_until(first.valid_until + datetime.timedelta(1))


def test_validity_counts_calendar_months():
    assert add_months(datetime.date(2026, 1, 31), 1) == datetime.date(2026, 2, 28)
    assert add_months(datetime.date(2028, 2, 29), 12) == datetime.date(2029, 2, 28)
    assert add_months(datetime.date(2026, 1, 15), -1) == datetime.date(2025, 12, 15)


def test_a_new_kind_is_a_few_lines(org, programme):
    """The workplace-meetings kind will be registered like this from its own app."""
    from certification.models import Criterion

    def held(criterion, units, today):
        return {u.pk: evaluators.Result(met=u.code == "HT", summary="x") for u in units}

    try:
        evaluators.register("test_kind", "Testtyp", held, needs_months=True)
        assert ("test_kind", "Testtyp") in evaluators.choices()
        extra = Criterion(programme=programme, kind="test_kind", sort_order=3)
        with pytest.raises(Exception, match="months"):
            extra.full_clean()
        extra.months = 12
        extra.full_clean()
        extra.save()
        results, _ = _results(programme, org["units"]["HT"])
        assert results["test_kind"].met
    finally:
        evaluators._REGISTRY.pop("test_kind", None)
    # Unregistered again: the criterion counts as not met instead of breaking the page.
    results, _ = _results(programme, org["units"]["HT"])
    assert not results["test_kind"].met
