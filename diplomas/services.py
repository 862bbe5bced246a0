"""Writes of diplomas: issue, render, revoke, sweep, anonymise."""

from __future__ import annotations

import logging
import shutil
import zipfile

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import log
from wagtail.models import ModelLogEntry, Page, Site

from progress.models import Completion

from . import codes, pdf
from .models import Diploma, DiplomaSettings

logger = logging.getLogger(__name__)

SWEEP_BATCH = 500
RENDER_BATCH = 200
REVOKE_ACTION = "diplomas.revoke"


class DiplomaError(Exception):
    """An HR action the rules do not allow; the message says why, in the user's language."""


def _holder_name(user) -> str:
    return user.get_full_name() or user.get_username()


def _is_anonymised(user) -> bool:
    person = getattr(user, "person", None) if user is not None else None
    return person is not None and person.anonymised_at is not None


def _holder_fields(user, removed_at) -> dict:
    """An anonymised person's diploma is born as one whose holder was removed: no name, no
    PDF, and the verify page says so (never "genuine and valid" for a nameless record)."""
    if removed_at is not None:
        return {"holder_name": "", "holder_removed_at": removed_at}
    return {"holder_name": _holder_name(user)}


def _unique_code() -> str:
    # 80 random bits: a collision is practically impossible, but the unique index decides.
    while True:
        code = codes.generate()
        if not Diploma.objects.filter(code=code).exists():
            return code


def diploma_issue(*, completion: Completion) -> Diploma:
    """The completion's diploma, created if it has none. Call inside the completion's
    transaction; the PDF is rendered after commit (see receivers)."""
    existing = Diploma.objects.filter(completion=completion).first()
    if existing is not None:
        return existing
    title = Page.objects.filter(pk=completion.course_id).values_list("title", flat=True).first()
    try:
        with transaction.atomic():  # a savepoint: a concurrent issue loses the race cleanly
            return Diploma.objects.create(
                completion=completion,
                code=_unique_code(),
                course_title=title or "",
                issued_at=completion.completed_at,
                **_holder_fields(
                    completion.user,
                    timezone.now() if _is_anonymised(completion.user) else None,
                ),
            )
    except IntegrityError:
        return Diploma.objects.get(completion=completion)


def diploma_for_learner(*, user, course_id: int) -> Diploma | None:
    """The diploma of the learner's latest completion of the course, issued now if the
    completion has none yet (history from before diplomas); None if never completed."""
    completion = (
        Completion.objects.filter(user=user, course_id=course_id)
        .order_by("-completed_at", "-pk")
        .first()
    )
    if completion is None:
        return None
    return diploma_issue(completion=completion)


def diploma_ensure_pdf(*, diploma: Diploma) -> Diploma:
    """The diploma with its PDF, rendered now if the worker has not done it yet."""
    if not diploma.pdf:
        diploma = diploma_render(diploma_id=diploma.pk) or diploma
    return diploma


def verify_url(code: str) -> str:
    base = getattr(settings, "DIPLOMA_BASE_URL", "") or settings.WAGTAILADMIN_BASE_URL
    return base.rstrip("/") + reverse("diploma_verify", args=[codes.display(code)])


def _issuer() -> DiplomaSettings | None:
    site = Site.objects.filter(is_default_site=True).first() or Site.objects.first()
    return DiplomaSettings.for_site(site) if site is not None else None


def _logo_bytes(issuer: DiplomaSettings | None) -> bytes | None:
    if issuer is None or issuer.logo is None:
        return None
    try:
        with issuer.logo.file.open("rb") as handle:
            return handle.read()
    except OSError:
        logger.warning("Diploma logo %s could not be read", issuer.logo_id)
        return None


def diploma_content(diploma: Diploma, issuer: DiplomaSettings | None = None) -> pdf.DiplomaContent:
    completion = diploma.completion
    return pdf.DiplomaContent(
        holder_name=diploma.holder_name,
        course_title=diploma.course_title,
        completed_on=timezone.localdate(completion.completed_at),
        valid_until=completion.valid_until,
        issuer_name=issuer.issuer_name if issuer else "",
        code=diploma.display_code,
        verify_url=verify_url(diploma.code),
        logo=_logo_bytes(issuer),
    )


def diploma_render(*, diploma_id: int) -> Diploma | None:
    """Render and store the PDF of a diploma that has none; a repeat changes nothing.

    The row is locked while the file is written, so two workers (the task and the sweep, or
    a learner's download) never store two files for one diploma.
    """
    with transaction.atomic():
        diploma = (
            Diploma.objects.select_for_update()
            .select_related("completion")
            .filter(pk=diploma_id)
            .first()
        )
        if diploma is None or diploma.pdf or diploma.holder_removed_at is not None:
            return diploma
        content = pdf.render(diploma_content(diploma, _issuer()))
        diploma.pdf.save(f"{diploma.code}.pdf", ContentFile(content), save=False)
        try:
            Diploma.objects.filter(pk=diploma.pk).update(pdf=diploma.pdf.name)
        except Exception:
            diploma.pdf.storage.delete(diploma.pdf.name)  # no orphan file
            raise
    return diploma


def diploma_revoke(*, diploma: Diploma, user, reason: str) -> Diploma:
    """Revoke a diploma (HR, within its scope: the caller checks the scope)."""
    reason = (reason or "").strip()
    if not reason:
        raise DiplomaError(_("Give a reason for revoking the diploma."))
    with transaction.atomic():
        diploma = Diploma.objects.select_for_update().get(pk=diploma.pk)
        if diploma.revoked_at is not None:
            raise DiplomaError(_("The diploma has already been revoked."))
        diploma.revoked_at = timezone.now()
        diploma.revoked_by = user
        diploma.revoke_reason = reason[:2000]
        diploma.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
        log(
            instance=diploma,
            action=REVOKE_ACTION,
            user=user,
            data={"reason": diploma.revoke_reason},
        )
    return diploma


def diplomas_create_missing(*, batch: int = SWEEP_BATCH) -> int:
    """Diplomas for completions that have none (history loaded in bulk, completions from
    before diplomas existed), in batches of `batch`; returns how many were created."""
    created = 0
    while True:
        missing = list(
            Completion.objects.filter(diploma__isnull=True)
            .select_related("user", "user__person")
            .order_by("pk")[:batch]
        )
        if not missing:
            return created
        titles = dict(
            Page.objects.filter(pk__in={c.course_id for c in missing}).values_list("pk", "title")
        )
        now = timezone.now()
        rows = [
            Diploma(
                completion=c,
                code=codes.generate(),
                course_title=titles.get(c.course_id, ""),
                issued_at=c.completed_at,
                **_holder_fields(c.user, now if _is_anonymised(c.user) else None),
            )
            for c in missing
        ]
        try:
            with transaction.atomic():
                Diploma.objects.bulk_create(rows)
            created += len(rows)
        except IntegrityError:
            # A completion got its diploma meanwhile (or, once in 2**80, a code collided):
            # one at a time for this batch.
            for completion in missing:
                with transaction.atomic():
                    if not Diploma.objects.filter(completion=completion).exists():
                        diploma_issue(completion=completion)
                        created += 1


def diplomas_render_missing(*, limit: int = RENDER_BATCH) -> int:
    """Render up to `limit` diplomas still without a PDF (a worker was down, a task killed)."""
    ids = list(
        Diploma.objects.filter(pdf="", holder_removed_at__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    for diploma_id in ids:
        try:
            diploma_render(diploma_id=diploma_id)
        except Exception:  # one broken diploma must not stop the others
            logger.exception("Diploma %s could not be rendered", diploma_id)
    return len(ids)


def diplomas_sweep() -> tuple[int, int]:
    return diplomas_create_missing(), diplomas_render_missing()


def zip_member_name(diploma: Diploma) -> str:
    person = slugify(diploma.holder_name) or "diplom"
    course = slugify(diploma.course_title)[:60] or "kurs"
    return f"{person}-{course}-{diploma.code}.pdf"


# PDFs still missing that one ZIP request renders itself; the rest are left to the sweep (a
# request must end well inside the proxy's timeout).
ZIP_RENDER_LIMIT = 50
ZIP_PENDING_NOTE = "ej-klara-an.txt"


def diplomas_zip(*, diplomas, target, render_limit: int = ZIP_RENDER_LIMIT) -> int:
    """Write the diplomas' PDFs into a ZIP in `target` (a file), rendering at most
    `render_limit` still missing; the others are named in a note inside the ZIP.
    Reads the rows in chunks and copies each file in blocks: memory stays flat."""
    count = 0
    pending: list[str] = []
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_STORED) as archive:
        for diploma in diplomas.order_by("pk").iterator(chunk_size=500):
            if not diploma.pdf:
                if render_limit <= 0:
                    pending.append(f"{diploma.holder_name} – {diploma.course_title}")
                    continue
                render_limit -= 1
            diploma = diploma_ensure_pdf(diploma=diploma)
            if not diploma.pdf:
                continue
            with (
                diploma.pdf.open("rb") as source,
                archive.open(zip_member_name(diploma), "w") as member,
            ):
                shutil.copyfileobj(source, member, 64 * 1024)
            count += 1
        if pending:
            archive.writestr(
                ZIP_PENDING_NOTE,
                "Dessa diplom skapas fortfarande och kommer med om en stund (inom tio minuter):\n"
                + "\n".join(pending)
                + "\n",
            )
    return count


def diplomas_anonymise(*, user) -> None:
    """The holder is anonymised: remove the name and the PDFs; the code then says so."""
    # Locked first: a render running now either finished (its file name is read here and
    # deleted) or waits and then sees holder_removed_at (and renders nothing).
    with transaction.atomic():
        pks_names = list(
            Diploma.objects.select_for_update()
            .filter(completion__user=user)
            .order_by("pk")
            .values_list("pk", "pdf")
        )
        pks = [pk for pk, _name in pks_names]
        names = [name for _pk, name in pks_names if name]
        Diploma.objects.filter(pk__in=pks).update(
            holder_name="", pdf="", revoke_reason="", holder_removed_at=timezone.now()
        )
        # The reason may name the person: scrub it from the revocation log entries too.
        ModelLogEntry.objects.filter(
            action=REVOKE_ACTION,
            content_type=ContentType.objects.get_for_model(Diploma),
            object_id__in=[str(pk) for pk in pks],
        ).update(data={})
    # The files go once the rows no longer point at them (never before a rollback).
    transaction.on_commit(lambda: [default_storage.delete(name) for name in names])
