"""Diplomas: one per completion, a PDF the learner can show and a code anyone can verify.

The diploma keeps a snapshot of what it says (the holder's name, the course's title): a
diploma is a document issued on a day, and a later rename does not change what was issued.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting

from . import codes

# Outside MEDIA_ROOT's public part: lms/media.py refuses this prefix, so a diploma is only
# ever sent by the views that check who asks.
PDF_PREFIX = "diplomas/"


def pdf_path(instance: Diploma, filename: str) -> str:
    return f"{PDF_PREFIX}{instance.issued_at:%Y}/{instance.code}.pdf"


class Status(models.TextChoices):
    VALID = "valid", _("Valid")
    EXPIRED = "expired", _("No longer valid")
    REVOKED = "revoked", _("Revoked")


class Diploma(models.Model):
    completion = models.OneToOneField(
        "progress.Completion", on_delete=models.CASCADE, related_name="diploma"
    )
    code = models.CharField(_("verification code"), max_length=codes.LENGTH, unique=True)
    holder_name = models.CharField(_("holder"), max_length=300, blank=True)
    course_title = models.CharField(_("course"), max_length=255)
    issued_at = models.DateTimeField(_("issued"), default=timezone.now)
    pdf = models.FileField(_("PDF"), upload_to=pdf_path, blank=True, max_length=200)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("revoked by"),
    )
    revoke_reason = models.TextField(_("reason for revoking"), blank=True)
    # Set when the holder was anonymised (GDPR): the name and the PDF are gone.
    holder_removed_at = models.DateTimeField(_("holder removed"), null=True, blank=True)

    class Meta:
        verbose_name = _("diploma")
        verbose_name_plural = _("diplomas")
        indexes = [
            # The sweep's query: diplomas still waiting for their PDF.
            models.Index(
                fields=["id"],
                name="diploma_pdf_missing",
                condition=Q(pdf="") & Q(holder_removed_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return codes.display(self.code)

    @property
    def display_code(self) -> str:
        return codes.display(self.code)

    @property
    def completed_at(self):
        return self.completion.completed_at

    @property
    def valid_until(self):
        return self.completion.valid_until

    @property
    def status(self) -> str:
        if self.revoked_at is not None:
            return Status.REVOKED
        # Valid through the last day, in the organisation's time zone (TIME_ZONE).
        if self.valid_until is not None and self.valid_until < timezone.localdate():
            return Status.EXPIRED
        return Status.VALID

    def get_status_display(self) -> str:
        return Status(self.status).label


@register_setting(icon="doc-full")
class DiplomaSettings(BaseSiteSetting):
    """Who issues the diplomas: shown on every diploma rendered after a change."""

    issuer_name = models.CharField(
        _("issuing organisation"),
        max_length=200,
        blank=True,
        help_text=_("Printed on diplomas, e.g. the municipality's name."),
    )
    logo = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("logo"),
        help_text=_("Optional. A PNG or JPEG with a transparent or white background works best."),
    )

    panels = [FieldPanel("issuer_name"), FieldPanel("logo")]

    class Meta:
        verbose_name = _("diplomas")
