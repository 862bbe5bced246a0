from collections.abc import Callable

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from wagtail import hooks
from wagtail.models import Page

from progress.selectors import pages_with_progress


def register_deletion_guard(is_kept: Callable[[Page], bool], message: Callable[[], str]) -> None:
    """Refuse to delete pages that learners' records point at, one by one and in bulk, with
    a message instead of an error. `message()` returns a translated text with %(title)s."""

    def refuse(request, page: Page) -> None:
        messages.error(request, message() % {"title": page.get_admin_display_title()})

    @hooks.register("before_delete_page")
    def keep_page(request, page):
        if request.method == "POST" and is_kept(page):
            refuse(request, page)
            return redirect("wagtailadmin_pages:edit", page.pk)
        return None

    @hooks.register("before_bulk_action")
    def keep_pages_in_bulk(request, action_type, objects, action_class_instance):
        if action_type != "delete" or request.method != "POST":
            return None
        kept = [page for page in objects if isinstance(page, Page) and is_kept(page)]
        for page in kept:
            refuse(request, page)
        return redirect("wagtailadmin_explore", kept[0].get_parent().pk) if kept else None


# Learners' records point at courses and modules: unpublish those instead of deleting.
register_deletion_guard(
    lambda page: bool(pages_with_progress(page)),
    lambda: _(
        "“%(title)s” cannot be deleted because learners have progress in it. "
        "Unpublish it instead: learners keep their records and it disappears from "
        "the catalogue."
    ),
)


def _warn_if_after_final_test(request, page) -> None:
    """Right after an editor saves a module: say so when it lands after the final test."""
    from modules.models import ModulePage

    from .services import modules_after_final_test

    if not isinstance(page.specific, ModulePage):
        return
    parent = page.get_parent()
    siblings = list(Page.objects.child_of(parent).specific().order_by("path"))
    if any(m.pk == page.pk for m in modules_after_final_test(siblings)):
        messages.warning(
            request,
            _(
                "The module “%(title)s” comes after the final test and is required: learners "
                "must complete it after passing the test. Move it before the module with the "
                "final test, or make it optional."
            )
            % {"title": page.get_admin_display_title()},
        )


@hooks.register("after_create_page")
def warn_new_module_after_final_test(request, page):
    _warn_if_after_final_test(request, page)


@hooks.register("after_edit_page")
def warn_edited_module_after_final_test(request, page):
    _warn_if_after_final_test(request, page)
