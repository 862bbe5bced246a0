"""Writes: a manager submits evidence; HR reviews it and certifies a unit.

Every service checks the caller's scope itself (a view's check is not enough: forged ids reach
the service), runs in one transaction, and raises CertificationError with a Swedish message
that can be shown as it is; nothing is half-applied when it does.
"""

from __future__ import annotations

import datetime
import logging

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from people.models import OrgUnit

from . import pdf, selectors, uploads
from .models import Certification, CertificationProgramme, Criterion, Evidence, EvidenceStatus

logger = logging.getLogger(__name__)

TEXT_MAX = 5000
COMMENT_MAX = 2000
# A valid certificate may be renewed this many days before it ends (the renewal starts the
# day after the current one ends, so no time is lost by renewing early).
RENEWAL_WINDOW_DAYS = 90


SUBMITTED_MESSAGE = gettext_lazy("Thank you: the evidence is sent to HR for review.")


class CertificationError(Exception):
    """A refusal to show to the user as it is."""


class NotFound(CertificationError):
    """The object does not exist in the caller's part of the organisation (a 404)."""


def evidence_submit(
    *,
    user,
    unit_id: int,
    criterion_id: int,
    upload: UploadedFile | None = None,
    text: str = "",
) -> Evidence:
    text = (text or "").strip()
    if upload is None and not text:
        raise CertificationError(_("Upload a file or write a text."))
    if len(text) > TEXT_MAX:
        raise CertificationError(
            _("The text is too long: at most %(max)s characters.") % {"max": TEXT_MAX}
        )
    ext = None
    if upload is not None:
        try:
            ext = uploads.check(upload)
        except uploads.UploadRejected as exc:
            raise CertificationError(str(exc)) from exc
    with transaction.atomic():
        # Lock the unit: two submissions at once (a double click, a replay) make one row.
        unit = (
            selectors.managed_units(user).select_for_update(of=("self",)).filter(pk=unit_id).first()
        )
        if unit is None:
            raise NotFound(_("No such unit among the units you manage."))
        criterion = (
            Criterion.objects.select_related("programme")
            .filter(pk=criterion_id, programme__active=True)
            .first()
        )
        if criterion is None:
            raise NotFound(_("No such criterion."))
        if not criterion.is_manual:
            raise CertificationError(
                _("This criterion is computed from the platform's data; it takes no evidence.")
            )
        if Evidence.objects.filter(
            unit=unit, criterion=criterion, status=EvidenceStatus.SUBMITTED
        ).exists():
            raise CertificationError(
                _("Evidence for this criterion is already waiting for HR's review.")
            )
        evidence = Evidence(
            unit=unit,
            criterion=criterion,
            text=text,
            submitted_by=user,
            submitted_at=timezone.now(),
            original_name=(upload.name or "")[-255:] if upload is not None else "",
        )
        if upload is not None:
            evidence.file.save(f"underlag.{ext}", upload, save=False)
        try:
            evidence.full_clean()
            evidence.save()
        except Exception:
            # The row is rolled back; do not leave its file behind.
            if evidence.file:
                evidence.file.storage.delete(evidence.file.name)
            raise
    return evidence


def evidence_review(*, user, evidence_id: int, approve: bool, comment: str = "") -> Evidence:
    comment = (comment or "").strip()[:COMMENT_MAX]
    with transaction.atomic():
        evidence = (
            Evidence.objects.select_for_update()
            .filter(pk=evidence_id, unit__in=selectors.hr_units_for(user))
            .first()
        )
        if evidence is None:
            raise NotFound(_("No such evidence in your part of the organisation."))
        if evidence.status != EvidenceStatus.SUBMITTED:
            raise CertificationError(_("This evidence has already been reviewed."))
        if not approve and not comment:
            raise CertificationError(_("Write a comment saying what the manager needs to change."))
        evidence.status = EvidenceStatus.APPROVED if approve else EvidenceStatus.RETURNED
        evidence.hr_comment = comment
        evidence.reviewed_by = user
        evidence.reviewed_at = timezone.now()
        evidence.save(update_fields=["status", "hr_comment", "reviewed_by", "reviewed_at"])
    return evidence


def certification_issue(
    *, user, unit_id: int, programme_id: int, today: datetime.date | None = None
) -> Certification:
    """Certify a unit if every criterion is met today; the check is made again here, inside
    the transaction and with the unit locked, whatever the page showed a moment ago."""
    today = today or timezone.localdate()
    with transaction.atomic():
        unit = (
            selectors.hr_units_for(user).select_for_update(of=("self",)).filter(pk=unit_id).first()
        )
        if unit is None:
            raise NotFound(_("No such unit in your part of the organisation."))
        programme = CertificationProgramme.objects.filter(pk=programme_id, active=True).first()
        if programme is None:
            raise NotFound(_("No such certification programme."))
        standing = selectors.standing(programme, unit, today)
        current = standing.current
        start = today
        if current is not None and current.valid_until >= today:
            if (current.valid_until - today).days > RENEWAL_WINDOW_DAYS:
                raise CertificationError(
                    _(
                        "The unit is already certified until %(date)s; it can be renewed at "
                        "the earliest %(days)s days before then."
                    )
                    % {"date": current.valid_until.isoformat(), "days": RENEWAL_WINDOW_DAYS}
                )
            start = current.valid_until + datetime.timedelta(days=1)
        if not standing.criteria:
            raise CertificationError(_("The programme has no criteria."))
        unmet = [c.criterion.label for c in standing.criteria if not c.result.met]
        if unmet:
            raise CertificationError(
                _("The unit cannot be certified yet. Not met: %(criteria)s.")
                % {"criteria": "; ".join(unmet)}
            )
        certification = Certification.objects.create(
            unit=unit,
            programme=programme,
            certified_on=today,
            valid_until=programme.valid_until(start),
            certified_by=user,
            criteria_snapshot=[
                {"criterion": c.criterion.label, "result": c.result.summary}
                for c in standing.criteria
            ],
        )
        _render(certification, unit)
    return certification


def _issuer_name() -> str:
    from wagtail.models import Site

    from diplomas.models import DiplomaSettings

    site = Site.objects.filter(is_default_site=True).first()
    return DiplomaSettings.for_site(site).issuer_name if site else ""


def _render(certification: Certification, unit: OrgUnit) -> None:
    content = pdf.CertificateContent(
        unit_name=unit.name,
        programme_name=certification.programme.name,
        certified_on=certification.certified_on,
        valid_until=certification.valid_until,
        issuer_name=_issuer_name(),
        criteria=[row["criterion"] for row in certification.criteria_snapshot],
        reference=f"{unit.code}-{certification.pk}",
    )
    name = f"certifikat-{slugify(unit.code) or unit.pk}.pdf"
    certification.pdf.save(name, ContentFile(pdf.render(content)), save=False)
    Certification.objects.filter(pk=certification.pk).update(pdf=certification.pdf.name)


def certificate_ensure_pdf(*, certification: Certification) -> Certification:
    """The stored PDF; rendered again if the file went missing (a restore without media)."""
    if certification.pdf and certification.pdf.storage.exists(certification.pdf.name):
        return certification
    with transaction.atomic():
        fresh = (
            Certification.objects.select_for_update()
            .select_related("programme")
            .get(pk=certification.pk)
        )
        unit = OrgUnit.objects.get(pk=fresh.unit_id)
        _render(fresh, unit)
    return fresh
