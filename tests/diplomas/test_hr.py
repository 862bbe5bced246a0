"""Issue 12, acceptance 5: HR downloads a unit's diplomas as a ZIP; outside its scope, refused."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.contrib.auth.models import Permission

from diplomas import services
from diplomas.models import Diploma
from tests.diplomas.conftest import give_completion
from tests.factories import make_course

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(org, catalogue):
    course = make_course(catalogue, title="Likabehandling", modules=1)
    completions = {code: give_completion(user, course) for code, user in org["people"].items()}
    services.diplomas_sweep()
    return {**org, "course": course, "completions": completions}


def _login(client, user):
    client.force_login(user)


def _zip_names(response) -> list[str]:
    data = b"".join(response.streaming_content)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        return sorted(archive.namelist())


def test_hr_zip_of_own_unit_holds_its_diplomas(client, world):
    _login(client, world["hr"])
    soc = world["units"]["SOC"]
    with_subunits = client.get(f"/admin/diplomas/units/{soc.pk}/zip/?subunits=1")
    assert with_subunits.status_code == 200
    assert with_subunits["Content-Type"] == "application/zip"
    assert "no-store" in with_subunits["Cache-Control"]
    codes = {c: world["completions"][c].diploma.code for c in ("SOC", "HT", "UTB")}
    names = _zip_names(with_subunits)
    assert len(names) == 2
    assert any(codes["SOC"] in n for n in names) and any(codes["HT"] in n for n in names)
    assert not any(codes["UTB"] in n for n in names)
    only_unit = _zip_names(client.get(f"/admin/diplomas/units/{soc.pk}/zip/?subunits=0"))
    assert len(only_unit) == 1 and codes["SOC"] in only_unit[0]


def test_zip_files_are_the_diplomas(client, world):
    _login(client, world["hr"])
    ht = world["units"]["HT"]
    data = b"".join(client.get(f"/admin/diplomas/units/{ht.pk}/zip/").streaming_content)
    diploma = world["completions"]["HT"].diploma
    diploma.refresh_from_db()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        (name,) = archive.namelist()
        with diploma.pdf.open("rb") as handle:
            assert archive.read(name) == handle.read()


def test_zip_of_a_unit_outside_the_scope_is_refused(client, world):
    _login(client, world["hr"])
    for code in ("UTB", "K"):
        response = client.get(f"/admin/diplomas/units/{world['units'][code].pk}/zip/")
        assert response.status_code == 404
        assert b"PK" not in response.content[:2]
    assert client.get("/admin/diplomas/units/999999/zip/").status_code == 404


def test_revoked_diplomas_are_left_out_of_the_zip(client, world):
    diploma = world["completions"]["HT"].diploma
    services.diploma_revoke(diploma=diploma, user=world["hr"], reason="Fel kurs registrerad")
    _login(client, world["hr"])
    names = _zip_names(client.get(f"/admin/diplomas/units/{world['units']['HT'].pk}/zip/"))
    assert names == []


def test_list_shows_only_the_scope_and_filters(client, world, django_assert_max_num_queries):
    _login(client, world["hr"])
    with django_assert_max_num_queries(25):
        response = client.get("/admin/diplomas/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Person SOC" in body and "Person HT" in body and "Person UTB" not in body
    ht = world["units"]["HT"]
    body = client.get(f"/admin/diplomas/?unit={ht.pk}&subunits=1").content.decode()
    assert "Person HT" in body and "Person SOC" not in body
    # A unit outside the scope in the filter is ignored (everything in scope), not shown.
    utb = world["units"]["UTB"]
    body = client.get(f"/admin/diplomas/?unit={utb.pk}").content.decode()
    assert "Person UTB" not in body and "Utbildning" not in body


def test_list_query_count_does_not_grow_with_rows(
    client, world, catalogue, django_assert_max_num_queries
):
    from people.models import Person
    from tests.factories import UserFactory

    course = world["course"]
    for n in range(30):
        user = UserFactory(username=f"extra-{n}")
        Person.objects.create(user=user, employee_number=f"X{n}", unit=world["units"]["HT"])
        give_completion(user, course)
    services.diplomas_create_missing()
    _login(client, world["hr"])
    with django_assert_max_num_queries(25):
        assert client.get("/admin/diplomas/").status_code == 200


def test_hr_downloads_one_diploma_in_scope_only(client, world):
    _login(client, world["hr"])
    inside = world["completions"]["HT"].diploma
    outside = world["completions"]["UTB"].diploma
    response = client.get(f"/admin/diplomas/{inside.pk}/pdf/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert client.get(f"/admin/diplomas/{outside.pk}/pdf/").status_code == 404


def test_revoke_needs_a_reason_and_is_logged(client, world):
    from wagtail.models import ModelLogEntry

    _login(client, world["hr"])
    diploma = world["completions"]["SOC"].diploma
    refused = client.post(f"/admin/diplomas/{diploma.pk}/revoke/", {"reason": "   "})
    assert refused.status_code == 400
    assert "Ange skälet" in refused.content.decode()
    diploma.refresh_from_db()
    assert diploma.revoked_at is None
    done = client.post(f"/admin/diplomas/{diploma.pk}/revoke/", {"reason": "Utfärdat av misstag"})
    assert done.status_code == 302
    diploma.refresh_from_db()
    assert diploma.revoked_at and diploma.revoked_by == world["hr"]
    entry = ModelLogEntry.objects.get(action="diplomas.revoke", object_id=str(diploma.pk))
    assert entry.user == world["hr"] and entry.data["reason"] == "Utfärdat av misstag"
    assert "återkallat" in client.get(f"/verify/{diploma.display_code}/").content.decode().lower()


def test_hr_without_admin_access_or_learner_gets_nothing(client, world):
    learner = world["people"]["HT"]
    _login(client, learner)
    diploma = world["completions"]["HT"].diploma
    for url in (
        "/admin/diplomas/",
        f"/admin/diplomas/{diploma.pk}/pdf/",
        f"/admin/diplomas/units/{world['units']['HT'].pk}/zip/",
    ):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    # An editor with admin access but not HR: refused (Wagtail's answer: the dashboard).
    from tests.factories import UserFactory

    editor = UserFactory(username="editor")
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    _login(client, editor)
    assert client.get("/admin/diplomas/").status_code == 302
    assert Diploma.objects.filter(revoked_at__isnull=False).count() == 0


def test_managing_a_unit_outside_the_hr_scope_gives_no_hr_powers_there(client, world):
    """Revoking and collecting diplomas are HR's powers: a unit the HR officer manages outside
    their HR scope stays closed (managers do not revoke diplomas)."""
    utb = world["units"]["UTB"]
    utb.managers.add(world["hr"])
    _login(client, world["hr"])
    diploma = world["completions"]["UTB"].diploma
    assert client.get(f"/admin/diplomas/units/{utb.pk}/zip/").status_code == 404
    assert client.get(f"/admin/diplomas/{diploma.pk}/pdf/").status_code == 404
    response = client.post(f"/admin/diplomas/{diploma.pk}/revoke/", {"reason": "Fel person"})
    assert response.status_code == 404
    diploma.refresh_from_db()
    assert diploma.revoked_at is None
    listing = client.get("/admin/diplomas/").content.decode()
    assert diploma.display_code not in listing


def test_a_unit_over_the_zip_limit_is_refused_with_a_reason(client, world, settings):
    settings.DIPLOMA_ZIP_MAX = 1
    _login(client, world["hr"])
    soc = world["units"]["SOC"]
    response = client.get(f"/admin/diplomas/units/{soc.pk}/zip/?subunits=1", follow=True)
    assert response.redirect_chain and response.redirect_chain[0][0].endswith("/admin/diplomas/")
    assert "rymmer högst 1" in response.content.decode()
    assert _zip_names(client.get(f"/admin/diplomas/units/{soc.pk}/zip/?subunits=0"))


def test_pdfs_not_yet_rendered_are_named_in_a_note_instead_of_rendered_in_the_request(world):
    import tempfile

    Diploma.objects.update(pdf="")
    with tempfile.TemporaryFile() as target:
        count = services.diplomas_zip(diplomas=Diploma.objects.all(), target=target, render_limit=1)
        target.seek(0)
        with zipfile.ZipFile(target) as archive:
            names = archive.namelist()
            note = archive.read(services.ZIP_PENDING_NOTE).decode()
    assert count == 1
    assert len([n for n in names if n.endswith(".pdf")]) == 1
    assert note.count("Likabehandling") == 2
