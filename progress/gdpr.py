from django.utils.translation import gettext_lazy as _
from wagtail.models import Page

from people.gdpr import Provider, register

from .models import Completion, CourseProgress, ModuleProgress


def _titles(ids) -> dict[int, str]:
    return dict(Page.objects.filter(pk__in=set(ids)).values_list("pk", "title"))


def extract_courses(user) -> list[dict]:
    rounds = list(CourseProgress.objects.filter(user=user).order_by("started_at"))
    modules = list(ModuleProgress.objects.filter(course_progress__in=rounds))
    titles = _titles([r.course_id for r in rounds] + [m.module_id for m in modules])
    return [
        {
            "course": titles.get(r.course_id),
            "round": r.round,
            "started": r.started_at.isoformat(),
            "completed": r.completed_at.isoformat() if r.completed_at else None,
            "modules": [
                {
                    "module": titles.get(m.module_id),
                    "started": m.started_at.isoformat(),
                    "completed": m.completed_at.isoformat() if m.completed_at else None,
                }
                for m in modules
                if m.course_progress_id == r.pk
            ],
        }
        for r in rounds
    ]


def extract_completions(user) -> list[dict]:
    completions = list(Completion.objects.filter(user=user).order_by("completed_at"))
    titles = _titles([c.course_id for c in completions])
    return [
        {
            "course": titles.get(c.course_id),
            "completed": c.completed_at.isoformat(),
            "valid_until": c.valid_until.isoformat() if c.valid_until else None,
        }
        for c in completions
    ]


def register_providers() -> None:
    register(Provider("courses", _("Courses and modules"), extract_courses))
    register(Provider("completions", _("Completed courses"), extract_completions))
