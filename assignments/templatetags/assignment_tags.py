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
    row = None
    if user.is_authenticated:
        row = (
            selectors.with_state(selectors.open_assignments().filter(user=user, course=course))
            .only("due_on", "exempted_at")
            .first()
        )
        if row is not None:
            row.state_label = selectors.STATE_LABELS[row.state]
    return {"assignment": row}
