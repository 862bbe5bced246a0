"""The content cache (lms.content_cache) never shows a learner an outdated course (issue 13,
acceptance 3): publishing, unpublishing, moving or reordering a module and changing a film show
on the next request for every learner, with the cache warm before the change."""

import re

import pytest
from django.test import Client

from lms import content_cache
from modules.models import ModulePage
from tests.factories import UserFactory, make_course, make_film

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_learners(catalogue):
    film = make_film(title="Första filmen")
    course = make_course(catalogue, title="Cachekurs", modules=3, film=film, sequential=False)
    clients = []
    for _ in range(2):
        client = Client()
        client.force_login(UserFactory())
        clients.append(client)
    return clients, course, film


def module_titles(client, course) -> list[str]:
    html = client.get(course.url).content.decode()
    listing = html[html.index('class="module-list"') :]
    return re.findall(r'class="module-title"[^>]*>([^<]+)<', listing)


def warm(clients, course, catalogue=None):
    for client in clients:
        module_titles(client, course)
        if catalogue is not None:
            client.get(catalogue.url)


def test_a_published_module_shows_for_every_learner(two_learners):
    clients, course, _film = two_learners
    warm(clients, course)
    module = ModulePage(title="Ny modul", slug="ny-modul", body=[], live=False)
    course.add_child(instance=module)
    for client in clients:  # a draft is not shown
        assert "Ny modul" not in module_titles(client, course)
    module.save_revision().publish()
    for client in clients:
        assert module_titles(client, course)[-1] == "Ny modul"
        assert client.get(module.url).status_code == 200


def test_an_unpublished_module_disappears_for_every_learner(two_learners):
    clients, course, _film = two_learners
    warm(clients, course)
    second = course.get_children().specific()[1]
    url = second.url
    assert clients[0].get(url).status_code == 200
    second.unpublish()
    for client in clients:
        assert module_titles(client, course) == ["Modul 1", "Modul 3"]
        assert client.get(url).status_code == 404


def test_a_reordered_module_shows_in_its_new_place(two_learners):
    clients, course, _film = two_learners
    warm(clients, course)
    first, _second, third = course.get_children().specific()
    third.move(first, pos="left")
    for client in clients:
        assert module_titles(client, course) == ["Modul 3", "Modul 1", "Modul 2"]


def test_a_module_moved_to_another_course_follows(two_learners, catalogue):
    clients, course, _film = two_learners
    other = make_course(catalogue, title="Andra kursen", modules=1, sequential=False)
    warm(clients, course)
    warm(clients, other)
    moved = course.get_children().specific()[1]
    old_url = moved.url
    moved.move(other, pos="last-child")
    moved.refresh_from_db()
    for client in clients:
        assert module_titles(client, course) == ["Modul 1", "Modul 3"]
        assert module_titles(client, other) == ["Modul 1", "Modul 2"]
        # Wagtail's automatic redirect (or nothing) at the old address, never the old page.
        assert client.get(old_url).status_code in (301, 404)
        assert client.get(moved.url).status_code == 200


def test_a_changed_film_shows_on_the_next_request(two_learners):
    clients, course, film = two_learners
    module = course.get_children().specific()[0]
    for client in clients:
        assert "Första filmen" in client.get(module.url).content.decode()
    film.title = "Omarbetad film"
    film.save()
    for client in clients:
        html = client.get(module.url).content.decode()
        assert "Omarbetad film" in html and "Första filmen" not in html


def test_a_new_and_a_renamed_course_show_in_the_catalogue(two_learners, catalogue):
    clients, course, _film = two_learners
    warm(clients, course, catalogue)
    make_course(catalogue, title="Helt ny kurs", modules=1)
    course.title = "Omdöpt kurs"
    course.save_revision().publish()
    for client in clients:
        html = client.get(catalogue.url).content.decode()
        assert ">Helt ny kurs<" in html and ">Omdöpt kurs<" in html
        assert ">Cachekurs<" not in html


def test_a_deleted_module_is_gone(two_learners):
    clients, course, _film = two_learners
    warm(clients, course)
    course.get_children().specific()[2].delete()
    for client in clients:
        assert module_titles(client, course) == ["Modul 1", "Modul 2"]


def test_a_renamed_slug_routes_to_the_new_address_only(two_learners):
    clients, course, _film = two_learners
    module = course.get_children().specific()[0]
    old_url = module.url
    for client in clients:
        assert client.get(old_url).status_code == 200
    module.slug = "nytt-namn"
    module.save_revision().publish()
    module.refresh_from_db()
    for client in clients:
        assert client.get(old_url).status_code == 404
        assert client.get(module.url).status_code == 200


def test_the_generation_is_bumped_again_when_the_transaction_commits(
    django_capture_on_commit_callbacks,
):
    before = content_cache.generation()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        content_cache.bump("test")
    assert len(callbacks) == 1
    assert content_cache.generation() == before + 2


class _CountingCache:
    """Django's cache, counting reads of the generation number."""

    def __init__(self, real):
        self.real, self.generation_reads = real, 0

    def get(self, key, *args, **kwargs):
        if key == content_cache.GENERATION_KEY:
            self.generation_reads += 1
        return self.real.get(key, *args, **kwargs)

    def __getattr__(self, name):
        return getattr(self.real, name)


def test_a_page_reads_the_generation_once_per_request(two_learners, catalogue, monkeypatch):
    # Each read is a round trip to Redis in production; the catalogue reads a dozen entries.
    clients, course, _film = two_learners
    warm(clients, course, catalogue)
    counting = _CountingCache(content_cache.cache)
    monkeypatch.setattr(content_cache, "cache", counting)
    for url in (catalogue.url, course.url, course.get_children().first().url):
        counting.generation_reads = 0
        assert clients[0].get(url).status_code == 200
        assert counting.generation_reads == 1, url


def test_a_bump_within_a_request_is_seen_within_it(two_learners):
    with content_cache.request_scope():
        before = content_cache.generation()
        content_cache.bump("test")
        assert content_cache.generation() != before
    # Outside a request nothing is remembered: every read asks the cache.
    content_cache.bump("test")
    assert content_cache.generation() != before


def test_catalogue_cards_are_in_each_learners_language(two_learners, catalogue):
    from django.urls import reverse

    clients, _course, _film = two_learners
    swedish, english = clients
    english.post(reverse("set_language"), {"language": "en", "next": "/"})
    for client in (swedish, english, swedish):  # the Swedish cards are cached first
        client.get(catalogue.url)
    assert "Nivå 1" in swedish.get(catalogue.url).content.decode()
    html = english.get(catalogue.url).content.decode()
    assert "Level 1" in html and "Nivå 1" not in html


def test_a_renamed_course_shows_in_the_learners_assignments(two_learners):
    import datetime

    from django.utils import timezone

    from assignments.models import Assignment

    clients, course, _film = two_learners
    for client in clients:
        user = client.session["_auth_user_id"]
        Assignment.objects.create(
            user_id=user,
            course=course,
            assigned_at=timezone.now(),
            due_on=timezone.localdate() + datetime.timedelta(days=9),
        )
        assert ">Cachekurs<" in client.get("/").content.decode()
    course.title = "Nytt kursnamn"
    course.save_revision().publish()
    for client in clients:
        html = client.get("/").content.decode()
        assert ">Nytt kursnamn<" in html and ">Cachekurs<" not in html


def test_a_changed_image_outdates_the_cached_cards(two_learners, catalogue):
    """A course card carries its cover's rendition address: a replaced image must not leave
    learners with a cached card pointing at a deleted file."""
    import io

    from django.core.files.images import ImageFile
    from PIL import Image as PillowImage
    from wagtail.images import get_image_model

    def png(colour: str) -> ImageFile:
        data = io.BytesIO()
        PillowImage.new("RGB", (960, 480), colour).save(data, "PNG")
        return ImageFile(data, name=f"{colour}.png")

    clients, course, _film = two_learners
    image = get_image_model().objects.create(title="Omslag", file=png("red"))
    course.cover_image = image
    course.save_revision().publish()
    first = clients[0].get(catalogue.url).content.decode()
    old_address = re.search(
        r'<img[^>]+src="([^"]+)"[^>]*class="card-image"|<img[^>]*class="card-image"[^>]+src="([^"]+)"',
        first,
    )
    assert old_address, "the card shows the cover image"
    image.file = png("blue")
    image.save()
    image.renditions.all().delete()
    html = clients[1].get(catalogue.url).content.decode()
    assert (old_address.group(1) or old_address.group(2)) not in html


def test_a_bump_by_another_process_outdates_this_process_copy():
    """Each process keeps what it read; the generation, read from the shared cache once per
    request, decides: a bump written by another process (here: straight into the cache) shows
    on the next request."""
    from django.core.cache import cache

    calls = []

    def build():
        calls.append(1)
        return {"title": f"version {len(calls)}"}

    with content_cache.request_scope():
        assert content_cache.cached("test-local", 1, build)["title"] == "version 1"
    with content_cache.request_scope():  # from this process's copy, not built again
        assert content_cache.cached("test-local", 1, build)["title"] == "version 1"
    cache.incr(content_cache.GENERATION_KEY)  # another process publishes
    with content_cache.request_scope():
        assert content_cache.cached("test-local", 1, build)["title"] == "version 2"
    assert len(calls) == 2


def test_each_read_gets_its_own_copy_unless_the_value_is_shared():
    with content_cache.request_scope():
        first = content_cache.cached("test-copy", 1, lambda: {"seen": []})
        first["seen"].append("a request's own change")
        assert content_cache.cached("test-copy", 1, lambda: {"seen": []}) == {"seen": []}
        frozen = content_cache.cached("test-shared", 1, lambda: ("a", "b"), shared=True)
        assert content_cache.cached("test-shared", 1, lambda: (), shared=True) is frozen
