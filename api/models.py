"""Integration tokens for HR and BI systems, and the log of every request made with one.

A token's secret is shown once, when it is created, and only its SHA-256 is stored: the secret
is 32 random bytes, so a plain hash is as strong as a slow one and allows a lookup by index.
A token sees the subtrees of its units (like an HR scope) or, when an administrator explicitly
chose it, the whole organisation; and only the endpoint groups in its scopes.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Scope(models.TextChoices):
    PEOPLE = "people", _("People (employee number, unit, role)")
    UNITS = "units", _("Organisation units")
    COURSES = "courses", _("Courses and modules")
    ASSIGNMENTS = "assignments", _("Assignments with their state")
    COMPLETIONS = "completions", _("Completions with validity")
    COVERAGE = "coverage", _("Coverage per unit and goal")
    QUIZ_STATS = "quiz_stats", _("Quiz pass rates per course")


class IntegrationToken(models.Model):
    name = models.CharField(_("name"), max_length=200, help_text=_("Which system uses it."))
    # The first characters of the secret, to recognise a token in logs and lists.
    prefix = models.CharField(_("token begins with"), max_length=16, editable=False)
    secret_hash = models.CharField(max_length=64, unique=True, editable=False)
    scopes = models.JSONField(_("scopes"), default=list)
    units = models.ManyToManyField(
        "people.OrgUnit",
        blank=True,
        related_name="+",
        verbose_name=_("units and everything below them"),
    )
    whole_organisation = models.BooleanField(
        _("the whole organisation"),
        default=False,
        help_text=_("Sees every unit. Choose units instead when the system needs only part."),
    )
    expires_at = models.DateTimeField(_("expires"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("revoked by"),
    )

    class Meta:
        verbose_name = _("integration token")
        verbose_name_plural = _("integration tokens")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    def status(self) -> str:
        if self.is_revoked:
            return str(_("Revoked"))
        if self.is_expired:
            return str(_("Expired"))
        return str(_("Active"))

    status.short_description = _("status")


class RequestLog(models.Model):
    """One row per API request made with a known token (one insert, no update)."""

    token = models.ForeignKey(IntegrationToken, on_delete=models.CASCADE, related_name="requests")
    at = models.DateTimeField(_("time"), default=timezone.now)
    endpoint = models.CharField(_("endpoint"), max_length=100)
    status = models.PositiveSmallIntegerField(_("status"))
    rows = models.PositiveIntegerField(_("rows"), default=0)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)

    class Meta:
        verbose_name = _("API request")
        verbose_name_plural = _("API requests")
        indexes = [
            models.Index(fields=["token", "at"], name="api_log_token_at"),
            models.Index(fields=["at"], name="api_log_at"),
        ]

    def __str__(self) -> str:
        return f"{self.token_id} {self.endpoint} {self.status}"
