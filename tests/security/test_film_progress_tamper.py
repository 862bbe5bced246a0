"""Tampering with the film-progress endpoint: a film is credited only as fast as it can be played,
bad numbers get a 400 with a message (never a 500), and nobody else's progress moves."""

import json
import math
import time
from contextlib import contextmanager
from datetime import timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from modules.models import FilmProgress, ModulePage
from tests.factories import UserFactory, make_course, make_film
from tests.helpers import count_queries

pytestmark = pytest.mark.django_db

RATE = settings.FILM_MAX_PLAYBACK_RATE
SLACK = settings.FILM_CREDIT_SLACK_SECONDS
SWEDISH_ERRORS = {
    "Uppgifterna om hur mycket av filmen som spelats kunde inte läsas.",
    "Förfrågan kunde inte läsas.",
    "De spelade delarna går längre än filmens slut.",
    "För mycket data skickades om filmen.",
}


@pytest.fixture
def course(catalogue):
    # Sequential: the second module stays locked until the first is done.
    return make_course(catalogue, modules=2, film=make_film(seconds=30))


@pytest.fixture
def module(course) -> ModulePage:
    return course.get_children().first().specific


def progress_url(module, block_id=None) -> str:
    block_id = block_id or module.film_block_ids()[0]
    return f"/modules/{module.pk}/films/{block_id}/progress/"


def post(client, url: str, body) -> object:
    data = body if isinstance(body, bytes | str) else json.dumps(body)
    return client.post(url, data, content_type="application/json")


def progress_of(user, module) -> FilmProgress:
    return FilmProgress.objects.get(user=user, module_id=module.pk)


@contextmanager
def clock(start):
    """Every timezone.now() in the request cycle answers `moment["now"]`."""
    moment = {"now": start}
    with mock.patch("django.utils.timezone.now", side_effect=lambda: moment["now"]):
        yield moment


def test_one_report_right_after_opening_the_module_is_not_watched(client, module, learner):
    client.force_login(learner)
    before = time.monotonic()
    assert client.get(module.url).status_code == 200
    response = post(client, progress_url(module), {"played": [[0, 30]]})
    elapsed = time.monotonic() - before
    assert response.status_code == 200
    assert response.json()["watched"] is False
    assert progress_of(learner, module).seconds_played <= SLACK + RATE * elapsed + 0.01
    assert response.json()["uncredited_seconds"] > 0


def test_with_a_controlled_clock_only_the_time_that_passed_is_credited(client, module, learner):
    client.force_login(learner)
    t0 = timezone.now()
    with clock(t0) as moment:
        client.get(module.url)
        moment["now"] = t0 + timedelta(seconds=1)
        response = post(client, progress_url(module), {"played": [[0, 30]]})
        assert response.json() == {
            "watched": False,
            "percent": round(100 * (RATE + SLACK) / 30),
            "uncredited_seconds": 30 - (RATE + SLACK),
        }
        assert progress_of(learner, module).seconds_played == pytest.approx(RATE + SLACK)
        # The player sends the same ranges again once the time has really passed.
        moment["now"] = t0 + timedelta(seconds=30)
        response = post(client, progress_url(module), {"played": [[0, 30]]})
        assert response.json()["watched"] is True
        watched = progress_of(learner, module)
        # A replay adds nothing and changes nothing.
        moment["now"] = t0 + timedelta(seconds=600)
        response = post(client, progress_url(module), {"played": [[0, 30]]})
        assert response.status_code == 200
        again = progress_of(learner, module)
        assert again.played_ranges == watched.played_ranges == [[0, 30]]
        assert again.watched_at == watched.watched_at


BIG = "9" * 400
BAD_BODIES = {
    "NaN": '{"played": [[0, NaN]]}',
    "Infinity": '{"played": [[0, Infinity]]}',
    "-Infinity": '{"played": [[-Infinity, 10]]}',
    "1e309": '{"played": [[0, 1e309]]}',
    "1e308 beyond the film": '{"played": [[0, 1e308]]}',
    "400-digit integer": '{"played": [[0, ' + BIG + "]]}",
    "400-digit negative integer": '{"played": [[-' + BIG + ", 1]]}",
    "5000-digit integer": '{"played": [[0, ' + "9" * 5000 + "]]}",
    "400-digit decimal": '{"played": [[0, ' + BIG + ".5]]}",
    "beyond the film": '{"played": [[0, 45]]}',
    "negative": '{"played": [[-5, 3]]}',
    "start after end": '{"played": [[20, 10]]}',
    "strings": '{"played": [["0", "10"]]}',
    "booleans": '{"played": [[false, true]]}',
    "null": '{"played": [[null, 10]]}',
    "triple": '{"played": [[0, 1, 2]]}',
    "object": '{"played": {"0": 10}}',
    "string": '{"played": "0-30"}',
    "missing": "{}",
    "top-level list": "[[0, 30]]",
    "top-level number": "30",
    "too many ranges": json.dumps({"played": [[n, n + 0.01] for n in range(501)]}),
    "deeply nested": "[" * 30_000 + "]" * 30_000,
    "garbage": "played=0-30",
    "empty": "",
    "invalid UTF-8": b"\xff\xfe\xfd",
    "too large": json.dumps({"played": [[0, 1]], "pad": "x" * 70_000}),
}


@pytest.mark.parametrize("body", BAD_BODIES.values(), ids=BAD_BODIES.keys())
def test_bad_reports_get_400_with_a_swedish_message(client, module, learner, body):
    client.force_login(learner)
    client.get(module.url)
    before = progress_of(learner, module)
    response = post(client, progress_url(module), body)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"] in SWEDISH_ERRORS
    after = progress_of(learner, module)
    assert (after.played_ranges, after.seconds_played, after.credit_from) == (
        before.played_ranges,
        before.seconds_played,
        before.credit_from,
    )


def test_an_oversized_report_is_refused_without_being_read(client, module, learner):
    client.force_login(learner)
    client.get(module.url)
    body = json.dumps({"played": [[n, n + 0.5] for n in range(0, 30)], "pad": " " * 70_000})
    response = post(client, progress_url(module), body)
    assert response.status_code == 400
    assert response.json()["error"] == "För mycket data skickades om filmen."
    assert progress_of(learner, module).seconds_played == 0


def test_forged_module_and_block_ids(client, catalogue, course, module, learner):
    locked = course.get_children().last().specific
    other_course = make_course(catalogue, modules=1, film=make_film(seconds=30))
    other_module = other_course.get_children().get().specific
    draft = ModulePage(title="Utkast", slug="utkast", body=other_module.body.raw_data, live=False)
    other_course.add_child(instance=draft)
    client.force_login(learner)
    client.get(module.url)
    played = {"played": [[0, 1]]}

    # A block of another module, sent to this module: no such part here.
    response = post(client, progress_url(module, other_module.film_block_ids()[0]), played)
    assert response.status_code == 400
    assert "finns inte längre" in response.json()["error"]
    for page_id in [locked.pk, draft.pk, course.pk, catalogue.pk, 10**9, int("9" * 400)]:
        url = f"/modules/{page_id}/films/{module.film_block_ids()[0]}/progress/"
        assert post(client, url, played).status_code == 404, page_id
    assert FilmProgress.objects.filter(user=learner).count() == 1  # the module it was shown


def test_other_peoples_progress_is_untouched(client, module, learner):
    other = UserFactory()
    t0 = timezone.now()
    with clock(t0) as moment:
        client.force_login(other)
        client.get(module.url)
        moment["now"] = t0 + timedelta(seconds=10)
        post(client, progress_url(module), {"played": [[0, 10]]})
        theirs = progress_of(other, module)
        client.force_login(learner)
        client.get(module.url)
        moment["now"] = t0 + timedelta(seconds=60)
        for body in [{"played": [[0, 30]]}, *BAD_BODIES.values()]:
            post(client, progress_url(module), body)
    unchanged = progress_of(other, module)
    assert (unchanged.played_ranges, unchanged.credit_from, unchanged.updated_at) == (
        theirs.played_ranges,
        theirs.credit_from,
        theirs.updated_at,
    )
    assert unchanged.played_ranges == [[0, 10]] and not unchanged.is_watched


def test_reports_need_the_csrf_token(module, learner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)
    client.get(module.url)
    assert post(client, progress_url(module), {"played": [[0, 1]]}).status_code == 403


def test_a_report_costs_a_few_queries(client, module, learner):
    client.force_login(learner)
    client.get(module.url)
    post(client, progress_url(module), {"played": [[0, 1]]})  # warm caches
    with count_queries() as queries:
        response = post(client, progress_url(module), {"played": [[0, 2]]})
    assert response.status_code == 200
    # Session, user and the module's access check (13), then the film, the locked row and its
    # update (savepoints counted here, as the test runs in a transaction): as before the clock.
    assert len(queries) <= 18, "\n".join(q["sql"] for q in queries.captured_queries)


def test_showing_the_page_again_writes_nothing_more(client, module, learner):
    client.force_login(learner)
    client.get(module.url)
    with count_queries() as queries:
        client.get(module.url)
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if "modules_filmprogress" in q["sql"] and not q["sql"].lstrip().startswith("SELECT")
    ]
    assert writes == []


def transcript_url(module) -> str:
    return f"/modules/{module.pk}/films/{module.film_block_ids()[0]}/transcript-read/"


def test_the_transcript_right_after_opening_the_module_does_not_count(client, module, learner):
    client.force_login(learner)
    client.get(module.url)
    response = client.post(transcript_url(module), follow=True)
    text = " ".join(response.content.decode().split())
    assert "Du kan bekräfta att du har läst transkriptionen från kl." in text
    progress = progress_of(learner, module)
    assert progress.transcript_read_at is None and not progress.is_watched
    assert module.unmet_requirements(learner)


def test_the_transcript_before_the_page_showed_the_film_does_not_count(client, module, learner):
    client.force_login(learner)
    response = client.post(transcript_url(module))
    assert response.status_code == 302
    assert not FilmProgress.objects.filter(user=learner).exists()


def test_with_a_controlled_clock_the_transcript_counts_once_the_film_could_be_watched(
    client, module, learner
):
    client.force_login(learner)
    # 90 % of 30 s at RATE, less the slack the clock starts with.
    ready = (0.9 * 30 - SLACK) / RATE
    t0 = timezone.now().replace(microsecond=0)
    with clock(t0) as moment:
        client.get(module.url)
        moment["now"] = t0 + timedelta(seconds=ready - 0.5)
        response = client.post(transcript_url(module), follow=True)
        # The time shown is rounded up to a whole second.
        shown = timezone.localtime(t0 + timedelta(seconds=math.ceil(ready))).strftime("%H:%M:%S")
        assert f"från kl. {shown}" in response.content.decode()
        assert progress_of(learner, module).transcript_read_at is None
        moment["now"] = t0 + timedelta(seconds=ready)
        response = client.post(transcript_url(module), follow=True)
        assert "Noterat: du har läst transkriptionen." in response.content.decode()
    progress = progress_of(learner, module)
    assert progress.transcript_read_at == t0 + timedelta(seconds=ready)
    assert progress.is_watched and not module.unmet_requirements(learner)


def test_played_seconds_count_towards_the_transcript(client, module, learner):
    client.force_login(learner)
    t0 = timezone.now().replace(microsecond=0)
    with clock(t0) as moment:
        client.get(module.url)
        moment["now"] = t0 + timedelta(seconds=5)
        post(client, progress_url(module), {"played": [[0, 12]]})  # 12 of 10 + 2 s credited
        # 27 s are needed in all; 12 are played, and 15 more take 7.5 s at 2x.
        moment["now"] = t0 + timedelta(seconds=12)
        client.post(transcript_url(module))
        assert progress_of(learner, module).transcript_read_at is None
        moment["now"] = t0 + timedelta(seconds=12.5)
        client.post(transcript_url(module))
        assert progress_of(learner, module).is_watched


def test_a_film_put_in_place_of_another_starts_a_clock_of_its_own(module, learner):
    """An old clock (the module opened days ago) must not let a newly swapped-in film be claimed
    at once, neither through the player nor through the transcript."""
    from modules import services

    block_id = module.film_block_ids()[0]
    t0 = timezone.now()
    services.film_progress_serve(user=learner, module=module, shown={}, now=t0)
    new_film = make_film(title="Ny film", seconds=30)
    block = next(b for b in module.body if b.id == block_id)
    block.value["film"] = new_film
    days_later = t0 + timedelta(days=3)
    # Straight to the endpoint, before any page has shown the new film.
    progress = services.film_progress_record(
        user=learner, module=module, block_id=block_id, played=[[0, 30]], now=days_later
    )
    assert progress.film_id == new_film.pk
    assert progress.seconds_played <= SLACK + 0.01 and not progress.is_watched
    too_early = "Du kan bekräfta att du har läst transkriptionen från kl"
    with pytest.raises(ValidationError, match=too_early):
        services.film_transcript_read(
            user=learner, module=module, block_id=block_id, now=days_later
        )
    # The page showing the new film restarts the clock too (a row of the old film is reset).
    old = FilmProgress.objects.get(user=learner, module_id=module.pk, block_id=block_id)
    old.film = make_film(title="Gammal film", seconds=30)
    old.credit_from, old.watched_at = t0, t0
    old.save()
    shown = {block_id: old}
    services.film_progress_serve(user=learner, module=module, shown=shown, now=days_later)
    old.refresh_from_db()
    assert old.film_id == new_film.pk and old.watched_at is None and old.played_ranges == []
    assert old.credit_from > days_later - timedelta(seconds=SLACK)
