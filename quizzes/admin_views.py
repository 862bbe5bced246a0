from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse

from . import selectors
from .models import Quiz


@permission_required("quizzes.view_quizattempt", raise_exception=True)
def pass_rates(request: HttpRequest) -> HttpResponse:
    """For HR and editors: how many learners tried each quiz and how many passed."""
    courses = selectors.courses_by_quiz()
    rates = [(rate, courses.get(rate.quiz.pk, [])) for rate in selectors.pass_rates()]
    rates.sort(key=lambda item: (item[1] or ["~"], item[0].quiz.title))
    return TemplateResponse(request, "quizzes/admin/pass_rates.html", {"rates": rates})


@permission_required("quizzes.view_quizattempt", raise_exception=True)
def question_statistics(request: HttpRequest, quiz_id: int) -> HttpResponse:
    """For editors: how each question was answered, to find unclear or too easy questions."""
    quiz = get_object_or_404(Quiz, pk=quiz_id)
    return TemplateResponse(
        request,
        "quizzes/admin/question_statistics.html",
        {"quiz": quiz, "stats": selectors.question_statistics(quiz=quiz)},
    )
