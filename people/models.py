"""The organisation (a tree of units) and the people in it, as the HR system knows them.

Everything that counts coverage ("80 % of managers and staff in every administration") hangs
on these: a person's unit, role flags and employment dates. Sex is kept only for aggregated
statistics and is never shown next to a name to anyone but HR and the person.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node


class OrgUnit(MP_Node):
    """Municipality → administration (förvaltning) or company → unit → sub-unit, any depth."""

    code = models.CharField(
        _("unit code"), max_length=50, unique=True, help_text=_("The unit's code in the HR system.")
    )
    name = models.CharField(_("name"), max_length=200)
    active = models.BooleanField(_("active"), default=True)
    managers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="managed_units",
        verbose_name=_("managers"),
    )

    # No node_order_by: the HR file's order is kept, and moves can place units anywhere.

    class Meta:
        verbose_name = _("organisation unit")
        verbose_name_plural = _("organisation units")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Sex(models.TextChoices):
    WOMAN = "woman", _("Woman")
    MAN = "man", _("Man")
    OTHER = "other", _("Other or not stated")


class Person(models.Model):
    """An employee's profile: who they are in the organisation."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="person"
    )
    employee_number = models.CharField(_("employee number"), max_length=50, unique=True)
    unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="people",
        verbose_name=_("unit"),
        null=True,
        blank=True,
    )
    is_manager = models.BooleanField(_("manager"), default=False)
    is_staff_member = models.BooleanField(_("staff"), default=True)
    position_title = models.CharField(_("position"), max_length=200, blank=True)
    start_date = models.DateField(_("employed from"), null=True, blank=True)
    end_date = models.DateField(_("left on"), null=True, blank=True)
    sex = models.CharField(
        _("sex (for statistics only)"), max_length=10, choices=Sex.choices, default=Sex.OTHER
    )
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        indexes = [
            models.Index(fields=["unit", "end_date"], name="person_unit_active"),
            models.Index(fields=["end_date"], name="person_end_date"),
        ]

    def __str__(self) -> str:
        return self.user.get_full_name() or self.employee_number

    def name(self) -> str:
        return self.user.get_full_name()

    name.short_description = _("name")

    @property
    def has_left(self) -> bool:
        # An end date in the future is a notice period: still employed until then.
        return self.end_date is not None and self.end_date <= timezone.localdate()


class HRScope(models.Model):
    """The part of the organisation an HR user or equality strategist may see."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="hr_scopes"
    )
    unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("unit and everything below it"),
    )

    class Meta:
        verbose_name = _("HR scope")
        verbose_name_plural = _("HR scopes")
        constraints = [models.UniqueConstraint(fields=["user", "unit"], name="hr_scope_once")]

    def __str__(self) -> str:
        return f"{self.user} → {self.unit}"


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    CHECKING = "checking", _("Checking the file")
    PREVIEW = "preview", _("Ready to apply")
    INVALID = "invalid", _("The file has errors")
    APPLYING = "applying", _("Applying")
    APPLIED = "applied", _("Applied")
    FAILED = "failed", _("Failed")


class EmployeeImport(models.Model):
    """One upload of the HR system's employee file: checked first, applied all or nothing."""

    file = models.FileField(_("file"), upload_to="imports/")
    original_name = models.CharField(_("file name"), max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ImportStatus.choices, default=ImportStatus.PENDING
    )
    # When the status last changed: an import waiting, checking or applying for much longer
    # than a worker may run on it is stuck, and a periodic task ends it.
    status_changed_at = models.DateTimeField(_("status since"), default=timezone.now)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    # Counts and a sample of the changes, for the preview and the log.
    summary = models.JSONField(default=dict, blank=True)
    errors = models.JSONField(default=list, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("applied by"),
    )
    applied_at = models.DateTimeField(_("applied"), null=True, blank=True)

    class Meta:
        verbose_name = _("employee import")
        verbose_name_plural = _("employee imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.created_at:%Y-%m-%d %H:%M})"

    @property
    def percent(self) -> int:
        return round(100 * self.rows_done / self.rows_total) if self.rows_total else 0


class AnonymisationRun(models.Model):
    """Log of the scheduled anonymisation of people who left long enough ago."""

    ran_at = models.DateTimeField(_("ran"), auto_now_add=True)
    left_before = models.DateField(_("left before"))
    people = models.PositiveIntegerField(_("people anonymised"))

    class Meta:
        verbose_name = _("anonymisation run")
        verbose_name_plural = _("anonymisation runs")
        ordering = ["-ran_at"]

    def __str__(self) -> str:
        return f"{self.ran_at:%Y-%m-%d}: {self.people}"
