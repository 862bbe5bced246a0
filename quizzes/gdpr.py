from django.utils.translation import gettext_lazy as _

from people.gdpr import Provider, register

from .models import QuizAttempt


def extract_attempts(user) -> list[dict]:
    return [
        {
            "quiz": a.snapshot.get("title"),
            "attempt": a.number,
            "started": a.started_at.isoformat(),
            "submitted": a.submitted_at.isoformat() if a.submitted_at else None,
            "score_percent": float(a.score_percent) if a.score_percent is not None else None,
            "passed": a.passed,
            "answers": {
                q["text"]: [
                    c["text"] for c in q["choices"] if c["key"] in a.answers.get(q["key"], [])
                ]
                for q in a.snapshot["questions"]
            },
        }
        for a in QuizAttempt.objects.filter(user=user).order_by("started_at")
    ]


def register_providers() -> None:
    register(Provider("quiz_attempts", _("Quiz attempts"), extract_attempts))
