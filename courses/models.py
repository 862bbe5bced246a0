from __future__ import annotations

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, HelpPanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

from lms import content_cache
from lms.content_cache import CachedViewRestrictionsMixin
from progress import selectors as progress_selectors
from progress import services as progress_services

from .panels import CourseStructurePanel


class Audience(models.TextChoices):
    ALL = "all", _("Everyone")
    MANAGERS = "managers", _("Managers")
    STAFF = "staff", _("Staff")


class CourseIndexPage(CachedViewRestrictionsMixin, Page):
    """The catalogue: every course an employee can take, with filters."""

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types = ["courses.CoursePage"]

    class Meta:
        verbose_name = _("course catalogue")
        verbose_name_plural = _("course catalogues")

    def get_context(self, request, *args, **kwargs):
        from .forms import CatalogueFilterForm

        context = super().get_context(request, *args, **kwargs)
        # The empty form is the same for everybody: rendered once per language, and not built.
        form = CatalogueFilterForm(request.GET) if request.GET else None
        # The courses and their prerequisites change only on publish.
        courses = content_cache.catalogue_courses(self)
        # External members see only the courses opened to external organisations.
        from external_organisations.selectors import courses_for

        courses = courses_for(request, courses)
        states = progress_selectors.catalogue_states(user=request.user, courses=courses)
        heads = content_cache.catalogue_card_heads(self, request)
        if form is not None and form.is_valid():
            data = form.cleaned_data
            if data["audience"]:
                courses = [c for c in courses if c.audience in (data["audience"], Audience.ALL)]
            if data["level"]:
                courses = [c for c in courses if c.level == int(data["level"])]
            if data["status"]:
                courses = [c for c in courses if states[c.pk].status == data["status"]]
        context.update(
            filter_form=form,
            filter_fields=None
            if form is not None
            else content_cache.static_fragment(
                "courses/includes/catalogue_filter_fields.html",
                lambda: {"filter_form": CatalogueFilterForm()},
            ),
            course_states=[(c, states[c.pk], heads[c.pk]) for c in courses],
            filtered=form is not None,
        )
        return context


class CoursePage(CachedViewRestrictionsMixin, Page):
    """A course: an ordered set of modules that together lead to a completion."""

    summary = models.CharField(_("summary"), max_length=400)
    description = RichTextField(_("description"), blank=True)
    audience = models.CharField(
        _("target audience"), max_length=20, choices=Audience.choices, default=Audience.ALL
    )
    level = models.PositiveSmallIntegerField(
        _("level"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("1 is the introduction; higher levels go deeper."),
    )
    # Empty: the course's length is the sum of its required modules' minutes (computed_minutes).
    estimated_minutes = models.PositiveSmallIntegerField(
        _("set the length by hand (minutes)"),
        null=True,
        blank=True,
        help_text=_(
            "Leave empty to show the sum of the required modules' estimated minutes. "
            "Fill in only if the course takes a different time than its modules add up to."
        ),
    )
    computed_minutes = models.PositiveIntegerField(
        _("minutes of the required modules"), default=0, editable=False
    )
    cover_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("cover image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sequential = models.BooleanField(
        _("modules must be taken in order"),
        default=True,
        help_text=_("Each required module opens when the one before it is done."),
    )
    prerequisites = ParentalManyToManyField(
        "courses.CoursePage",
        verbose_name=_("prerequisite courses"),
        blank=True,
        related_name="required_by",
        help_text=_("Courses that must be completed before this one can be started."),
    )
    validity_months = models.PositiveSmallIntegerField(
        _("valid for (months)"),
        null=True,
        blank=True,
        help_text=_("Leave empty if a completion never expires."),
    )
    allows_group_credit = models.BooleanField(
        _("workplace meetings count"),
        default=False,
        db_default=False,
        help_text=_(
            "Attending a workplace meeting (APT) where a module for group viewing was held "
            "completes that module for the attendees, and counts toward completing the course."
        ),
    )
    source_note = models.CharField(
        _("based on"),
        max_length=300,
        blank=True,
        help_text=_("Which programme the course builds on, shown at the bottom of the course."),
    )

    content_panels = Page.content_panels + [
        CourseStructurePanel(heading=_("Course structure")),
        FieldPanel("summary"),
        FieldPanel("description"),
        FieldPanel("cover_image"),
        MultiFieldPanel(
            [
                FieldPanel("audience"),
                FieldPanel("level"),
                FieldPanel("estimated_minutes"),
                FieldPanel("validity_months"),
            ],
            heading=_("Who and how long"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("sequential"),
                FieldPanel("prerequisites", widget=forms.CheckboxSelectMultiple),
                FieldPanel("allows_group_credit"),
                HelpPanel(
                    content=_(
                        "The course is completed when every required module is done, including "
                        "passing the quizzes placed in those modules."
                    )
                ),
            ],
            heading=_("Completion rule"),
        ),
        FieldPanel("source_note"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("description"),
        index.FilterField("audience"),
        index.FilterField("level"),
    ]
    parent_page_types = ["courses.CourseIndexPage"]
    subpage_types = ["modules.ModulePage"]

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")

    @property
    def length_minutes(self) -> int:
        """The stated length: the editor's, or the sum of the required modules' minutes."""
        if self.estimated_minutes is not None:
            return self.estimated_minutes
        return self.computed_minutes

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        state = progress_selectors.course_state(user=request.user, course=self)
        if state.status == progress_selectors.COMPLETED and progress_services.renewal_open_if_due(
            user=request.user, course=self
        ):  # the completion has lapsed: a new round
            state = progress_selectors.course_state(user=request.user, course=self)
        if state.status == progress_selectors.IN_PROGRESS and state.required_done >= max(
            1, state.required_total
        ):
            # Everything left was unpublished or made optional since: finish the course.
            progress_services.course_complete_if_done(user=request.user, course=self)
            state = progress_selectors.course_state(user=request.user, course=self)
        context["state"] = state
        context["parent"] = content_cache.parent_page(self)  # the breadcrumb, without a query
        return context
