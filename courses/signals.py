"""Keep a course's computed length in step with its modules."""

from __future__ import annotations

from django.db.models.signals import post_delete
from wagtail.signals import page_published, page_unpublished, post_page_move

from . import services


def _refresh_parent_of(page) -> None:
    from modules.models import ModulePage

    if isinstance(page, ModulePage) or getattr(page, "specific_class", None) is ModulePage:
        parent = page.get_parent()
        if parent is not None:
            services.course_length_refresh(course_id=parent.pk)


def on_publish_change(sender, instance, **kwargs) -> None:
    from .models import CoursePage

    if isinstance(instance, CoursePage):
        # A course revision carries an old computed length: recompute it.
        services.course_length_refresh(course_id=instance.pk)
    else:
        _refresh_parent_of(instance)


def on_module_deleted(sender, instance, **kwargs) -> None:
    parent_path = instance.path[: -instance.steplen]
    from wagtail.models import Page

    parent = Page.objects.filter(path=parent_path).only("pk").first()
    if parent is not None:
        services.course_length_refresh(course_id=parent.pk)


def on_move(sender, instance, parent_page_before, parent_page_after, **kwargs) -> None:
    from modules.models import ModulePage

    if instance.specific_class is ModulePage:
        for parent in {parent_page_before.pk, parent_page_after.pk}:
            services.course_length_refresh(course_id=parent)


def connect() -> None:
    from modules.models import ModulePage

    page_published.connect(on_publish_change, dispatch_uid="courses_length_published")
    page_unpublished.connect(on_publish_change, dispatch_uid="courses_length_unpublished")
    post_delete.connect(on_module_deleted, sender=ModulePage, dispatch_uid="courses_length_del")
    post_page_move.connect(on_move, dispatch_uid="courses_length_moved")
