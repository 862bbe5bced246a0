"""Rendering is idempotent, the sweep catches up, learners get their own diploma only, GDPR."""

from __future__ import annotations

import importlib
import os
from unittest import mock

import pytest
from django.core.files.storage import default_storage

from diplomas import pdf, services, tasks
from diplomas.models import Diploma
from people.gdpr import register_extract
from people.models import Person
from tests.diplomas.conftest import give_completion
from tests.factories import UserFactory, make_course

pytestmark = pytest.mark.django_db


def _files(diploma) -> list[str]:
    folder = os.path.dirname(default_storage.path(diploma.pdf.name))
    return [n for n in os.listdir(folder) if n.startswith(diploma.code)]


def test_render_task_twice_gives_one_file(holder, equality_course, complete):
    completion, _ = complete(holder, equality_course)
    diploma = completion.diploma
    tasks.render_diploma.apply(args=[diploma.pk]).get()
    diploma.refresh_from_db()
    first = diploma.pdf.name
    tasks.render_diploma.apply(args=[diploma.pk]).get()
    diploma.refresh_from_db()
    assert diploma.pdf.name == first
    assert _files(diploma) == [os.path.basename(first)]


def test_a_failed_render_is_retried_by_the_sweep(holder, equality_course, complete):
    completion, _ = complete(holder, equality_course)
    diploma = completion.diploma
    with (
        mock.patch.object(pdf, "render", side_effect=RuntimeError("worker killed")),
        pytest.raises(RuntimeError),
    ):
        services.diploma_render(diploma_id=diploma.pk)
    diploma.refresh_from_db()
    assert not diploma.pdf
    tasks.sweep.apply().get()
    diploma.refresh_from_db()
    assert diploma.pdf and diploma.pdf.read(4) == b"%PDF"


def test_one_broken_diploma_does_not_stop_the_sweep(catalogue):
    course = make_course(catalogue, modules=1)
    for n in range(3):
        give_completion(UserFactory(username=f"s{n}"), course)
    real = pdf.render
    calls = []

    def flaky(content):
        calls.append(content)
        if len(calls) == 1:
            raise RuntimeError("boom")
        return real(content)

    with mock.patch.object(pdf, "render", side_effect=flaky):
        assert services.diplomas_sweep() == (3, 3)
    assert Diploma.objects.exclude(pdf="").count() == 2
    services.diplomas_sweep()
    assert Diploma.objects.filter(pdf="").count() == 0


def test_sweep_creates_missing_diplomas_in_batches(catalogue, django_assert_max_num_queries):
    course = make_course(catalogue, title="Historik", modules=1)
    for n in range(7):
        give_completion(UserFactory(username=f"h{n}", first_name="Hist", last_name=str(n)), course)
    # Per batch of 2: select, titles, insert and its savepoint; then one empty select.
    with django_assert_max_num_queries(4 * 5 + 1):
        assert services.diplomas_create_missing(batch=2) == 7
    assert services.diplomas_create_missing(batch=2) == 0
    diplomas = Diploma.objects.all()
    assert {d.course_title for d in diplomas} == {"Historik"}
    assert len({d.code for d in diplomas}) == 7


def test_sweep_is_scheduled_in_beat():
    from django.apps import apps
    from django_celery_beat.models import PeriodicTask

    migration = importlib.import_module("diplomas.migrations.0002_sweep_schedule")
    migration.create_schedule(apps, None)  # idempotent: also after a test flushed the table
    migration.create_schedule(apps, None)
    schedule = PeriodicTask.objects.get(task=tasks.sweep.name)
    assert PeriodicTask.objects.filter(task=tasks.sweep.name).count() == 1
    assert schedule.enabled and schedule.expire_seconds


def test_learner_downloads_own_diploma_rendered_on_demand(
    client, holder, equality_course, complete
):
    complete(holder, equality_course)  # no worker ran: no file yet
    client.force_login(holder)
    response = client.get(f"/mina-kurser/{equality_course.pk}/diplom/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    page = client.get("/mina-kurser/").content.decode()
    assert f"/mina-kurser/{equality_course.pk}/diplom/" in page


def test_history_without_diploma_is_issued_on_download(client, catalogue):
    course = make_course(catalogue, modules=1)
    user = UserFactory(username="old-timer")
    give_completion(user, course)
    client.force_login(user)
    assert client.get(f"/mina-kurser/{course.pk}/diplom/").status_code == 200
    assert Diploma.objects.filter(completion__user=user).count() == 1


def test_nobody_downloads_another_persons_diploma(client, holder, equality_course, complete):
    complete(holder, equality_course)
    other = UserFactory(username="other")
    client.force_login(other)
    assert client.get(f"/mina-kurser/{equality_course.pk}/diplom/").status_code == 404
    assert client.get("/mina-kurser/999999/diplom/").status_code == 404
    client.logout()
    response = client.get(f"/mina-kurser/{equality_course.pk}/diplom/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_pdf_is_not_reachable_as_media(client, holder, equality_course, complete):
    completion, _ = complete(holder, equality_course)
    diploma = services.diploma_render(diploma_id=completion.diploma.pk)
    client.force_login(holder)
    assert client.get(f"/media/{diploma.pdf.name}").status_code == 404
    assert client.get(f"/media/films/../{diploma.pdf.name}").status_code == 404


def test_register_extract_lists_diplomas(holder, equality_course, complete):
    completion, _ = complete(holder, equality_course)
    rows = register_extract(holder)["sections"]["diplomas"]
    assert rows == [
        {
            "code": completion.diploma.display_code,
            "course": "Jämställdhet i vardagen",
            "holder": "Åsa Öberg",
            "completed": rows[0]["completed"],
            "valid_until": completion.valid_until.isoformat(),
            "issued": completion.diploma.issued_at.isoformat(),
            "status": "valid",
            "revoked": None,
            "revoke_reason": None,
        }
    ]


def test_anonymisation_removes_name_and_pdf(
    client, holder, equality_course, complete, django_capture_on_commit_callbacks
):
    from people.services import person_anonymise

    completion, _ = complete(holder, equality_course)
    diploma = services.diploma_render(diploma_id=completion.diploma.pk)
    path = default_storage.path(diploma.pdf.name)
    assert os.path.exists(path)
    person = Person.objects.create(user=holder, employee_number="A1")
    with django_capture_on_commit_callbacks(execute=True):
        person_anonymise(person=person)
    diploma.refresh_from_db()
    assert diploma.holder_name == "" and not diploma.pdf and diploma.holder_removed_at
    assert not os.path.exists(path)
    body = client.get(f"/verify/{diploma.display_code}/").content.decode()
    assert "Åsa" not in body and "Öberg" not in body
    assert "tagits bort" in body
    # The sweep does not bring the file back.
    services.diplomas_sweep()
    diploma.refresh_from_db()
    assert not diploma.pdf


def test_deleting_a_completion_deletes_the_file(
    holder, equality_course, complete, django_capture_on_commit_callbacks
):
    completion, _ = complete(holder, equality_course)
    diploma = services.diploma_render(diploma_id=completion.diploma.pk)
    path = default_storage.path(diploma.pdf.name)
    with django_capture_on_commit_callbacks(execute=True):
        holder.delete()
    assert not Diploma.objects.filter(pk=diploma.pk).exists()
    assert not os.path.exists(path)


@pytest.mark.parametrize("how", ["sweep", "issue"])
def test_no_genuine_diploma_for_an_anonymised_person(client, catalogue, how):
    """Review of issue 12: a completion of an already anonymised person got a diploma that
    /verify/ showed as genuine and valid, under the name anonym-<pk>."""
    from django.utils import timezone

    course = make_course(catalogue, title="Historik", modules=1)
    user = UserFactory(username="anonym-77", first_name="", last_name="")
    Person.objects.create(user=user, employee_number="", anonymised_at=timezone.now())
    completion = give_completion(user, course)
    if how == "sweep":
        assert services.diplomas_sweep() == (1, 0)  # created, nothing to render
    else:
        services.diploma_issue(completion=completion)
    diploma = Diploma.objects.get(completion=completion)
    assert diploma.holder_name == "" and diploma.holder_removed_at is not None
    assert services.diploma_render(diploma_id=diploma.pk).pdf.name in ("", None)
    body = client.get(f"/verify/{diploma.display_code}/").content.decode()
    assert "anonym-77" not in body
    assert "tagits bort" in body


def test_anonymisation_blanks_the_revoke_reason_and_its_log(holder, equality_course, complete):
    """Review of issue 12: the reason may name the person; it goes with the name."""
    from wagtail.models import ModelLogEntry

    from people.services import person_anonymise

    completion, _ = complete(holder, equality_course)
    diploma = services.diploma_revoke(
        diploma=completion.diploma, user=None, reason="Åsa Öberg fick fel kurs"
    )
    entries = ModelLogEntry.objects.filter(action=services.REVOKE_ACTION)
    assert [e.data.get("reason") for e in entries] == ["Åsa Öberg fick fel kurs"]
    person_anonymise(person=Person.objects.create(user=holder, employee_number="A1"))
    diploma.refresh_from_db()
    assert diploma.revoke_reason == "" and diploma.revoked_at is not None
    assert [e.data.get("reason") for e in entries.all()] == [None]


def test_a_revoked_diploma_link_explains_instead_of_a_file(
    client, holder, equality_course, complete
):
    completion, _ = complete(holder, equality_course)
    hr = UserFactory(username="hr-revoker")
    services.diploma_revoke(diploma=completion.diploma, user=hr, reason="Fel person")
    client.force_login(holder)
    response = client.get(f"/mina-kurser/{equality_course.pk}/diplom/", HTTP_ACCEPT_LANGUAGE="sv")
    assert response.status_code == 410
    assert response["Content-Type"].startswith("text/html")
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    assert "har återkallats" in page and equality_course.title in page
    assert "Fel person" not in page  # HR's reason is for HR's log, not this page
