"""Problem reports: keep every report, and tell the responsible person about it once."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from .models import ProblemReport

log = logging.getLogger(__name__)

# A report not yet mailed this long after it was made is picked up again by the sweep (the
# worker was down, the mail server refused it).
RETRY_AFTER = timedelta(minutes=5)


@transaction.atomic
def report_problem(
    *, description: str, page_url: str = "", contact_email: str = ""
) -> ProblemReport:
    """Keep the report; the email to the responsible person goes out once it is committed."""
    from . import tasks

    report = ProblemReport.objects.create(
        description=description, page_url=page_url, contact_email=contact_email
    )
    transaction.on_commit(lambda: tasks.notify_responsible.delay(report.pk))
    return report


def notify_responsible(report_id: int) -> bool:
    """Email the responsible person about one report, unless that was done already.

    The row lock makes two deliveries of the task send one email. A failure to send raises and
    leaves the report unnotified for the sweep. Returns whether an email was sent.
    """
    with transaction.atomic():
        report = ProblemReport.objects.select_for_update().filter(pk=report_id).first()
        if report is None or report.notified_at is not None:
            return False
        address = report.responsible_address()
        if not address:
            log.warning(
                "Accessibility report %s kept, but no responsible address is set", report.pk
            )
            return False
        with override("sv"):
            subject = _("Accessibility problem reported")
            body = render_to_string("accessibility/report_email.txt", {"report": report})
        send_mail(subject, body, None, [address])
        report.notified_at = timezone.now()
        report.notified_to = address
        report.save(update_fields=["notified_at", "notified_to"])
        return True


def notify_pending(*, limit: int = 100) -> int:
    """Send what was missed; a bounded batch per run."""
    cutoff = timezone.now() - RETRY_AFTER
    ids = list(
        ProblemReport.objects.filter(notified_at__isnull=True, created_at__lt=cutoff)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    sent = 0
    for report_id in ids:
        try:
            sent += notify_responsible(report_id)
        except Exception:  # one failing report must not block the rest
            log.exception("Could not email accessibility report %s", report_id)
    return sent
