"""xAPI 1.0.3 statements, kept in an outbox until a Learning Record Store has them.

A statement is written in the same transaction as the learner's event (a module opened or
completed, a course completed, a quiz graded), so it exists exactly when the event does. Its
id (a UUID) is the statement's xAPI id: an LRS keeps one statement per id, so sending it again
after a worker died mid-batch is harmless.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Statement(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Erasing a person (GDPR) erases their statements that are still here.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    verb = models.CharField(_("verb"), max_length=20)
    statement = models.JSONField(_("statement"))
    timestamp = models.DateTimeField(_("time of the event"))
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("xAPI statement")
        verbose_name_plural = _("xAPI statements")
        indexes = [
            # The sender's claim: pending rows due now, oldest first.
            models.Index(
                fields=["next_attempt_at", "created_at"],
                condition=Q(status="pending"),
                name="statement_pending_due",
            ),
            models.Index(fields=["timestamp"], name="statement_timestamp"),
            models.Index(fields=["status", "created_at"], name="statement_status"),
        ]

    def __str__(self) -> str:
        return f"{self.verb} {self.id}"
