"""Workplace meetings (arbetsplatsträff, APT): a unit watches a module for group viewing together.

A manager plans a meeting for one of their units; the manager or the named facilitator holds it
and ticks who attended. Holding it credits each attendee with the module through
`progress.services.module_credit` under the meeting's credit key, so that a correction can
withdraw exactly that credit. Meetings and the attendance log are kept, never deleted.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class WorkplaceMeeting(models.Model):
    unit = models.ForeignKey(
        "people.OrgUnit",
        on_delete=models.PROTECT,
        related_name="workplace_meetings",
        verbose_name=_("unit"),
    )
    # A modules.ModulePage marked for group viewing (checked by the services).
    module = models.ForeignKey(
        "wagtailcore.Page", on_delete=models.PROTECT, related_name="+", verbose_name=_("module")
    )
    date = models.DateField(_("date"))
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("facilitator"),
    )
    notes = models.TextField(_("notes"), blank=True, max_length=5000)
    status = models.CharField(
        _("status"), max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )
    planned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    held_at = models.DateTimeField(_("marked held"), null=True, blank=True)
    held_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("workplace meeting")
        verbose_name_plural = _("workplace meetings")
        ordering = ["-date", "-pk"]
        indexes = [
            models.Index(fields=["module", "status", "date"], name="wpm_module_status_date"),
            models.Index(fields=["unit", "date"], name="wpm_unit_date"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.module_id} {self.date:%Y-%m-%d}"

    @property
    def credit_key(self) -> str:
        """The source written on each attendee's module progress."""
        return f"workplace_meeting:{self.pk}"

    @property
    def is_held(self) -> bool:
        return self.status == MeetingStatus.HELD


class Attendance(models.Model):
    """A person on the meeting's list: present or not; guests come from other units."""

    meeting = models.ForeignKey(
        WorkplaceMeeting, on_delete=models.CASCADE, related_name="attendances"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    is_guest = models.BooleanField(_("guest"), default=False)
    present = models.BooleanField(_("present"), default=False)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "user"], name="wpm_attendance_once")
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id}/{self.user_id}"


class AttendanceChange(models.Model):
    """The log of who was marked present or removed after the meeting, by whom and when."""

    class Action(models.TextChoices):
        ADDED = "added", _("Marked present")
        REMOVED = "removed", _("Removed; credit withdrawn")

    meeting = models.ForeignKey(WorkplaceMeeting, on_delete=models.CASCADE, related_name="changes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    action = models.CharField(_("change"), max_length=20, choices=Action.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("attendance change")
        verbose_name_plural = _("attendance changes")
        ordering = ["changed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.meeting_id}/{self.user_id} {self.action}"
