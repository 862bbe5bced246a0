from django.utils.translation import gettext_lazy as _

from people.gdpr import Provider


def extract(user) -> list[dict]:
    from .models import Assignment
    from .selectors import STATE_LABELS, with_state

    rows = with_state(Assignment.objects.filter(user=user)).select_related("course")
    return [
        {
            "course": a.course.title,
            "assigned_at": a.assigned_at.isoformat(),
            "due_on": a.due_on.isoformat(),
            "state": str(STATE_LABELS[a.state]),
            "ended_at": a.ended_at.isoformat() if a.ended_at else None,
            "exempted_at": a.exempted_at.isoformat() if a.exempted_at else None,
            "exemption_reason": a.exemption_reason,
        }
        for a in rows.order_by("assigned_at")
    ]


def anonymise(user) -> None:
    from .models import Assignment

    # Assignments stay (they count in historical coverage); the free-text reason may name
    # circumstances of the person, so it goes.
    Assignment.objects.filter(user=user).update(exemption_reason="")


PROVIDER = Provider(
    key="assignments", title=_("Assigned courses"), extract=extract, anonymise=anonymise
)
