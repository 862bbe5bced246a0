"""Assignments shown on the learner's pages. A template tag, so that `courses` does not import
`assignments` (the import arrows stay one way)."""

from django import template

from .. import selectors

register = template.Library()


@register.inclusion_tag("assignments/my_assignments.html", takes_context=True)
def my_assignments(context) -> dict:
    user = context["request"].user
    rows = selectors.my_assignments(user=user) if user.is_authenticated else []
    return {
        "to_do": [a for a in rows if a.state in selectors.TO_DO],
        "finished": [a for a in rows if a.state not in selectors.TO_DO],
    }


@register.inclusion_tag("assignments/course_assignment.html", takes_context=True)
def course_assignment(context, course) -> dict:
    user = context["request"].user
    if not user.is_authenticated:
        return {"assignment": None}
    return {"assignment": selectors.my_assignment(user=user, course_id=course.pk)}
