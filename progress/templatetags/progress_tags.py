"""The learner's own history of a course, for the course page."""

from django import template

from .. import selectors

register = template.Library()


@register.inclusion_tag("progress/course_history.html", takes_context=True)
def course_history(context, course) -> dict:
    user = context["request"].user
    rounds = (
        selectors.course_history(user=user, course_id=course.pk) if user.is_authenticated else []
    )
    # Worth a section once something was completed: a first round in progress is the page itself.
    return {"rounds": rounds if any(r.completed_at for r in rounds) else []}
