import json

import pytest
from django.core.exceptions import ValidationError

from modules import services
from modules.models import FilmProgress
from progress import services as progress_services
from tests.factories import make_course, make_film

pytestmark = pytest.mark.django_db


@pytest.fixture
def film_module(catalogue):
    film = make_film(seconds=100)
    course = make_course(catalogue, modules=1, film=film)
    module = course.get_children().get().specific
    block_id = module.film_block_ids()[0]
    return module, block_id


def test_ninety_percent_played_counts_as_watched(film_module, learner):
    module, block_id = film_module
    progress = services.film_progress_record(
        user=learner, module=module, block_id=block_id, played=[[0, 50]]
    )
    assert not progress.is_watched
    progress = services.film_progress_record(
        user=learner, module=module, block_id=block_id, played=[[49.8, 90]]
    )
    assert progress.played_ranges == [[0, 90]]
    assert progress.is_watched
    assert progress_services.module_complete(user=learner, module=module).completion


def test_seeking_to_the_end_does_not_count(film_module, learner):
    module, block_id = film_module
    progress = services.film_progress_record(
        user=learner, module=module, block_id=block_id, played=[[0, 5], [95, 100]]
    )
    assert progress.seconds_played == 10
    assert not progress.is_watched


def test_the_browser_cannot_claim_more_than_the_film_length(film_module, learner):
    module, block_id = film_module
    progress = services.film_progress_record(
        user=learner, module=module, block_id=block_id, played=[[0, 5000]]
    )
    assert progress.played_ranges == [[0, 100]]
    # The same ten seconds reported many times is still ten seconds.
    module2, block2 = film_module
    FilmProgress.objects.all().delete()
    for _ in range(20):
        progress = services.film_progress_record(
            user=learner, module=module2, block_id=block2, played=[[0, 10]]
        )
    assert progress.seconds_played == 10 and not progress.is_watched


def test_reading_the_transcript_counts_as_watched(film_module, learner):
    module, block_id = film_module
    services.film_transcript_read(user=learner, module=module, block_id=block_id)
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
    client.post(f"/modules/{module.pk}/films/{block_id}/transcript-read/")
    assert progress_services.module_complete(user=learner, module=module).completion
