from wagtail.admin.panels import Panel
from wagtail.models import Page


class CourseStructurePanel(Panel):
    """The course's modules at a glance in the editor: order, state, requirement and length."""

    @property
    def clean_name(self):
        return super().clean_name or "course_structure"

    class BoundPanel(Panel.BoundPanel):
        template_name = "courses/admin/course_structure_panel.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            page = self.instance
            modules = (
                list(Page.objects.child_of(page).specific().order_by("path")) if page.pk else []
            )
            context["modules"] = modules
            context["total_minutes"] = sum(getattr(m, "estimated_minutes", 0) for m in modules)
            context["course"] = page
            return context
