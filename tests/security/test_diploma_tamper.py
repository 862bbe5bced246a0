"""Diplomas under attack: forged ids and codes, other people's codes, revoking without the
right or without a reason, a ZIP of a foreign unit, odd and huge code strings, replays."""

from __future__ import annotations

import pytest

from diplomas import codes, services
from diplomas.models import Diploma
from tests.diplomas.conftest import give_completion, org  # noqa: F401  (fixture)
from tests.factories import make_course

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(org, catalogue):  # noqa: F811  (the imported fixture)
    course = make_course(catalogue, title="Normkritik", modules=1)
    completions = {code: give_completion(user, course) for code, user in org["people"].items()}
    services.diplomas_create_missing()
    return {**org, "course": course, "diplomas": {c: x.diploma for c, x in completions.items()}}


def test_learner_cannot_reach_any_diploma_by_id(client, world):
    learner = world["people"]["HT"]
    client.force_login(learner)
    others = world["diplomas"]["UTB"]
    for url in (
        f"/admin/diplomas/{others.pk}/pdf/",
        f"/admin/diplomas/{world['diplomas']['HT'].pk}/pdf/",  # even their own: not via HR's
    ):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    # The learner's own URL takes a course, never an id: another course answers 404.
    assert client.get(f"/mina-kurser/{world['course'].pk + 1000}/diplom/").status_code == 404
    assert client.get("/mina-kurser/-1/diplom/").status_code == 404


def test_hr_forged_ids_outside_scope_answer_404(client, world):
    client.force_login(world["hr"])
    foreign = world["diplomas"]["UTB"]
    assert client.get(f"/admin/diplomas/{foreign.pk}/pdf/").status_code == 404
    assert client.get(f"/admin/diplomas/{foreign.pk}/revoke/").status_code == 404
    response = client.post(f"/admin/diplomas/{foreign.pk}/revoke/", {"reason": "Fusk"})
    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.revoked_at is None
    assert client.get("/admin/diplomas/99999999/pdf/").status_code == 404


def test_code_of_another_person_shows_nothing_of_the_asker(client, world):
    client.force_login(world["people"]["HT"])
    other = world["diplomas"]["UTB"]
    body = client.get(f"/verify/{other.display_code}/").content.decode()
    assert "Person UTB" in body  # what verification is for
    assert "NR-UTB" not in body and "p-UTB" not in body and "Utbildning" not in body


def test_revoke_by_non_hr_is_refused(client, world):
    diploma = world["diplomas"]["HT"]
    for user in (world["people"]["HT"], world["people"]["SOC"]):
        client.force_login(user)
        response = client.post(f"/admin/diplomas/{diploma.pk}/revoke/", {"reason": "Jag vill"})
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    client.logout()
    client.post(f"/admin/diplomas/{diploma.pk}/revoke/", {"reason": "Anonym"})
    diploma.refresh_from_db()
    assert diploma.revoked_at is None


def test_revoke_without_reason_changes_nothing(client, world):
    client.force_login(world["hr"])
    diploma = world["diplomas"]["HT"]
    for data in ({}, {"reason": ""}, {"reason": " \n\t "}):
        assert client.post(f"/admin/diplomas/{diploma.pk}/revoke/", data).status_code == 400
    diploma.refresh_from_db()
    assert diploma.revoked_at is None and diploma.revoke_reason == ""


def test_revoke_replayed_keeps_the_first(client, world):
    client.force_login(world["hr"])
    diploma = world["diplomas"]["HT"]
    url = f"/admin/diplomas/{diploma.pk}/revoke/"
    assert client.post(url, {"reason": "Första"}).status_code == 302
    diploma.refresh_from_db()
    first = diploma.revoked_at
    replay = client.post(url, {"reason": "Andra"})
    assert replay.status_code == 400
    diploma.refresh_from_db()
    assert diploma.revoked_at == first and diploma.revoke_reason == "Första"


def test_revoke_needs_post_and_csrf(world):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(world["hr"])
    diploma = world["diplomas"]["HT"]
    assert strict.post(f"/admin/diplomas/{diploma.pk}/revoke/", {"reason": "X"}).status_code == 403
    diploma.refresh_from_db()
    assert diploma.revoked_at is None


def test_zip_for_foreign_unit_or_odd_ids_is_refused(client, world):
    client.force_login(world["hr"])
    for unit_id in (world["units"]["UTB"].pk, world["units"]["K"].pk, 0, 2**31):
        assert client.get(f"/admin/diplomas/units/{unit_id}/zip/").status_code == 404
    assert client.get("/admin/diplomas/units/abc/zip/").status_code == 404


@pytest.mark.parametrize(
    "text",
    [
        "x" * 5000,
        "%00%00",
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        "ÅÄÖ-ÅÄÖ-ÅÄÖ-ÅÄÖ",
        "0" * 15,
        "0" * 17,
        "..%2F..%2Fetc%2Fpasswd",
        "\u202e1234-5678-9ABC-DEFG",
    ],
)
def test_odd_codes_say_unknown_without_error(client, world, text):
    response = client.get(f"/verify/{text}/")
    assert response.status_code in (404,)
    body = response.content.decode()
    assert "<script>alert" not in body
    form = client.get("/verify/", {"code": text})
    assert form.status_code == 200
    assert "<script>alert" not in form.content.decode()


def test_lookalike_characters_are_normalised_but_guessing_is_not_helped(world):
    diploma = world["diplomas"]["HT"]
    assert codes.normalise(diploma.code.lower()) == diploma.code
    assert codes.normalise(diploma.display_code.replace("-", " ")) == diploma.code
    # One character changed is another (unknown) code, never a near match.
    changed = ("1" if diploma.code[0] != "1" else "2") + diploma.code[1:]
    assert not Diploma.objects.filter(code=changed).exists()


def test_rate_limit_cannot_be_dodged_by_varying_the_code(client, world, time_machine):
    time_machine.move_to("2026-11-30 10:00:05+00:00", tick=False)  # inside one window
    for _ in range(29):
        client.get(f"/verify/{codes.display(codes.generate())}/")
    real = world["diplomas"]["HT"]
    assert client.get(f"/verify/{real.display_code}/").status_code == 429


def test_sweep_does_not_issue_twice_when_replayed(world):
    before = Diploma.objects.count()
    services.diplomas_sweep()
    services.diplomas_sweep()
    assert Diploma.objects.count() == before


def test_issue_for_one_completion_twice_gives_one_diploma(world):
    completion = world["diplomas"]["HT"].completion
    again = services.diploma_issue(completion=completion)
    assert again.pk == world["diplomas"]["HT"].pk
    assert Diploma.objects.filter(completion=completion).count() == 1


def test_anonymous_gets_login_for_learner_download(client, world):
    response = client.get(f"/mina-kurser/{world['course'].pk}/diplom/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
