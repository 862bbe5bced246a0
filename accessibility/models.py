"""The accessibility statement (tillgänglighetsredogörelse) and the problem reports it invites.

Lag (2018:1937) om tillgänglighet till digital offentlig service requires a public body to
publish a statement on how accessible the service is, with a way to report problems and a link
to the supervisory authority (DIGG). Editors maintain the statement as a page; the reports are
kept here so that the responsible person can answer and follow them up.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField
from wagtail.models import Page

from lms.content_cache import CachedViewRestrictionsMixin

RICH_TEXT = ["h2", "h3", "bold", "italic", "link", "ol", "ul"]
DIGG_REPORT_URL = "https://www.digg.se/tdosanmalan"


class Compliance(models.TextChoices):
    FULL = "full", _("fully compliant")
    PARTIAL = "partial", _("partially compliant")
    NONE = "none", _("not compliant")


class AccessibilityStatementPage(CachedViewRestrictionsMixin, Page):
    """The statement. One per site, public, linked from every page's footer."""

    is_public = True

    compliance = models.CharField(
        _("compliance status"),
        max_length=10,
        choices=Compliance.choices,
        default=Compliance.PARTIAL,
        help_text=_("How well the service meets the requirements (EN 301 549, WCAG 2.1 AA)."),
    )
    intro = RichTextField(_("introduction"), blank=True, features=RICH_TEXT)
    known_problems = RichTextField(
        _("known problems"),
        blank=True,
        features=RICH_TEXT,
        help_text=_("Content that is not accessible, why, and what is done about it."),
    )
    how_to_report = RichTextField(
        _("how to report a problem"),
        blank=True,
        features=RICH_TEXT,
        help_text=_("Shown above the form for reporting a problem."),
    )
    supervision = RichTextField(
        _("supervisory authority"),
        blank=True,
        features=RICH_TEXT,
        help_text=_("How to complain to Myndigheten för digital förvaltning (DIGG)."),
    )
    assessment = RichTextField(_("how the service was assessed"), blank=True, features=RICH_TEXT)
    assessed_on = models.DateField(_("assessed on"), null=True, blank=True)
    statement_updated_on = models.DateField(_("statement last updated"), null=True, blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        FieldPanel("compliance"),
        FieldPanel("known_problems"),
        FieldPanel("how_to_report"),
        FieldPanel("supervision"),
        MultiFieldPanel(
            [
                FieldPanel("assessment"),
                FieldPanel("assessed_on"),
                FieldPanel("statement_updated_on"),
            ],
            heading=_("Assessment"),
        ),
    ]

    parent_page_types = ["home.HomePage"]
    subpage_types: list[str] = []
    max_count = 1
    template = "accessibility/statement_page.html"

    class Meta:
        verbose_name = _("accessibility statement")
        verbose_name_plural = _("accessibility statements")

    def serve(self, request, *args, **kwargs):
        from .views import serve_statement

        return serve_statement(self, request)


@register_setting(icon="help")
class AccessibilitySettings(BaseSiteSetting):
    responsible_email = models.EmailField(
        _("responsible person's email"),
        blank=True,
        help_text=_(
            "Reports of accessibility problems are sent here. Empty: to the administrators "
            "(ACCESSIBILITY_CONTACT_EMAIL)."
        ),
    )

    panels = [FieldPanel("responsible_email")]

    class Meta:
        verbose_name = _("accessibility")


class ReportStatus(models.TextChoices):
    NEW = "new", _("new")
    IN_PROGRESS = "in_progress", _("in progress")
    ANSWERED = "answered", _("answered")
    CLOSED = "closed", _("closed")


class ProblemReport(models.Model):
    """A problem someone met. The reporter's email is optional and only kept to answer."""

    created_at = models.DateTimeField(_("reported"), auto_now_add=True, db_index=True)
    description = models.TextField(_("description"), validators=[MaxLengthValidator(5000)])
    page_url = models.CharField(_("page"), max_length=500, blank=True)
    contact_email = models.EmailField(_("email for an answer"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=ReportStatus.choices, default=ReportStatus.NEW
    )
    notes = models.TextField(_("internal notes"), blank=True)
    notified_at = models.DateTimeField(_("responsible person notified"), null=True, blank=True)
    notified_to = models.EmailField(_("notified address"), blank=True)

    class Meta:
        verbose_name = _("accessibility problem report")
        verbose_name_plural = _("accessibility problem reports")
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["created_at"],
                name="a11yreport_unnotified",
                condition=models.Q(notified_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d} {self.description[:40]}"

    def responsible_address(self) -> str:
        from wagtail.models import Site

        site = Site.objects.filter(is_default_site=True).first()
        address = AccessibilitySettings.for_site(site).responsible_email if site else ""
        return address or settings.ACCESSIBILITY_CONTACT_EMAIL
