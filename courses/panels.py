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
            from .services import modules_after_final_test

            context["modules"] = modules
            context["total_minutes"] = sum(getattr(m, "estimated_minutes", 0) for m in modules)
            context["required_minutes"] = sum(
                getattr(m, "estimated_minutes", 0)
                for m in modules
                if m.live and getattr(m, "is_required", False)
            )
            after = modules_after_final_test(modules)
            context["after_test_ids"] = {m.pk for m in after}
            context["after_test"] = after
            context["course"] = page
            return context
