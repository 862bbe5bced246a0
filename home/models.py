from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

from lms.content_cache import CachedRouteMixin, CachedViewRestrictionsMixin


class HomePage(CachedRouteMixin, CachedViewRestrictionsMixin, Page):
    """The root of the site: what the platform is, and the way in to the catalogue."""

    # Shown to visitors who are not logged in; every other page type is private by default.
    is_public = True

    intro = models.CharField(_("introduction"), max_length=300, blank=True)
    body = RichTextField(
        _("body"), blank=True, features=["h2", "h3", "bold", "italic", "link", "ol", "ul"]
    )

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("body")]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = [
        "courses.CourseIndexPage",
        "accessibility.AccessibilityStatementPage",
        "external_organisations.DiplomatedOrganisationsPage",
    ]
    max_count = 1

    class Meta:
        verbose_name = _("home page")
        verbose_name_plural = _("home pages")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        from lms import content_cache

        # The catalogue's address changes only on publish: from the content cache, for the
        # link on the page and the menu's (courses.templatetags.course_tags.catalogue_url).
        found = content_cache.catalogue_address()
        context["catalogue_url"] = found[1] if found else ""
        request._catalogue_url = context["catalogue_url"]
        return context
