"""Where uploaded media live: the local volume by default, S3-compatible object storage (AWS S3,
MinIO, Ceph, a Swedish cloud's object store) when `LMS_S3_BUCKET` is set.

Read by the settings at start-up, from the environment only (no network here):

* `LMS_S3_BUCKET` (turns it on), `LMS_S3_PREFIX` (a folder in the bucket, default `media`),
* `AWS_S3_ENDPOINT_URL` (MinIO and other non-AWS stores), `AWS_S3_REGION_NAME`,
  `AWS_S3_ADDRESSING_STYLE` (`path` for MinIO), `AWS_S3_SIGNED_URL_SECONDS` (default 300),
* credentials the way boto3 reads them (`AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY`, or the
  machine's role): they are never copied into the settings.

**The bucket stays private.** Objects are written without a public ACL and the bucket needs no
public policy. Nothing links to the bucket directly: `lms.media.serve_media` checks the login
and streams captions and other small files itself, and answers films with a redirect to a
signed address that expires after `AWS_S3_SIGNED_URL_SECONDS` (so that seeking in a film is
served by the object store, not by a web process). Diplomas, HR import files and documents are
read through their own permission-checked views (`diploma.pdf.open()`, Wagtail's document view
with `WAGTAILDOCS_SERVE_METHOD = "serve_view"`), never redirected.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from urllib.parse import urlsplit

S3_BACKEND = "storages.backends.s3.S3Storage"


def s3_enabled(environ: Mapping[str, str] = os.environ) -> bool:
    return bool(environ.get("LMS_S3_BUCKET", "").strip())


def s3_options(environ: Mapping[str, str] = os.environ) -> dict:
    """django-storages' S3 options from the environment."""
    options = {
        "bucket_name": environ["LMS_S3_BUCKET"].strip(),
        "location": environ.get("LMS_S3_PREFIX", "media").strip("/"),
        # Private objects, signed addresses, never overwrite (two uploads of "film.mp4" keep
        # both, as on the local volume).
        "default_acl": None,
        "querystring_auth": True,
        "querystring_expire": int(environ.get("AWS_S3_SIGNED_URL_SECONDS", "300")),
        "file_overwrite": False,
        "object_parameters": {"CacheControl": "private, max-age=3600"},
    }
    endpoint = environ.get("AWS_S3_ENDPOINT_URL", "").strip()
    if endpoint:
        options["endpoint_url"] = endpoint
    region = environ.get("AWS_S3_REGION_NAME", "").strip()
    if region:
        options["region_name"] = region
    style = environ.get("AWS_S3_ADDRESSING_STYLE", "").strip()
    if style:
        options["addressing_style"] = style
    return options


def storages_from_env(environ: Mapping[str, str], storages: dict) -> dict:
    """`storages` with the default (media) storage replaced by S3 when configured; static
    files stay where they are (whitenoise serves them from the image)."""
    if not s3_enabled(environ):
        return storages
    return {**storages, "default": {"BACKEND": S3_BACKEND, "OPTIONS": s3_options(environ)}}


def media_origin(environ: Mapping[str, str] = os.environ) -> str | None:
    """The origin films are fetched from (for the Content-Security-Policy's media-src and
    img-src), or None with local media."""
    if not s3_enabled(environ):
        return None
    endpoint = environ.get("AWS_S3_ENDPOINT_URL", "").strip()
    bucket = environ["LMS_S3_BUCKET"].strip()
    if endpoint:
        parts = urlsplit(endpoint)
        if environ.get("AWS_S3_ADDRESSING_STYLE", "").strip() == "virtual":
            return f"{parts.scheme}://{bucket}.{parts.netloc}"
        return f"{parts.scheme}://{parts.netloc}"
    region = environ.get("AWS_S3_REGION_NAME", "").strip()
    host = f"s3.{region}.amazonaws.com" if region else "s3.amazonaws.com"
    return f"https://{bucket}.{host}"
