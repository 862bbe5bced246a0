"""Checks on an uploaded evidence file: size, type by name AND by content, and that it opens.

The file is read by HR in their own programs, so a file that claims to be a PDF but is not,
or a ZIP bomb dressed as a .docx, is refused at the door with a message the manager can act
on. Limits come from settings (env): CERTIFICATION_EVIDENCE_MAX_BYTES.
"""

from __future__ import annotations

import io
import zipfile

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

ALLOWED = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "odt": "application/vnd.oasis.opendocument.text",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
}
# Office files are ZIPs: refuse ones that unpack to far more than the upload limit.
MAX_UNPACKED_RATIO = 20


class UploadRejected(ValueError):
    pass


def extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def check(upload: UploadedFile) -> str:
    """Returns the file's extension if it is acceptable; raises UploadRejected otherwise."""
    limit = settings.CERTIFICATION_EVIDENCE_MAX_BYTES
    if upload.size is None or upload.size > limit:
        raise UploadRejected(
            _("The file is too large: at most %(mb)s MB.") % {"mb": limit // 2**20}
        )
    if upload.size == 0:
        raise UploadRejected(_("The file is empty."))
    ext = extension(upload.name or "")
    if ext not in ALLOWED:
        raise UploadRejected(
            _(
                "Files of this type cannot be uploaded. Use PDF, Word (.docx), "
                "OpenDocument (.odt), PNG or JPEG."
            )
        )
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    try:
        if ext == "pdf":
            _check_pdf(data)
        elif ext in ("docx", "odt"):
            _check_office(data, ext, limit)
        else:
            _check_image(data, ext)
    except UploadRejected:
        raise
    except Exception as exc:  # any parser error means a broken file
        raise UploadRejected(
            _("The file could not be opened; it may be damaged. Save it again and upload it.")
        ) from exc
    return ext


def _check_pdf(data: bytes) -> None:
    from pypdf import PdfReader

    if not data.startswith(b"%PDF-"):
        raise UploadRejected(_("The file is not a PDF although its name says so."))
    reader = PdfReader(io.BytesIO(data), strict=False)
    if len(reader.pages) < 1:
        raise ValueError("no pages")


def _check_office(data: bytes, ext: str, limit: int) -> None:
    if not data.startswith(b"PK\x03\x04"):
        raise UploadRejected(_("The file is not a document of the type its name says."))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = archive.infolist()
        if sum(m.file_size for m in members) > MAX_UNPACKED_RATIO * limit:
            raise UploadRejected(_("The document unpacks to far too much data."))
        names = {m.filename for m in members}
        wanted = "[Content_Types].xml" if ext == "docx" else "mimetype"
        if wanted not in names:
            raise UploadRejected(_("The file is not a document of the type its name says."))
        if archive.testzip() is not None:
            raise ValueError("corrupt member")


def _check_image(data: bytes, ext: str) -> None:
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        expected = "PNG" if ext == "png" else "JPEG"
        if image.format != expected:
            raise UploadRejected(_("The file is not an image of the type its name says."))
        image.verify()
