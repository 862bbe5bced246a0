from django.contrib import messages
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from . import admin_views
from .models import Question, Quiz, QuizAttempt, QuizQuestion


class StatisticsColumn(Column):
    cell_template_name = "quizzes/admin/statistics_cell.html"


class QuizViewSet(SnippetViewSet):
    model = Quiz
    icon = "tasks"
    menu_label = _("Quizzes")
    list_display = [
        "title",
        "pass_mark_percent",
        "max_attempts",
        StatisticsColumn("statistics", label=_("Statistics")),
    ]
    search_fields = ["title"]


class QuestionViewSet(SnippetViewSet):
    model = Question
    icon = "help"
    menu_label = _("Question bank")
    list_display = ["text", "kind"]
    list_filter = ["kind"]
    search_fields = ["text"]


class QuizGroup(SnippetViewSetGroup):
    items = (QuizViewSet, QuestionViewSet)
    menu_icon = "tasks"
    menu_label = _("Quizzes")
    menu_order = 240


register_snippet(QuizGroup)


@hooks.register("register_admin_urls")
def register_quiz_report_urls():
    return [
        path("quiz-results/", admin_views.pass_rates, name="quiz_pass_rates"),
        path(
            "quiz-results/<int:quiz_id>/", admin_views.question_statistics, name="quiz_statistics"
        ),
    ]


class QuizResultsMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("quizzes.view_quizattempt")


@hooks.register("register_reports_menu_item")
def register_quiz_results_menu_item():
    return QuizResultsMenuItem(
        _("Quiz results"), reverse("quiz_pass_rates"), icon_name="tasks", order=700
    )


@hooks.register("before_delete_snippet")
def keep_quizzes_with_attempts_and_questions_in_use(request, instances):
    """Learners' attempts point at quizzes and quizzes at questions: say so instead of failing."""
    blocked = []
    for instance in instances:
        if isinstance(instance, Quiz) and QuizAttempt.objects.filter(quiz=instance).exists():
            blocked.append(
                gettext("“%(title)s” has learners' attempts and cannot be deleted.")
                % {"title": instance}
            )
        elif (
            isinstance(instance, Question)
            and QuizQuestion.objects.filter(question=instance).exists()
        ):
            blocked.append(
                gettext("The question “%(title)s” is used in a quiz: remove it there first.")
                % {"title": instance}
            )
    if blocked and request.method == "POST":
        for message in blocked:
            messages.error(request, message)
        return redirect(request.META.get("HTTP_REFERER") or "wagtailadmin_home")
    return None
