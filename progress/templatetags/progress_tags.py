"""The learner's own history of a course, for the course page."""

from django import template

from .. import selectors

register = template.Library()


@register.inclusion_tag("progress/course_history.html", takes_context=True)
def course_history(context, course, state=None) -> dict:
    user = context["request"].user
    progress = getattr(state, "progress", None)
    if state is not None and (
        progress is None or (progress.round == 1 and not progress.completed_at)
    ):
        return {"rounds": []}  # a first round in progress: nothing to look back on, no query
    rounds = (
        selectors.course_history(user=user, course_id=course.pk) if user.is_authenticated else []
    )
    # Worth a section once something was completed: a first round in progress is the page itself.
    return {"rounds": rounds if any(r.completed_at for r in rounds) else []}
