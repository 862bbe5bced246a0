"""HR's coverage goals ("80 % of everyone in the administration by 31 December").

A goal is the only thing `reports` stores: the dashboards read everything else from
assignments, completions and the organisation through `reports.selectors`.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class CoverageGoal(models.Model):
    name = models.CharField(_("name"), max_length=200)
    target_percent = models.PositiveSmallIntegerField(
        _("target (%)"),
        default=80,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("Share of the assigned people who should have completed, e.g. 80."),
    )
    deadline = models.DateField(_("deadline"))
    course = models.ForeignKey(
        "wagtailcore.Page",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("course"),
        help_text=_("Leave empty for all assigned courses together."),
    )
    unit = models.ForeignKey(
        "people.OrgUnit",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("unit"),
        help_text=_(
            "The goal applies to this unit and every unit below it. "
            "Leave empty for the whole organisation."
        ),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("coverage goal")
        verbose_name_plural = _("coverage goals")
        ordering = ["deadline", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(target_percent__gte=1, target_percent__lte=100),
                name="coverage_goal_percent_range",
            )
        ]

    def __str__(self) -> str:
        return self.name


class ProtectionChange(models.Model):
    """One row whose `version` changes whenever the people behind the small-group protection
    may have changed: any write to open assignments, people or the organisation.

    PostgreSQL statement-level triggers (migration 0002) set it to the next value of a
    sequence in the writing transaction, so a reader sees a version only together with the data
    it belongs to, and a rolled-back write never leaves a version behind that could be reused
    for other data. `reports.selectors` caches the hidden breakdowns under it. Other databases
    (SQLite in development) have no triggers: the protection is then computed every time.
    """

    version = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("protection change")

    def __str__(self) -> str:
        return str(self.version)
