"""Media on S3-compatible object storage (issue 17, item 5): the settings switch from the
environment, and private files still only through the app's checked views. No network: the
bucket is an in-memory stand-in that signs addresses with botocore as S3 does."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from storages.backends.s3 import S3Storage

from lms.storage import S3_BACKEND, media_origin, storages_from_env

MINIO = {
    "LMS_S3_BUCKET": "lms-media",
    "AWS_S3_ENDPOINT_URL": "http://minio.test:9000",
    "AWS_S3_ADDRESSING_STYLE": "path",
    "AWS_S3_REGION_NAME": "eu-north-1",
    "AWS_ACCESS_KEY_ID": "test-key",
    "AWS_SECRET_ACCESS_KEY": "test-secret",
}
LOCAL = {"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}, "staticfiles": {}}


def test_local_volume_by_default():
    assert storages_from_env({}, LOCAL) == LOCAL
    assert storages_from_env({"LMS_S3_BUCKET": "  "}, LOCAL) == LOCAL
    assert media_origin({}) is None


def test_s3_when_a_bucket_is_configured():
    storages = storages_from_env(MINIO, LOCAL)
    assert storages["staticfiles"] == LOCAL["staticfiles"]
    default = storages["default"]
    assert default["BACKEND"] == S3_BACKEND
    options = default["OPTIONS"]
    assert options["bucket_name"] == "lms-media"
    assert options["endpoint_url"] == "http://minio.test:9000"
    assert options["region_name"] == "eu-north-1"
    assert options["addressing_style"] == "path"
    assert options["location"] == "media"
    # Private objects and short-lived signed addresses; credentials are not copied.
    assert options["default_acl"] is None
    assert options["querystring_auth"] is True
    assert options["querystring_expire"] == 300
    assert options["file_overwrite"] is False
    assert "test-secret" not in json.dumps(storages)
    assert media_origin(MINIO) == "http://minio.test:9000"
    assert media_origin({"LMS_S3_BUCKET": "b", "AWS_S3_REGION_NAME": "eu-north-1"}) == (
        "https://b.s3.eu-north-1.amazonaws.com"
    )


def test_production_settings_read_the_switch_from_the_environment():
    """The real settings module, started as a web process would be (no network)."""
    script = (
        "import django, json; django.setup();"
        "from django.conf import settings; from lms.headers import build_policy;"
        "print(json.dumps({'backend': settings.STORAGES['default']['BACKEND'],"
        "'docs': getattr(settings, 'WAGTAILDOCS_SERVE_METHOD', None),"
        "'csp': build_policy(relaxed=False)}))"
    )
    base = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("LMS_S3", "AWS_"))},
        "DJANGO_SETTINGS_MODULE": "lms.settings.production",
        "SECRET_KEY": "x" * 50,
        "ALLOWED_HOSTS": "lms.example.se",
        "DATABASE_URL": "postgres://u:p@127.0.0.1:1/none",
        "BASE_URL": "https://lms.example.se",
    }

    def run(extra: dict) -> dict:
        out = subprocess.run(
            [sys.executable, "-c", script],
            env={**base, **extra},
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )
        return json.loads(out.stdout.strip().splitlines()[-1])

    local = run({})
    assert local["backend"] == "django.core.files.storage.FileSystemStorage"
    assert local["docs"] is None
    s3 = run(MINIO)
    assert s3["backend"] == S3_BACKEND
    assert s3["docs"] == "serve_view"
    media_src = next(d for d in s3["csp"].split("; ") if d.startswith("media-src"))
    assert "http://minio.test:9000" in media_src
    assert "minio" not in local["csp"]


class MemoryBucket(S3Storage):
    """S3Storage with its objects in a dict: `url()` is botocore's real signing."""

    objects: dict[str, bytes] = {}

    def __init__(self, **kwargs):
        super().__init__(
            bucket_name="lms-media",
            endpoint_url="http://minio.test:9000",
            region_name="eu-north-1",
            addressing_style="path",
            access_key="test-key",
            secret_key="test-secret",
            location="media",
            default_acl=None,
            querystring_auth=True,
            querystring_expire=300,
            file_overwrite=False,
        )

    def _save(self, name, content):
        self.objects[name] = content.read()
        return name

    def exists(self, name):
        return name in self.objects

    def _open(self, name, mode="rb"):
        return ContentFile(self.objects[name], name=name)

    def delete(self, name):
        self.objects.pop(name, None)


@pytest.fixture
def bucket(settings):
    MemoryBucket.objects = {}
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "tests.lms.test_storage.MemoryBucket"},
    }
    for name, data in {
        "films/film.mp4": b"\x00\x00film",
        "films/film.sv.vtt": b"WEBVTT\n\n00:00.000 --> 00:01.000\nHej\n",
        "diplomas/2026/diplom.pdf": b"%PDF diploma",
        "documents/privat.pdf": b"%PDF document",
        "imports/personal.csv": b"personnummer;namn",
    }.items():
        default_storage.save(name, io.BytesIO(data))
    return MemoryBucket.objects


pytestmark = pytest.mark.django_db


def test_anonymous_gets_the_login_not_a_bucket_address(client, bucket):
    response = client.get("/media/films/film.mp4")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_films_redirect_to_a_short_lived_signed_address(client, learner, bucket):
    client.force_login(learner)
    response = client.get("/media/films/film.mp4")
    assert response.status_code == 302
    assert "no-store" in response["Cache-Control"]
    address = urlsplit(response["Location"])
    assert f"{address.scheme}://{address.netloc}" == "http://minio.test:9000"
    assert address.path == "/lms-media/media/films/film.mp4"
    query = parse_qs(address.query)
    assert query["X-Amz-Expires"] == ["300"]
    assert "X-Amz-Signature" in query


def test_captions_stream_through_the_app(client, learner, bucket):
    client.force_login(learner)
    response = client.get("/media/films/film.sv.vtt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/vtt; charset=utf-8"
    assert b"".join(response.streaming_content).startswith(b"WEBVTT")


@pytest.mark.parametrize(
    "path",
    [
        "diplomas/2026/diplom.pdf",
        "documents/privat.pdf",
        "imports/personal.csv",
        "films/../diplomas/2026/diplom.pdf",
        "./documents/privat.pdf",
        "films/%2e%2e/imports/personal.csv",
        "../../etc/passwd",
        "films/finns-inte.mp4",
    ],
)
def test_private_files_never_leave_through_the_media_view(client, learner, bucket, path):
    client.force_login(learner)
    response = client.get(f"/media/{path}")
    assert response.status_code == 404
    assert "Location" not in response
