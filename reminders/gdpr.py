"""Reminders in the register extract, and what anonymisation removes from them."""

from django.utils.translation import gettext_lazy as _

from people.gdpr import Provider


def extract(user) -> list[dict]:
    from .models import Delivery, Notice, NoticeKind

    emails = {d.pk: d for d in Delivery.objects.filter(user=user).order_by("day")}
    rows = []
    for notice in Notice.objects.filter(user=user).order_by("created_at", "pk"):
        payload = notice.payload or {}
        delivery = emails.get(notice.delivery_id)
        row = {
            "kind": str(NoticeKind(notice.kind).label),
            "decided_at": notice.created_at.isoformat(),
            "email_day": delivery.day.isoformat() if delivery else None,
            "email_status": str(delivery.get_status_display()) if delivery else None,
            "email_sent_at": delivery.sent_at.isoformat()
            if delivery and delivery.sent_at
            else None,
        }
        if notice.kind == NoticeKind.MANAGER_DIGEST:
            # A manager's summary names other people: the extract says how many, not who.
            row["people_listed"] = payload.get("people", 0)
        else:
            row["course"] = payload.get("course")
            row["due_on"] = payload.get("due_on")
            row["valid_until"] = payload.get("valid_until")
        rows.append(row)
    return rows


def anonymise(user) -> None:
    from .models import Delivery, Notice

    # The record that reminders were sent stays (dates, kinds, status); their content goes.
    Notice.objects.filter(user=user).update(payload={})
    # Mail server errors may quote the address.
    Delivery.objects.filter(user=user).update(error="")


PROVIDER = Provider(key="reminders", title=_("Reminders"), extract=extract, anonymise=anonymise)
