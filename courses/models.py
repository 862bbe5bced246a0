from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index


class CourseIndexPage(Page):
    """The catalogue: every course an employee can take."""

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types = ["courses.CoursePage"]

    class Meta:
        verbose_name = _("course catalogue")
        verbose_name_plural = _("course catalogues")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["courses"] = CoursePage.objects.live().child_of(self).order_by("path")
        return context


class CoursePage(Page):
    """A course: an ordered set of modules that together lead to a completion."""

    summary = models.CharField(_("summary"), max_length=400)
    description = RichTextField(_("description"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("summary"), FieldPanel("description")]
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("description"),
    ]
    parent_page_types = ["courses.CourseIndexPage"]
    subpage_types = ["modules.ModulePage"]

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["modules"] = Page.objects.live().child_of(self).specific().order_by("path")
        return context
