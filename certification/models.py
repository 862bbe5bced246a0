"""Workplace certification: a programme with criteria, a unit's evidence, its certificates.

A unit is certified when every criterion of a programme is met on the day HR certifies it.
Computed criteria read data already here (completions, managers, …) through the evaluator
registry (`certification.evaluators`); manual criteria need evidence that the unit's manager
submits and HR approves. A certificate is valid for the programme's validity from the day it
is given; it lapses by date, is shown as lapsed and is never deleted. Renewal is a new row.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.models import Orderable

from . import evaluators
from .forms_admin import ModuleCheckboxes, ProgrammeForm


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later; the month's last day when it has no such day (31 Jan →
    28/29 Feb), which is what people read "valid for 12 months" to mean."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return datetime.date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise ValueError(day)  # unreachable: every month has a 28th


class CertificationProgramme(ClusterableModel):
    name = models.CharField(_("name"), max_length=200, unique=True)
    description = models.TextField(
        _("description"), blank=True, help_text=_("Shown to managers above the criteria.")
    )
    validity_months = models.PositiveSmallIntegerField(
        _("valid for (months)"),
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text=_("A certificate is valid this many months from the day it is given."),
    )
    active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_("Inactive programmes are hidden from managers; their certificates remain."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    base_form_class = ProgrammeForm
    panels = [
        FieldPanel("name"),
        FieldPanel("description"),
        FieldPanel("validity_months"),
        FieldPanel("active"),
        InlinePanel("criteria", heading=_("Criteria"), label=_("Criterion"), min_num=1),
    ]

    class Meta:
        verbose_name = _("certification programme")
        verbose_name_plural = _("certification programmes")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def valid_until(self, certified_on: datetime.date) -> datetime.date:
        # Valid through the day before the same date `validity_months` later.
        return add_months(certified_on, self.validity_months) - datetime.timedelta(days=1)


class Criterion(Orderable):
    programme = ParentalKey(
        CertificationProgramme, on_delete=models.CASCADE, related_name="criteria"
    )
    kind = models.CharField(_("kind"), max_length=40, choices=evaluators.choices)
    title = models.CharField(
        _("title"),
        max_length=255,
        blank=True,
        help_text=_("What managers read, e.g. 'Active action plan'. Empty: the kind's wording."),
    )
    course = models.ForeignKey(
        "courses.CoursePage",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("course"),
    )
    percent = models.PositiveSmallIntegerField(
        _("share of staff (%)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    months = models.PositiveSmallIntegerField(
        _("within the last (months)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    # Modules for kinds that need them (group sessions); a plain list of page ids so that
    # kinds registered later need no migration here.
    module_ids = models.JSONField(_("modules"), default=list, blank=True)
    instructions = models.TextField(
        _("instructions"),
        blank=True,
        help_text=_("For manual criteria: what evidence the manager should submit."),
    )

    panels = [
        FieldPanel("kind"),
        FieldPanel("title"),
        FieldPanel("course"),
        FieldPanel("percent"),
        FieldPanel("months"),
        FieldPanel(
            "module_ids",
            widget=ModuleCheckboxes,
            help_text=_("For kinds about group modules: the modules every workplace must hold."),
        ),
        FieldPanel("instructions"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")

    def __str__(self) -> str:
        return self.label

    @property
    def spec(self) -> evaluators.Kind | None:
        return evaluators.get(self.kind)

    @property
    def label(self) -> str:
        if self.title:
            return self.title
        spec = self.spec
        return spec.describe_criterion(self) if spec else self.kind

    @property
    def is_manual(self) -> bool:
        spec = self.spec
        return bool(spec and spec.manual)

    def clean(self) -> None:
        spec = self.spec
        if spec is None:
            raise ValidationError({"kind": _("Unknown kind of criterion.")})
        errors = {}
        if spec.needs_course and not self.course_id:
            errors["course"] = _("This kind of criterion needs a course.")
        if spec.needs_percent and not self.percent:
            errors["percent"] = _("This kind of criterion needs a share in percent.")
        if spec.needs_months and not self.months:
            errors["months"] = _("This kind of criterion needs a number of months.")
        if spec.needs_modules and not self.module_ids:
            errors["module_ids"] = _("This kind of criterion needs at least one module.")
        elif spec.needs_modules:
            offered = {pk for pk, _label in spec.module_choices()}
            if not set(self.module_ids) <= offered:
                errors["module_ids"] = _(
                    "Pick only modules from the list (live modules meant for group viewing)."
                )
        elif self.module_ids:
            self.module_ids = []  # left over from another kind: it would mean nothing here
        if errors:
            raise ValidationError(errors)


class EvidenceStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Waiting for review")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned")


def evidence_path(instance: Evidence, filename: str) -> str:
    # Under a private prefix (lms/media.py): only our checked views send these files. The
    # stored name is ours, never the uploader's (path tricks, personal data in names).
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    stamp = timezone.now().strftime("%Y%m%d%H%M%S%f")
    return f"certification/evidence/{instance.unit_id}/{instance.criterion_id}-{stamp}.{ext}"


class Evidence(models.Model):
    """One submission for a manual criterion. Every submission is a row of its own, so the
    history (returned, then resubmitted, then approved) stays readable."""

    unit = models.ForeignKey(
        "people.OrgUnit", on_delete=models.CASCADE, related_name="+", verbose_name=_("unit")
    )
    criterion = models.ForeignKey(
        Criterion, on_delete=models.PROTECT, related_name="evidence", verbose_name=_("criterion")
    )
    file = models.FileField(_("file"), upload_to=evidence_path, blank=True, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    text = models.TextField(_("text"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=EvidenceStatus.choices,
        default=EvidenceStatus.SUBMITTED,
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    hr_comment = models.TextField(_("comment from HR"), blank=True)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["-submitted_at", "-pk"]
        indexes = [
            models.Index(fields=["criterion", "unit", "status"], name="evidence_criterion_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.criterion_id} {self.get_status_display()}"


def certificate_path(instance: Certification, filename: str) -> str:
    return f"certification/certificates/{instance.unit_id}/{instance.pk}-{filename}"


class Certification(models.Model):
    """A unit certified under a programme on a day; valid through `valid_until`."""

    unit = models.ForeignKey(
        "people.OrgUnit",
        on_delete=models.PROTECT,
        related_name="certifications",
        verbose_name=_("unit"),
    )
    programme = models.ForeignKey(
        CertificationProgramme,
        on_delete=models.PROTECT,
        related_name="certifications",
        verbose_name=_("programme"),
    )
    certified_on = models.DateField(_("certified on"))
    valid_until = models.DateField(_("valid until"))
    certified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("certified by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # What the criteria showed when HR certified (labels and figures), kept with the row.
    criteria_snapshot = models.JSONField(default=list, blank=True)
    pdf = models.FileField(_("certificate"), upload_to=certificate_path, blank=True)

    class Meta:
        verbose_name = _("certification")
        verbose_name_plural = _("certifications")
        ordering = ["-certified_on", "-pk"]
        indexes = [
            models.Index(fields=["programme", "unit", "valid_until"], name="certification_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.programme_id} {self.certified_on}–{self.valid_until}"

    def is_valid_on(self, day: datetime.date) -> bool:
        return self.certified_on <= day <= self.valid_until

    @property
    def is_lapsed(self) -> bool:
        return self.valid_until < timezone.localdate()
