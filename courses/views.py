from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from . import selectors


def my_courses(request: HttpRequest) -> HttpResponse:
    """Mina kurser: what the learner has started and finished, and where to go next."""
    states = selectors.my_course_states(user=request.user)
    return TemplateResponse(
        request,
        "courses/my_courses.html",
        {
            "in_progress": [s for s in states if s.status == "in_progress"],
            "completed": [s for s in states if s.status == "completed"],
        },
    )
