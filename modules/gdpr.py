from django.utils.translation import gettext_lazy as _
from wagtail.models import Page

from people.gdpr import Provider, register

from .models import FilmProgress, ReflectionAnswer


def extract_films(user) -> list[dict]:
    rows = list(FilmProgress.objects.filter(user=user).select_related("film"))
    titles = dict(
        Page.objects.filter(pk__in={r.module_id for r in rows}).values_list("pk", "title")
    )
    return [
        {
            "module": titles.get(r.module_id),
            "film": r.film.title if r.film else None,
            "seconds_played": round(r.seconds_played, 1),
            "watched": r.watched_at.isoformat() if r.watched_at else None,
            "transcript_read": r.transcript_read_at.isoformat() if r.transcript_read_at else None,
        }
        for r in rows
    ]


def extract_reflections(user) -> list[dict]:
    rows = list(ReflectionAnswer.objects.filter(user=user).order_by("created_at"))
    titles = dict(
        Page.objects.filter(pk__in={r.module_id for r in rows}).values_list("pk", "title")
    )
    return [
        {"module": titles.get(r.module_id), "answer": r.text, "saved": r.updated_at.isoformat()}
        for r in rows
    ]


def anonymise_reflections(user) -> None:
    # Free text can say anything about anyone: it goes when the person is anonymised.
    ReflectionAnswer.objects.filter(user=user).delete()


def register_providers() -> None:
    register(Provider("films", _("Films watched"), extract_films))
    register(
        Provider("reflections", _("Your reflections"), extract_reflections, anonymise_reflections)
    )
