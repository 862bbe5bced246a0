"""Workplace certification under attack: forged ids, other people's units and evidence,
replays, and files that are too large, of the wrong type or broken. Nothing half-applied."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from certification import services
from certification.models import Certification, Evidence
from tests.certification.fixtures import *  # noqa: F403  (org, courses, programme)
from tests.certification.fixtures import MINIMAL_PDF, criterion, give_completion, pdf_upload

pytestmark = pytest.mark.django_db


def _submit(org, programme, upload=None, *, user=None, unit="HT", text=""):
    return services.evidence_submit(
        user=user or org["manager"],
        unit_id=org["units"][unit].pk,
        criterion_id=criterion(programme, "manual").pk,
        upload=upload,
        text=text,
    )


def _docx(extra: dict[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("plan.exe", b"MZ\x90\x00", "typ"),
        ("plan.html", b"<script>alert(1)</script>", "typ"),
        ("plan.pdf", b"<html>not a pdf</html>", "ingen PDF"),
        ("plan.pdf", b"%PDF-1.4\n garbage without pages", "skadad"),
        ("plan.docx", b"PK\x03\x04 broken zip", "skadad"),
        ("plan.docx", MINIMAL_PDF, "inget dokument"),
        ("plan.odt", _docx(), "inget dokument"),  # an ODT needs its mimetype member
        ("plan.png", MINIMAL_PDF, "skadad"),
        ("plan.jpg", b"", "tom"),
    ],
)
def test_wrong_type_and_broken_files_are_refused(org, programme, name, data, message):
    with pytest.raises(services.CertificationError, match=message):
        _submit(org, programme, SimpleUploadedFile(name, data))
    assert not Evidence.objects.exists()


@override_settings(CERTIFICATION_EVIDENCE_MAX_BYTES=1024)
def test_a_huge_file_is_refused(org, programme):
    with pytest.raises(services.CertificationError, match="för stor"):
        _submit(org, programme, SimpleUploadedFile("plan.pdf", b"%PDF-" + b"0" * 2048))
    assert not Evidence.objects.exists()


@override_settings(CERTIFICATION_EVIDENCE_MAX_BYTES=64 * 1024)
def test_a_zip_bomb_dressed_as_docx_is_refused(org, programme):
    bomb = _docx({"word/document.xml": b"0" * (64 * 1024 * 25)})
    assert len(bomb) < 64 * 1024
    with pytest.raises(services.CertificationError, match="packas upp"):
        _submit(org, programme, SimpleUploadedFile("plan.docx", bomb))


def test_the_uploaders_file_name_never_becomes_a_path(org, programme):
    evidence = _submit(org, programme, pdf_upload("../../../lms/settings/evil.pdf"))
    assert evidence.file.name.startswith(f"certification/evidence/{org['units']['HT'].pk}/")
    assert ".." not in evidence.file.name and "evil" not in evidence.file.name


def test_a_valid_docx_is_accepted(org, programme):
    evidence = _submit(org, programme, SimpleUploadedFile("plan.docx", _docx()))
    assert evidence.file.name.endswith(".docx")


def test_forged_unit_and_criterion_ids(org, programme, courses, client):
    # Another manager's unit, a unit above one's own, a computed criterion, a missing one.
    for unit in ("UTB", "SOC"):
        with pytest.raises(services.NotFound):
            _submit(org, programme, text="x", unit=unit)
    with pytest.raises(services.CertificationError, match="räknas fram"):
        services.evidence_submit(
            user=org["manager"],
            unit_id=org["units"]["HT"].pk,
            criterion_id=criterion(programme, "staff_share_completed").pk,
            text="x",
        )
    with pytest.raises(services.NotFound):
        services.evidence_submit(
            user=org["manager"], unit_id=org["units"]["HT"].pk, criterion_id=999999, text="x"
        )
    programme.active = False
    programme.save()
    with pytest.raises(services.NotFound):
        _submit(org, programme, text="x")
    programme.active = True
    programme.save()
    # Through the view: someone else's unit answers 404 and writes nothing.
    client.force_login(org["other_manager"])
    url = (
        f"/min-enhet/certifiering/{org['units']['HT'].pk}/kriterier/"
        f"{criterion(programme, 'manual').pk}/underlag/"
    )
    assert client.post(url, {"text": "forged"}).status_code == 404
    assert client.get(f"/min-enhet/certifiering/{org['units']['HT'].pk}/").status_code == 404
    assert not Evidence.objects.exists()


def test_other_peoples_evidence_and_certificates(org, programme, courses, client):
    evidence = _submit(org, programme, pdf_upload())
    # A manager elsewhere, and the unit's own staff, cannot fetch the file.
    for user in (org["other_manager"], org["people"][1]):
        client.force_login(user)
        assert client.get(f"/min-enhet/certifiering/underlag/{evidence.pk}/").status_code == 404
    client.force_login(org["manager"])
    response = client.get(f"/min-enhet/certifiering/underlag/{evidence.pk}/")
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    # The file is not reachable through the plain media view either.
    assert client.get(f"/media/{evidence.file.name}").status_code == 404

    # HR scoped elsewhere: neither review nor the file nor certify.
    from django.contrib.auth.models import Group, Permission

    from people.models import HRScope
    from tests.factories import UserFactory

    outsider = UserFactory(username="hr-utb")
    outsider.groups.add(Group.objects.get(name="HR"))
    outsider.user_permissions.add(Permission.objects.get(codename="access_admin"))
    HRScope.objects.create(user=outsider, unit=org["units"]["UTB"])
    with pytest.raises(services.NotFound):
        services.evidence_review(user=outsider, evidence_id=evidence.pk, approve=True)
    with pytest.raises(services.NotFound):
        services.certification_issue(
            user=outsider, unit_id=org["units"]["HT"].pk, programme_id=programme.pk
        )
    client.force_login(outsider)
    assert client.get(f"/admin/certification/evidence/{evidence.pk}/file/").status_code == 404
    assert (
        client.post(
            f"/admin/certification/evidence/{evidence.pk}/review/", {"decision": "approve"}
        ).status_code
        == 404
    )
    assert (
        client.get(
            f"/admin/certification/{programme.pk}/units/{org['units']['HT'].pk}/"
        ).status_code
        == 404
    )
    # A manager cannot review their own evidence (not HR).
    with pytest.raises(services.NotFound):
        services.evidence_review(user=org["manager"], evidence_id=evidence.pk, approve=True)
    evidence.refresh_from_db()
    assert evidence.status == "submitted"


def test_replays_change_nothing(org, programme, courses, client):
    for user in org["people"]:
        give_completion(user, courses["norm"])
    give_completion(org["manager"], courses["metoo"])
    first = _submit(org, programme, text="Plan")
    with pytest.raises(services.CertificationError, match="väntar på granskning"):
        _submit(org, programme, text="Plan igen")
    services.evidence_review(user=org["hr"], evidence_id=first.pk, approve=True)
    client.force_login(org["hr"])
    replay = client.post(
        f"/admin/certification/evidence/{first.pk}/review/",
        {"decision": "return", "comment": "nej"},
    )
    assert replay.status_code == 302
    first.refresh_from_db()
    assert first.status == "approved"
    certify = f"/admin/certification/{programme.pk}/units/{org['units']['HT'].pk}/certify/"
    assert client.post(certify).status_code == 302
    assert client.post(certify).status_code == 302  # refused with a message, no second row
    assert Certification.objects.count() == 1


def test_certifying_a_unit_that_does_not_meet_the_criteria_is_refused_with_a_message(
    org, programme, client
):
    client.force_login(org["hr"])
    unit = org["units"]["HT"]
    response = client.post(
        f"/admin/certification/{programme.pk}/units/{unit.pk}/certify/", follow=True
    )
    assert response.status_code == 200
    assert not Certification.objects.exists()
    text = response.content.decode()
    assert "Aktiv handlingsplan" in text
    # A forged programme id.
    assert client.post(f"/admin/certification/999999/units/{unit.pk}/certify/").status_code == 404


# --- The criterion form's module list ----------------------------------------------------------


@pytest.mark.parametrize("forged", ["ordinary", "missing", "text", "draft"])
def test_a_forged_module_in_the_criterion_form_is_refused(org, courses, client, forged):
    """Only live group-viewing modules may be required: an ordinary module, an id that does not
    exist, a non-number or an unpublished film never reach the criterion, and nothing is saved."""
    from certification.models import CertificationProgramme
    from tests.certification.test_admin import _form

    films = list(courses["norm"].get_children().specific())
    film = films[0]
    film.for_group_viewing = True
    film.save_revision().publish()
    ordinary = courses["metoo"].get_children().first()
    value = {
        "ordinary": [str(film.pk), str(ordinary.pk)],
        "missing": [str(film.pk), "987654"],
        "text": ["x; drop table"],
        "draft": [str(film.pk)],
    }[forged]
    if forged == "draft":
        film.unpublish()
    data = _form(courses, kind="group_modules_held", course="", percent="", months="12")
    client.force_login(org["hr"])
    response = client.post(
        "/admin/certification/programmes/new/", {**data, "criteria-0-module_ids": value}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Välj bara moduler ur listan" in body or "behöver minst en modul" in body
    assert not CertificationProgramme.objects.exists()
