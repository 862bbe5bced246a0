"""Uploaded media for logged-in users only, with HTTP Range support so that films can seek.

Behind nginx, set MEDIA_X_ACCEL_REDIRECT to an internal location (e.g. `/protected-media/`)
and nginx sends the file after Django has checked the login.

With media on object storage (`LMS_S3_BUCKET`, lms/storage.py) the same checks run first; then
films and other audio/video get a redirect to a signed address that expires within minutes
(the object store serves the ranges), and everything else (captions, images, transcripts) is
streamed from the bucket by this view. The private prefixes answer 404 here in both cases.
"""

from __future__ import annotations

import mimetypes
import os
import posixpath
import re

from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.utils._os import safe_join
from django.views.decorators.http import require_safe

RANGE_RE = re.compile(r"^bytes=(\d*)-(\d*)$")
# Documents have their own view (Wagtail privacy); HR import files are for HR only;
# diplomas are sent by the diplomas app to their holder and to HR in scope; certification
# evidence and certificates by the certification app to the unit's managers and HR in scope.
PRIVATE_PREFIXES = ("documents/", "imports/", "diplomas/", "certification/")


class _RangeFile:
    """Iterate over [start, end] of a file in chunks."""

    def __init__(self, path: str, start: int, length: int, chunk: int = 64 * 1024):
        self.handle = open(path, "rb")  # noqa: SIM115  (closed by the response)
        self.handle.seek(start)
        self.remaining = length
        self.chunk = chunk

    def __iter__(self):
        while self.remaining > 0:
            data = self.handle.read(min(self.chunk, self.remaining))
            if not data:
                break
            self.remaining -= len(data)
            yield data

    def close(self):
        self.handle.close()


def _content_type(path: str) -> str:
    if path.endswith(".vtt"):
        return "text/vtt; charset=utf-8"
    return mimetypes.guess_type(path)[0] or "application/octet-stream"


def _serve_from_object_storage(path: str) -> HttpResponse:
    # Normalised before deciding: "films/../diplomas/x" is a diploma.
    path = posixpath.normpath(path.replace("\\", "/")).lstrip("/")
    if path in (".", "") or path.startswith((*PRIVATE_PREFIXES, "..")):
        raise Http404
    if not default_storage.exists(path):
        raise Http404
    content_type = _content_type(path)
    if content_type.startswith(("video/", "audio/")):
        response = HttpResponseRedirect(default_storage.url(path))
        response["Cache-Control"] = "private, no-store"
        return response
    response = FileResponse(default_storage.open(path, "rb"), content_type=content_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response


@require_safe
def serve_media(request: HttpRequest, path: str) -> HttpResponse:
    if not isinstance(default_storage, FileSystemStorage):
        return _serve_from_object_storage(path)
    root = os.path.realpath(settings.MEDIA_ROOT)
    try:
        full_path = os.path.realpath(safe_join(root, path))
    except Exception as exc:  # SuspiciousFileOperation and the like
        raise Http404 from exc
    # Decide on the normalised path: "films/../documents/x" is a document too.
    path = os.path.relpath(full_path, root).replace(os.sep, "/")
    if path.startswith((*PRIVATE_PREFIXES, "..")) or not os.path.isfile(full_path):
        raise Http404
    content_type = mimetypes.guess_type(full_path)[0] or "application/octet-stream"
    if path.endswith(".vtt"):
        content_type = "text/vtt; charset=utf-8"

    accel = getattr(settings, "MEDIA_X_ACCEL_REDIRECT", "")
    if accel:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = accel.rstrip("/") + "/" + path
        response["Cache-Control"] = "private, max-age=3600"
        return response

    size = os.path.getsize(full_path)
    match = RANGE_RE.match(request.headers.get("Range", "").strip())
    if match and (match.group(1) or match.group(2)):
        first, last = match.groups()
        if first:
            start = int(first)
            end = min(int(last), size - 1) if last else size - 1
        else:  # suffix range: the last N bytes
            start = max(0, size - int(last))
            end = size - 1
        if start >= size or start > end:
            response = HttpResponse(status=416)
            response["Content-Range"] = f"bytes */{size}"
            return response
        length = end - start + 1
        response = StreamingHttpResponse(
            _RangeFile(full_path, start, length), status=206, content_type=content_type
        )
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
        response["Content-Length"] = str(length)
    else:
        response = FileResponse(open(full_path, "rb"), content_type=content_type)  # noqa: SIM115
    response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = "private, max-age=3600"
    return response
