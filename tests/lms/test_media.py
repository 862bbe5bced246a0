import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

pytestmark = pytest.mark.django_db


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def stored_file():
    name = default_storage.save("films/range-test.mp4", ContentFile(bytes(range(256)) * 4))
    yield name
    default_storage.delete(name)


def test_media_needs_login(client, stored_file):
    response = client.get(f"/media/{stored_file}")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_media_supports_range_requests_for_seeking(client, learner, stored_file):
    client.force_login(learner)
    whole = client.get(f"/media/{stored_file}")
    assert whole.status_code == 200
    assert whole["Accept-Ranges"] == "bytes"
    assert body(whole) == bytes(range(256)) * 4

    part = client.get(f"/media/{stored_file}", HTTP_RANGE="bytes=10-19")
    assert part.status_code == 206
    assert part["Content-Range"] == "bytes 10-19/1024"
    assert body(part) == bytes(range(10, 20))

    tail = client.get(f"/media/{stored_file}", HTTP_RANGE="bytes=-4")
    assert body(tail) == bytes(range(252, 256))

    beyond = client.get(f"/media/{stored_file}", HTTP_RANGE="bytes=5000-")
    assert beyond.status_code == 416


@pytest.mark.parametrize(
    "path",
    [
        "../lms/settings/base.py",
        "documents/secret.pdf",
        "films/../documents/secret.pdf",
        "./documents/secret.pdf",
        "films/%2e%2e/documents/secret.pdf",
        "nope.mp4",
    ],
)
def test_media_refuses_traversal_documents_and_missing(client, learner, path):
    # Documents have their own view with Wagtail's privacy rules; never serve them here.
    default_storage.save("documents/secret.pdf", ContentFile(b"%PDF secret"))
    client.force_login(learner)
    assert client.get(f"/media/{path}").status_code == 404
    default_storage.delete("documents/secret.pdf")


def test_behind_nginx_django_only_checks_and_redirects(client, learner, stored_file, settings):
    settings.MEDIA_X_ACCEL_REDIRECT = "/protected-media/"
    client.force_login(learner)
    response = client.get(f"/media/films/../{stored_file}")
    assert response["X-Accel-Redirect"] == f"/protected-media/{stored_file}"
    assert response.content == b""
