"""Who must take which course by when: HR's rules, and the assignments they produce.

A rule names a course and a part of the organisation (a unit with or without its sub-units,
everyone / managers / staff, optionally only new hires). Evaluating the rules creates one open
assignment per person and course; when a person leaves the rules' scope the assignment is
ended, never deleted, so the history of who was asked to do what stays. An assignment's state
(not started, in progress, completed, overdue, expired, exempted) is never stored: it is
derived from completions in one place, `assignments.selectors.with_state`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Audience(models.TextChoices):
    EVERYONE = "everyone", _("Everyone (managers and staff)")
    MANAGERS = "managers", _("Managers")
    STAFF = "staff", _("Staff who are not managers")


class AssignmentRule(models.Model):
    name = models.CharField(_("name"), max_length=200)
    course = models.ForeignKey(
        "wagtailcore.Page",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("course"),
    )
    unit = models.ForeignKey(
        "people.OrgUnit",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("unit"),
    )
    include_subunits = models.BooleanField(
        _("include sub-units"),
        default=True,
        help_text=_("Everyone in the units below this one is included too."),
    )
    audience = models.CharField(
        _("who"), max_length=20, choices=Audience.choices, default=Audience.EVERYONE
    )
    hired_within_days = models.PositiveIntegerField(
        _("only new hires (days)"),
        null=True,
        blank=True,
        help_text=_(
            "Only people employed within this many days, and everyone hired from now on. "
            "Leave empty for everyone in the unit."
        ),
    )
    due_days = models.PositiveIntegerField(
        _("days to complete"),
        default=90,
        help_text=_(
            "Due date: this many days after the assignment, or after the start date for new hires."
        ),
    )
    active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_("An inactive rule assigns nobody; its open assignments are ended."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("assignment rule")
        verbose_name_plural = _("assignment rules")
        ordering = ["name"]
        indexes = [models.Index(fields=["course", "active"], name="rule_course_active")]

    def __str__(self) -> str:
        return self.name


class EndReason(models.TextChoices):
    OUT_OF_SCOPE = "out_of_scope", _("No longer covered by a rule")
    LEFT = "left", _("Left the organisation")


class Assignment(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="assignments",
        verbose_name=_("person"),
    )
    course = models.ForeignKey(
        "wagtailcore.Page", on_delete=models.PROTECT, related_name="+", verbose_name=_("course")
    )
    # The rule that first assigned the course; kept as history if the rule is deleted.
    rule = models.ForeignKey(
        AssignmentRule,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assignments",
        verbose_name=_("rule"),
    )
    assigned_at = models.DateTimeField(_("assigned"))
    due_on = models.DateField(_("due date"))
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    end_reason = models.CharField(
        _("why it ended"), max_length=20, choices=EndReason.choices, blank=True
    )
    exempted_at = models.DateTimeField(_("exempted"), null=True, blank=True)
    exempted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("exempted by"),
    )
    exemption_reason = models.CharField(_("reason for exemption"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "course"],
                condition=Q(ended_at__isnull=True),
                name="one_open_assignment_per_course",
            )
        ]
        indexes = [
            models.Index(
                fields=["course", "due_on"],
                condition=Q(ended_at__isnull=True),
                name="assignment_open_course_due",
            ),
            models.Index(
                fields=["due_on"],
                condition=Q(ended_at__isnull=True),
                name="assignment_open_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}/{self.course_id} ≤ {self.due_on}"

    def person_name(self) -> str:
        return self.user.get_full_name() or self.user.get_username()

    person_name.short_description = _("Person")

    @property
    def is_open(self) -> bool:
        return self.ended_at is None
