import json
from datetime import timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from modules import services
from modules.models import FilmProgress
from progress import services as progress_services
from tests.factories import make_course, make_film

pytestmark = pytest.mark.django_db

# The clock these tests control: the page first shows the film at T0.
T0 = timezone.now().replace(microsecond=0)
RATE = settings.FILM_MAX_PLAYBACK_RATE
SLACK = settings.FILM_CREDIT_SLACK_SECONDS


def at(seconds: float):
    return T0 + timedelta(seconds=seconds)


@pytest.fixture
def film_module(catalogue):
    film = make_film(seconds=100)
    course = make_course(catalogue, modules=1, film=film)
    module = course.get_children().get().specific
    block_id = module.film_block_ids()[0]
    return module, block_id


def shown(user, module, *, seconds: float = 0) -> None:
    """The module page shows the viewer its films at T0 + seconds."""
    services.film_progress_serve(user=user, module=module, shown={}, now=at(seconds))


def report(user, module, block_id, played, *, seconds: float) -> FilmProgress:
    return services.film_progress_record(
        user=user, module=module, block_id=block_id, played=played, now=at(seconds)
    )


def test_ninety_percent_played_counts_as_watched(film_module, learner):
    module, block_id = film_module
    shown(learner, module)
    progress = report(learner, module, block_id, [[0, 50]], seconds=50)
    assert not progress.is_watched
    progress = report(learner, module, block_id, [[49.8, 90]], seconds=90)
    assert progress.played_ranges == [[0, 90]]
    assert progress.is_watched
    assert progress.watched_at == at(90)
    assert progress_services.module_complete(user=learner, module=module).completion


def test_seeking_to_the_end_does_not_count(film_module, learner):
    module, block_id = film_module
    shown(learner, module)
    progress = report(learner, module, block_id, [[0, 5], [95, 100]], seconds=60)
    assert progress.seconds_played == 10
    assert not progress.is_watched


def test_the_browser_cannot_claim_more_than_the_film_length(film_module, learner):
    module, block_id = film_module
    shown(learner, module)
    progress = report(learner, module, block_id, [[0, 100.5]], seconds=3600)
    assert progress.played_ranges == [[0, 100]]
    with pytest.raises(ValidationError, match="längre än filmens slut"):
        report(learner, module, block_id, [[0, 5000]], seconds=7200)
    # The same ten seconds reported many times is still ten seconds.
    FilmProgress.objects.all().delete()
    shown(learner, module)
    for n in range(20):
        progress = report(learner, module, block_id, [[0, 10]], seconds=10 + n)
    assert progress.seconds_played == 10 and not progress.is_watched


def test_a_claim_is_credited_only_as_fast_as_time_passes(film_module, learner):
    module, block_id = film_module
    shown(learner, module)
    # One second after the page showed the film, 30 seconds are claimed: one second's worth at
    # the fastest rate, plus the slack, is credited; the rest is ignored without an error.
    progress = report(learner, module, block_id, [[0, 30]], seconds=1)
    assert progress.seconds_played == pytest.approx(1 * RATE + SLACK)
    assert progress.uncredited_seconds == pytest.approx(30 - (1 * RATE + SLACK))
    # Once the time has really passed, the same report is credited in full...
    progress = report(learner, module, block_id, [[0, 30]], seconds=30)
    assert progress.played_ranges == [[0, 30]] and progress.uncredited_seconds == 0
    # ...and sending it again adds nothing, however long one waits.
    progress = report(learner, module, block_id, [[0, 30]], seconds=31)
    assert progress.seconds_played == 30
    progress = report(learner, module, block_id, [[0, 30]], seconds=4000)
    assert progress.seconds_played == 30 and not progress.is_watched


def test_a_film_never_shown_gets_only_the_slack(film_module, learner):
    module, block_id = film_module
    progress = report(learner, module, block_id, [[0, 100]], seconds=0)
    assert progress.seconds_played == pytest.approx(SLACK)


def test_frequent_reports_do_not_pile_up_slack(film_module, learner):
    module, block_id = film_module
    shown(learner, module)
    for tenth in range(1, 101):  # ten reports a second for ten seconds
        progress = report(learner, module, block_id, [[0, 100]], seconds=tenth / 10)
    assert progress.seconds_played <= 10 * RATE + SLACK + 0.01


def test_only_seconds_not_yet_credited_use_up_the_time(film_module, learner):
    module, block_id = film_module
    shown(learner, module)
    assert report(learner, module, block_id, [[0, 10]], seconds=10).seconds_played == 10
    # One second later: [5, 16] overlaps what is credited; only [10, 16] is new, and one
    # second (plus the slack left over) allows RATE + SLACK of it.
    progress = report(learner, module, block_id, [[5, 16]], seconds=11)
    assert progress.played_ranges == [[0, pytest.approx(10 + RATE + SLACK)]]


def test_small_gaps_are_joined_but_paid_for(film_module, learner):
    module, block_id = film_module
    shown(learner, module)
    # Ten one-second pieces 0.4 s apart: joined into one range, gaps counted as played time.
    pieces = [[1.4 * n, 1.4 * n + 1] for n in range(10)]
    progress = report(learner, module, block_id, pieces, seconds=5)
    assert progress.seconds_played == pytest.approx(5 * RATE + SLACK)
    assert len(progress.played_ranges) == 1
    progress = report(learner, module, block_id, pieces, seconds=60)
    assert progress.played_ranges == [[0, pytest.approx(13.6)]]


def test_two_tabs_share_one_clock(film_module, learner):
    module, block_id = film_module
    shown(learner, module)
    shown(learner, module, seconds=3)  # the second tab does not restart the clock
    first = report(learner, module, block_id, [[0, 20]], seconds=5)
    second = report(learner, module, block_id, [[50, 70]], seconds=5)
    assert second.seconds_played == pytest.approx(5 * RATE + SLACK)
    assert first.seconds_played == second.seconds_played


@pytest.mark.parametrize("rate", [1.0, RATE])
def test_the_players_reports_at_normal_and_fastest_speed_reach_watched(film_module, learner, rate):
    """Reports as film.js sends them: every five seconds of wall time, arriving up to half a
    second late or early, the last one when the film ends, then again while some is owed."""
    module, block_id = film_module
    shown(learner, module)
    started = 2.0  # the viewer reads the intro before pressing play
    jitter = [0.4, -0.5, 0.3, 0.0, -0.2, 0.5]
    wall, progress = 0.0, None
    for n in range(1, 100):
        wall = min(5.0 * n, 100 / rate)
        played = [[0, round(wall * rate, 3)]]
        progress = report(learner, module, block_id, played, seconds=started + wall + jitter[n % 6])
        if wall == 100 / rate:
            break
    for _resend in range(5):
        if not progress.uncredited_seconds:
            break
        wall += 3  # film.js sends the same ranges again after three seconds
        progress = report(learner, module, block_id, [[0, 100]], seconds=started + wall)
    assert progress.is_watched and progress.seconds_played == 100
    assert wall <= 100 / rate + 6


def test_report_bodies_are_read_strictly():
    parse = services.film_report_parse
    assert parse(b'{"played": [[0, 1.5], [3, 4]]}') == [[0, 1.5], [3, 4]]
    for body in [
        b'{"played": [[0, NaN]]}',
        b'{"played": [[0, Infinity]]}',
        b'{"played": [[-Infinity, 0]]}',
        b'{"played": [[0, 1e309]]}',
        b'{"played": [[0, ' + b"9" * 400 + b"]]}",
        b'{"played": [[0, ' + b"9" * 400 + b".5]]}",
        b'{"played": [[2, 1]]}',
        b'{"played": [[true, 1]]}',
        b'{"played": [["0", "1"]]}',
        b"[" * 30_000 + b"]" * 30_000,
        b"\xff\xfe",
        b"[]",
        b"{}",
    ]:
        with pytest.raises(ValidationError):
            parse(body)
    with pytest.raises(ValidationError, match="För mycket"):
        parse(b" " * (services.MAX_REPORT_BYTES + 1))
    for value in [float("nan"), float("inf"), float("-inf"), 10**400, -1, None, "1"]:
        with pytest.raises(ValidationError):
            services.parse_ranges([[0, value]])


def test_time_unused_before_a_report_does_not_carry_over(film_module, learner):
    module, block_id = film_module
    shown(learner, module)
    # A minute on the page with one second played: that minute is spent, it is not a reserve.
    assert report(learner, module, block_id, [[0, 1]], seconds=60).seconds_played == 1
    progress = report(learner, module, block_id, [[0, 100]], seconds=61)
    assert progress.seconds_played == pytest.approx(1 + RATE + SLACK)


def test_reading_the_transcript_counts_as_watched(film_module, learner):
    module, block_id = film_module
    shown(learner, module)
    # Under the time rule of playing: 90 of 100 s at RATE, less the slack (tamper cases in
    # tests/security/test_film_progress_tamper.py).
    ready = (90 - SLACK) / RATE
    with pytest.raises(ValidationError, match="från kl"):
        services.film_transcript_read(
            user=learner, module=module, block_id=block_id, now=at(ready - 1)
        )
    services.film_transcript_read(user=learner, module=module, block_id=block_id, now=at(ready))
    assert progress_services.module_complete(user=learner, module=module).completion


@pytest.mark.parametrize(
    "payload",
    [{"played": "x"}, {"played": [[0]]}, {"played": [["a", "b"]]}, {"played": [[-5, 3]]}, {}],
)
def test_malformed_reports_are_rejected_with_a_message(client, film_module, learner, payload):
    module, block_id = film_module
    client.force_login(learner)
    response = client.post(
        f"/modules/{module.pk}/films/{block_id}/progress/",
        json.dumps(payload),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["error"]
    assert not FilmProgress.objects.exists()


def test_unknown_block_is_rejected(film_module, learner):
    module, _ = film_module
    with pytest.raises(ValidationError):
        services.film_progress_record(user=learner, module=module, block_id="nope", played=[])


def test_reflection_is_saved_privately_and_validated(client, catalogue, learner):
    from modules.models import ReflectionAnswer
    from tests.factories import UserFactory

    course = make_course(catalogue, modules=1)
    module = course.get_children().get().specific
    block_id = next(b.id for b in module.body if b.block_type == "reflection")
    client.force_login(learner)
    url = f"/modules/{module.pk}/reflections/{block_id}/"
    response = client.post(url, {"text": "   "}, follow=True)
    assert "Skriv något innan du sparar" in response.content.decode()
    assert not ReflectionAnswer.objects.exists()
    client.post(url, {"text": "Jag vill tänka på hur jag hälsar på nya besökare."})
    page = client.get(module.url).content.decode()
    assert "Jag vill tänka på hur jag hälsar på nya besökare." in page
    other = UserFactory()
    client.force_login(other)
    assert "Jag vill tänka på hur jag hälsar" not in client.get(module.url).content.decode()


def test_film_needs_a_file_with_captions_or_an_https_embed():
    from modules.models import Film

    film = Film(title="F", transcript="<p>T</p>", duration_seconds=10)
    with pytest.raises(ValidationError, match="antingen en videofil eller en inbäddningsadress"):
        film.full_clean()
    film.embed_url = "http://example.org/embed/1"
    with pytest.raises(ValidationError, match="https://"):
        film.full_clean()
    film.embed_url = "https://www.youtube-nocookie.com/embed/abc"
    film.full_clean()  # an embed needs no captions file of ours
    with_file = make_film()
    with_file.captions = ""
    with pytest.raises(ValidationError, match="textning"):
        with_file.full_clean()


def test_embedded_film_counts_through_its_transcript(client, catalogue, learner):
    from modules.models import Film

    film = Film.objects.create(
        title="Extern film",
        embed_url="https://www.youtube-nocookie.com/embed/abc",
        transcript="<p>Berättare: hej.</p>",
        duration_seconds=60,
    )
    course = make_course(catalogue, modules=1, film=film)
    module = course.get_children().get().specific
    block_id = module.film_block_ids()[0]
    client.force_login(learner)
    html = client.get(module.url).content.decode()
    assert 'src="https://www.youtube-nocookie.com/embed/abc"' in html
    assert 'title="Film: Extern film"' in html
    with pytest.raises(ValidationError):
        services.film_progress_record(
            user=learner, module=module, block_id=block_id, played=[[0, 60]]
        )
    # The page started the clock (an embed has a length in its record): the transcript counts
    # once 90 % of 60 s could have been played.
    clock = FilmProgress.objects.get(user=learner).credit_from
    assert clock is not None
    url = f"/modules/{module.pk}/films/{block_id}/transcript-read/"
    client.post(url)
    assert not FilmProgress.objects.get(user=learner).is_watched
    ready = clock + timedelta(seconds=0.9 * 60 / RATE)
    with mock.patch("django.utils.timezone.now", return_value=ready):
        client.post(url)
    assert progress_services.module_complete(user=learner, module=module).completion
