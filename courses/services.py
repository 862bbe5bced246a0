"""Course upkeep that follows its modules: the stated length."""

from __future__ import annotations

from django.apps import apps
from django.db.models import Sum
from wagtail.models import Page


def course_length_refresh(*, course_id: int) -> int:
    """Store the sum of the live required modules' minutes on the course (what the course
    page and the catalogue show unless the editor set a length by hand). One update, no
    revision: it is derived data, not an edit."""
    CoursePage = apps.get_model("courses", "CoursePage")
    ModulePage = apps.get_model("modules", "ModulePage")
    course = Page.objects.filter(pk=course_id).only("path", "depth").first()
    if course is None:
        return 0
    minutes = (
        ModulePage.objects.child_of(course)
        .live()
        .filter(is_required=True)
        .aggregate(total=Sum("estimated_minutes"))["total"]
        or 0
    )
    CoursePage.objects.filter(pk=course_id).update(computed_minutes=minutes)
    return minutes


def modules_after_final_test(modules: list) -> list:
    """Required modules placed after the last module that holds a required quiz (the final
    test): a learner would have to do them after the test, which is rarely what the editor
    meant. `modules` are the course's specific child pages in order."""
    last_test = None
    for index, module in enumerate(modules):
        body = getattr(module, "body", None)
        if body is not None and any(
            block["type"] == "quiz" and block["value"].get("required") for block in body.raw_data
        ):
            last_test = index
    if last_test is None:
        return []
    return [m for m in modules[last_test + 1 :] if getattr(m, "is_required", False)]
