from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from wagtail import hooks
from wagtail.models import Page

from progress.selectors import pages_with_progress


def _refuse_deletion(request, page: Page) -> None:
    messages.error(
        request,
        _(
            "“%(title)s” cannot be deleted because learners have progress in it. "
            "Unpublish it instead: learners keep their records and it disappears from "
            "the catalogue."
        )
        % {"title": page.get_admin_display_title()},
    )


@hooks.register("before_delete_page")
def keep_pages_that_have_progress(request, page):
    """Learners' records point at courses and modules: unpublish those instead of deleting."""
    if request.method == "POST" and pages_with_progress(page):
        _refuse_deletion(request, page)
        return redirect("wagtailadmin_pages:edit", page.pk)
    return None


@hooks.register("before_bulk_action")
def keep_pages_that_have_progress_in_bulk(request, action_type, objects, action_class_instance):
    if action_type != "delete" or request.method != "POST":
        return None
    kept = [page for page in objects if isinstance(page, Page) and pages_with_progress(page)]
    for page in kept:
        _refuse_deletion(request, page)
    return redirect("wagtailadmin_explore", kept[0].get_parent().pk) if kept else None
