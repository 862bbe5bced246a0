"""The reminder outbox: what was decided to be told to whom, and the emails that carried it.

A `Notice` is one thing to tell one person ("course X is due on 12 May"). Its unique `key`
records the decision once: the daily sweep may run any number of times and never decides the
same thing twice. A `Delivery` is the one email a person gets on one day; it carries all of
that person's notices of the day. Deliveries move pending → sending → sent (or failed, skipped
or in doubt). One email at a time is claimed and marked `sending` in a committed transaction
just before it is handed to the mail server, so an email is sent at most once even when a
worker crashes or two workers run at the same time, and a crash leaves at most one email per
worker in doubt (see `services.send_due`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class NoticeKind(models.TextChoices):
    DUE_SOON = "due_soon", _("Due soon")
    OVERDUE = "overdue", _("Overdue")
    RENEWAL = "renewal", _("Renewal")
    MANAGER_DIGEST = "manager_digest", _("Manager summary")
    # Weekly, to HR whose scope holds a coverage goal's unit, when the goal is at risk.
    HR_GOAL = "hr_goal", _("Coverage goal at risk (HR)")
    # Monthly, to managers whose units have not held a required group module (APT) lately.
    GROUP_MODULE = "group_module", _("Workplace meeting not held (manager)")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Not sent")
    # The worker died (or the connection broke) while handing the email to the mail server:
    # it may or may not have arrived. Never resent automatically: that could make it two.
    IN_DOUBT = "in_doubt", _("In doubt")


class Delivery(models.Model):
    """One email to one person on one day, combining all of that person's notices."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reminder_deliveries",
        verbose_name=_("person"),
        # The unique (user, day) index serves lookups by person: one index less to write for
        # every email the sweep plans.
        db_index=False,
    )
    day = models.DateField(_("day"))
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    claimed_at = models.DateTimeField(_("sending started"), null=True, blank=True)
    # Who is handing the email over: "hostname:pid" of the worker, for whoever investigates,
    # and the PostgreSQL session (backend pid) it claimed with, to tell whether it still lives.
    claimed_by = models.CharField(_("sending worker"), max_length=255, blank=True)
    claim_session = models.PositiveIntegerField(null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    # When the mail server last said "later" for this email alone (e.g. a full mailbox): it
    # then waits behind the others, so that it does not hold them up.
    deferred_at = models.DateTimeField(_("deferred"), null=True, blank=True, editable=False)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("reminder email")
        verbose_name_plural = _("reminder emails")
        constraints = [
            models.UniqueConstraint(fields=["user", "day"], name="one_reminder_email_per_day")
        ]
        indexes = [
            # The sender's claim (pending emails of a day, by person) and the planner's lookup.
            models.Index(
                fields=["day", "user"],
                condition=Q(status="pending"),
                name="delivery_pending_day",
            ),
            # Emails left in `sending` by a crashed worker (the recovery's query).
            models.Index(
                fields=["claimed_at"],
                condition=Q(status="sending"),
                name="delivery_sending_claimed",
            ),
            # HR's report, newest first.
            models.Index(fields=["-day", "-id"], name="delivery_day_desc"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.day} ({self.status})"


class Notice(models.Model):
    """One thing to tell one person, decided once (the key) and carried by one delivery."""

    # Unique through a constraint, not `unique=True`: that would add a second (pattern) index on
    # PostgreSQL that no query uses, written for every notice of the sweep.
    key = models.CharField(_("key"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=NoticeKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reminder_notices",
        verbose_name=_("person"),
    )
    assignment = models.ForeignKey(
        "assignments.Assignment",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("assignment"),
    )
    # What the email needs: course title and path, dates; for a digest, the ids it lists.
    payload = models.JSONField(_("content"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    delivery = models.ForeignKey(
        Delivery,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notices",
        verbose_name=_("email"),
    )

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [models.UniqueConstraint(fields=["key"], name="one_notice_per_key")]
        indexes = [
            # Planning: notices not yet given to an email, per person.
            models.Index(
                fields=["user"],
                condition=Q(delivery__isnull=True),
                name="notice_undelivered_user",
            ),
        ]

    def __str__(self) -> str:
        return self.key
