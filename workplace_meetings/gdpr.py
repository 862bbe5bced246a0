"""Workplace meetings in the register extract: the meetings a person was on the list of."""

from django.utils.translation import gettext_lazy as _

from people.gdpr import Provider


def extract(user) -> list[dict]:
    from .models import Attendance

    return [
        {
            "date": row.meeting.date.isoformat(),
            "module": row.meeting.module.title,
            "unit": row.meeting.unit.name,
            "present": row.present,
            "guest": row.is_guest,
        }
        for row in Attendance.objects.filter(user=user)
        .select_related("meeting__module", "meeting__unit")
        .order_by("meeting__date", "pk")
    ]


# Nothing to anonymise: attendance names nobody but the person (whose name goes with the
# account), and the meeting's notes are about the meeting, not about people.
PROVIDER = Provider(
    key="workplace_meetings",
    title=_("Workplace meetings"),
    extract=extract,
    labels={"module": _("Module"), "present": _("Present"), "guest": _("Guest")},
)
