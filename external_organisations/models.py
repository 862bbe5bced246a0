"""External organisations (local companies and associations) that take courses the municipality
opens for them, earn an award and, with their consent, a place on a public list.

Kept apart from employees by construction: an external member is a Django user WITHOUT a
people.Person, and every employee figure, import, assignment, reminder and HR scope goes through
Person and OrgUnit. Nothing here creates a Person.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.models import Page

from diplomas import codes
from lms.content_cache import CachedViewRestrictionsMixin

from . import orgnr


class Status(models.TextChoices):
    UNCONFIRMED = "unconfirmed", _("Email not confirmed")
    PENDING = "pending", _("Awaiting decision")
    APPROVED = "approved", _("Approved")
    DECLINED = "declined", _("Declined")
    LEFT = "left", _("Left")


# Statuses in which an organisation number (and a contact email) is taken.
ACTIVE_STATUSES = (Status.UNCONFIRMED, Status.PENDING, Status.APPROVED)


class ExternalOrganisation(models.Model):
    name = models.CharField(_("name"), max_length=200)
    org_number = models.CharField(_("organisation number"), max_length=10)
    contact_name = models.CharField(_("contact person"), max_length=200)
    contact_email = models.EmailField(_("contact email"))
    public_listing_consent = models.BooleanField(
        _("may be listed publicly when diplomated"), default=False
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.UNCONFIRMED
    )
    registered_at = models.DateTimeField(_("registered"), default=timezone.now)
    email_confirmed_at = models.DateTimeField(_("email confirmed"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decision_message = models.TextField(_("message to the organisation"), blank=True)
    left_at = models.DateTimeField(_("left"), null=True, blank=True)

    class Meta:
        verbose_name = _("external organisation")
        verbose_name_plural = _("external organisations")
        ordering = ["name"]
        constraints = [
            # One live registration per organisation number; a declined or departed
            # organisation may register again.
            models.UniqueConstraint(
                fields=["org_number"],
                condition=Q(status__in=["unconfirmed", "pending", "approved"]),
                name="extorg_orgnr_active_unique",
            ),
            models.UniqueConstraint(
                fields=["contact_email"],
                condition=Q(status__in=["unconfirmed", "pending", "approved"]),
                name="extorg_email_active_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def org_number_display(self) -> str:
        return orgnr.display(self.org_number)


class Membership(models.Model):
    """A user's place in an external organisation; the contact is a member too."""

    organisation = models.ForeignKey(
        ExternalOrganisation, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="external_membership"
    )
    is_contact = models.BooleanField(_("contact"), default=False)
    joined_at = models.DateTimeField(_("joined"), default=timezone.now)

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")

    def __str__(self) -> str:
        return f"{self.user} ({self.organisation})"


class Invitation(models.Model):
    """A one-time link by email; only the token's hash is kept, so a database dump opens nothing."""

    organisation = models.ForeignKey(
        ExternalOrganisation, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("email"))
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    expired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "email"],
                condition=Q(accepted_at__isnull=True, expired_at__isnull=True),
                name="extorg_invitation_open_unique",
            )
        ]
        indexes = [
            models.Index(
                fields=["expires_at"],
                name="extorg_invitation_open",
                condition=Q(accepted_at__isnull=True, expired_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.email} ({self.organisation})"


class CourseOffering(models.Model):
    """A course HR opened to external organisations, with the award's criterion."""

    course = models.OneToOneField(
        "courses.CoursePage",
        on_delete=models.CASCADE,
        related_name="external_offering",
        verbose_name=_("course"),
    )
    active = models.BooleanField(_("open to external organisations"), default=True)
    min_members = models.PositiveIntegerField(
        _("at least this many members completed"),
        null=True,
        blank=True,
        help_text=_("Leave empty to use the share only."),
    )
    min_percent = models.PositiveSmallIntegerField(
        _("or at least this share of invited members completed (%)"),
        null=True,
        blank=True,
        help_text=_("Leave empty to use the number only."),
    )
    created_at = models.DateTimeField(default=timezone.now)

    panels = [
        FieldPanel("course"),
        FieldPanel("active"),
        FieldPanel("min_members"),
        FieldPanel("min_percent"),
    ]

    class Meta:
        verbose_name = _("course offering for external organisations")
        verbose_name_plural = _("course offerings for external organisations")
        constraints = [
            models.CheckConstraint(
                condition=Q(min_members__isnull=False) | Q(min_percent__isnull=False),
                name="extorg_offering_has_criterion",
            ),
            models.CheckConstraint(
                condition=Q(min_percent__isnull=True) | Q(min_percent__lte=100),
                name="extorg_offering_percent_range",
            ),
        ]

    def __str__(self) -> str:
        return str(self.course)

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.min_members is None and self.min_percent is None:
            raise ValidationError(
                _("Set a number of members, a share of invited members, or both.")
            )
        if self.min_members == 0:
            raise ValidationError({"min_members": _("The number of members must be at least 1.")})
        if self.min_percent is not None and not 1 <= self.min_percent <= 100:
            raise ValidationError({"min_percent": _("The share must be between 1 and 100 %.")})

    def criterion_text(self) -> str:
        parts = []
        if self.min_members:
            parts.append(_("at least %(n)s members") % {"n": self.min_members})
        if self.min_percent:
            parts.append(_("%(p)s %% of invited members") % {"p": self.min_percent})
        return str(_(" or ")).join(str(p) for p in parts)

    def is_met(self, *, completed: int, invited: int) -> bool:
        if self.min_members and completed >= self.min_members:
            return True
        return bool(self.min_percent and invited and completed * 100 >= self.min_percent * invited)


class OrganisationAward(models.Model):
    """The organisation's diploma for a course: verifiable at /verify/<code>/ like a person's."""

    organisation = models.ForeignKey(
        ExternalOrganisation, on_delete=models.CASCADE, related_name="awards"
    )
    course = models.ForeignKey(
        "courses.CoursePage", on_delete=models.PROTECT, related_name="+", verbose_name=_("course")
    )
    code = models.CharField(_("verification code"), max_length=codes.LENGTH, unique=True)
    organisation_name = models.CharField(_("organisation"), max_length=200)
    course_title = models.CharField(_("course"), max_length=255)
    issued_at = models.DateTimeField(_("issued"), default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("organisation diploma")
        verbose_name_plural = _("organisation diplomas")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "course"], name="extorg_award_once_per_course"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation_name} – {self.course_title}"

    @property
    def display_code(self) -> str:
        return codes.display(self.code)


class DiplomatedOrganisationsPage(CachedViewRestrictionsMixin, Page):
    """The public list "Diplomerade organisationer": name, year and course, with consent only."""

    is_public = True  # see home.wagtail_hooks: served without login
    intro = models.TextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types: list[str] = []
    max_count = 1

    class Meta:
        verbose_name = _("diplomated organisations")

    def get_context(self, request, *args, **kwargs):
        from . import selectors

        context = super().get_context(request, *args, **kwargs)
        context["awards"] = selectors.public_awards()
        return context
