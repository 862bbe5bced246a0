"""Deciding reminders (the sweep), grouping them into one email per person and day (planning),
and sending those emails exactly once (send_due). The only writer of Notice and Delivery.

Exactly once, step by step:

1. `sweep` writes each decision as a Notice with a unique key (`overdue:<assignment>:<week>`
   and so on) with `bulk_create(ignore_conflicts=True)`: running it again, or twice at once,
   adds nothing.
2. `plan_deliveries(day)` gives every notice not yet carried by an email to the person's
   pending Delivery of `day` (unique per person and day), locking those deliveries while it
   does, so a notice is never added to an email that is already being sent.
3. `send_due` claims pending deliveries of today with `SELECT … FOR UPDATE SKIP LOCKED`, marks
   them `sending` and commits *before* sending: another worker can never claim them again, and
   a crash leaves `sending` (reported, never re-sent) instead of a second email.
"""

from __future__ import annotations

import datetime
import logging
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Page

from assignments.selectors import EXPIRED

from . import calendar, emails, selectors
from .models import Delivery, DeliveryStatus, Notice, NoticeKind

logger = logging.getLogger(__name__)

CHUNK = 5000  # assignment ids per slice of the sweep
PLAN_BATCH = 1000  # people per planning transaction
CLAIM_BATCH = 50  # emails claimed at a time by one worker
SEND_RUN_SECONDS = 10 * 60  # one send_due run stops claiming after this (the task runs every 15)
INTERRUPTED_AFTER = datetime.timedelta(hours=1)


@dataclass
class SweepResult:
    created: Counter = field(default_factory=Counter)
    planned: int = 0


@dataclass
class SendResult:
    window_closed: bool = False
    sent: int = 0
    failed: int = 0
    skipped: int = 0


# The sweep -----------------------------------------------------------------------------------


class _Courses:
    """Titles and paths of courses, read once per sweep."""

    def __init__(self) -> None:
        self.info: dict[int, dict] = {}

    def load(self, ids) -> None:
        missing = set(ids) - self.info.keys()
        for page in Page.objects.filter(pk__in=missing):
            parts = page.get_url_parts()
            path = parts[2] if parts and parts[2] else reverse("courses:my_courses")
            self.info[page.pk] = {"course_id": page.pk, "course": page.title, "path": path}

    def __getitem__(self, course_id: int) -> dict:
        return self.info[course_id]


class _Digest:
    """Collects overdue people per unit for the managers' weekly summary (Mondays)."""

    def __init__(self, today: datetime.date) -> None:
        self.today = today
        self.managers: dict[int, list[int]] = defaultdict(list)  # unit → managers to tell
        pairs = selectors.unit_managers_all()
        recipients = selectors.reachable_with_email({m for _u, m in pairs}, today)
        for unit_id, manager_id in pairs:
            if manager_id in recipients:
                self.managers[unit_id].append(manager_id)
        self.rows: dict[int, list[tuple]] = defaultdict(list)  # manager → overdue rows

    def add(self, unit_id, due_on, user_id, assignment_id) -> None:
        for manager_id in self.managers.get(unit_id, ()):
            if manager_id != user_id:  # a manager's own courses come in their own reminder
                self.rows[manager_id].append((due_on, user_id, assignment_id))

    def notices(self) -> list[Notice]:
        week = calendar.iso_week(self.today)
        limit = settings.REMINDER_DIGEST_MAX_PEOPLE
        made = []
        for manager_id, rows in self.rows.items():
            rows.sort()
            people = list(dict.fromkeys(user_id for _due, user_id, _a in rows))
            listed = set(people[:limit])
            payload = {
                "week": week,
                "overdue": [[u, a] for _due, u, a in rows if u in listed],
                "people": len(people),
                "assignments": len(rows),
            }
            made.append(
                Notice(
                    key=f"digest:{manager_id}:{week}",
                    kind=NoticeKind.MANAGER_DIGEST,
                    user_id=manager_id,
                    payload=payload,
                )
            )
        return made


def _save(notices: list[Notice], created: Counter, existing: set[str] | None = None) -> None:
    """Write the notices not yet decided. `existing`: keys already known to exist (None:
    look them up)."""
    if not notices:
        return
    if existing is None:
        existing = set(
            Notice.objects.filter(key__in=[n.key for n in notices]).values_list("key", flat=True)
        )
    new = [n for n in notices if n.key not in existing]
    # ignore_conflicts: a sweep running at the same time may have written the same key.
    Notice.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
    created.update(n.kind for n in new)


def _existing_keys(lo: int, hi: int, today: datetime.date) -> set[str]:
    """Keys of the slice's assignments that today's decisions can repeat: due-soon and overdue
    notices of the last weeks (their keys carry the due date or the week) and every renewal.
    A range query instead of a list of thousands of keys."""
    recent = today - datetime.timedelta(days=settings.REMINDER_DUE_SOON_DAYS + 8)
    return set(
        Notice.objects.filter(assignment_id__gte=lo, assignment_id__lt=hi)
        .filter(Q(kind=NoticeKind.RENEWAL) | Q(created_at__date__gte=recent))
        .values_list("key", flat=True)
    )


def sweep(*, today: datetime.date | None = None) -> SweepResult:
    """Decide today's reminders and plan their emails. Idempotent; safe to run at any time."""
    today = today or calendar.local().date()
    week = calendar.iso_week(today)
    result = SweepResult()
    courses = _Courses()
    digest = _Digest(today) if today.weekday() == 0 else None
    bounds = selectors.assignment_id_range()
    if bounds is not None:
        first, last = bounds
        for lo in range(first, last + 1, CHUNK):
            hi = lo + CHUNK
            notices: list[Notice] = []
            due = list(selectors.due_candidates(today=today, lo=lo, hi=hi))
            renew = list(selectors.renewal_candidates(today=today, lo=lo, hi=hi))
            courses.load({row[2] for row in due} | {row[2] for row in renew})
            for pk, user_id, course_id, due_on, state, unit_id, email in due:
                if selectors.chased_as_overdue(state, due_on, today):
                    if digest is not None:
                        digest.add(unit_id, due_on, user_id, pk)
                    kind, key = NoticeKind.OVERDUE, f"overdue:{pk}:{week}"
                elif state != EXPIRED and due_on >= today:
                    kind, key = NoticeKind.DUE_SOON, f"due_soon:{pk}:{due_on.isoformat()}"
                else:  # a lapsed completion: the renewal notice speaks for it
                    continue
                if email:
                    payload = {**courses[course_id], "due_on": due_on.isoformat()}
                    notices.append(
                        Notice(
                            key=key, kind=kind, user_id=user_id, assignment_id=pk, payload=payload
                        )
                    )
            for pk, user_id, course_id, completion_id, lapses_on in renew:
                payload = {
                    **courses[course_id],
                    "valid_until": lapses_on.isoformat(),
                    "completion_id": completion_id,
                }
                notices.append(
                    Notice(
                        key=f"renewal:{completion_id}",
                        kind=NoticeKind.RENEWAL,
                        user_id=user_id,
                        assignment_id=pk,
                        payload=payload,
                    )
                )
            _save(notices, result.created, _existing_keys(lo, hi, today))
    if digest is not None:
        _save(digest.notices(), result.created)
    result.planned = plan_deliveries(day=calendar.next_send_day(today))
    logger.info("reminder sweep %s: %s, %s planned", today, dict(result.created), result.planned)
    return result


# Planning: one email per person and day --------------------------------------------------------


def _release_stale(day: datetime.date) -> None:
    """Emails planned for an earlier day that were never sent (the send window closed first):
    their notices go to `day`'s email instead, so nobody gets two emails on one day."""
    while True:
        with transaction.atomic():
            stale = list(
                Delivery.objects.select_for_update(skip_locked=True)
                .filter(status=DeliveryStatus.PENDING, day__lt=day)
                .order_by("pk")
                .values_list("pk", flat=True)[:PLAN_BATCH]
            )
            if not stale:
                return
            Notice.objects.filter(delivery_id__in=stale).update(delivery=None)
            Delivery.objects.filter(pk__in=stale).delete()


def plan_deliveries(*, day: datetime.date) -> int:
    """Give every notice not yet in an email to its person's pending email of `day`.
    Returns the number of notices planned. Idempotent."""
    _release_stale(day)
    user_ids = list(
        Notice.objects.filter(delivery__isnull=True)
        .order_by("user_id")
        .values_list("user_id", flat=True)
        .distinct()
    )
    planned = 0
    for start in range(0, len(user_ids), PLAN_BATCH):
        batch = user_ids[start : start + PLAN_BATCH]
        # Id ranges, not lists of ids: the same rows, a short statement.
        people = {"user_id__gte": batch[0], "user_id__lte": batch[-1]}
        with transaction.atomic():
            Delivery.objects.bulk_create(
                [Delivery(user_id=user_id, day=day) for user_id in batch], ignore_conflicts=True
            )
            # Locked until commit: a sender cannot claim these while notices are added, and
            # an email already claimed (sending, sent) gets nothing more; its person's new
            # notices wait for the next day's email.
            pending = list(
                Delivery.objects.select_for_update()
                .filter(day=day, status=DeliveryStatus.PENDING, **people)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            if pending:
                planned += Notice.objects.filter(delivery__isnull=True, **people).update(
                    delivery=Subquery(
                        Delivery.objects.filter(
                            user_id=OuterRef("user_id"), day=day, status=DeliveryStatus.PENDING
                        ).values("pk")[:1]
                    )
                )
    return planned


# Sending ---------------------------------------------------------------------------------------


def _fail_interrupted(now: datetime.datetime) -> None:
    # A worker died between claiming and finishing: the email may or may not have left, and
    # sending it again could make it two. Say so instead of guessing.
    Delivery.objects.filter(
        status=DeliveryStatus.SENDING, claimed_at__lt=now - INTERRUPTED_AFTER
    ).update(
        status=DeliveryStatus.FAILED,
        error="Interrupted while sending: the email may not have been delivered.",
    )


def _claim(day: datetime.date, size: int) -> list[int]:
    with transaction.atomic():
        ids = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(status=DeliveryStatus.PENDING, day=day)
            .order_by("user_id")
            .values_list("pk", flat=True)[:size]
        )
        if ids:
            Delivery.objects.filter(pk__in=ids).update(
                status=DeliveryStatus.SENDING, claimed_at=timezone.now()
            )
    # Committed: from here on no other worker can claim these emails.
    return ids


def _finish(delivery_id: int, status: str, error: str = "") -> None:
    Delivery.objects.filter(pk=delivery_id, status=DeliveryStatus.SENDING).update(
        status=status,
        error=error[:2000],
        sent_at=timezone.now() if status == DeliveryStatus.SENT else None,
    )


def _send_batch(ids: list[int], today: datetime.date, result: SendResult) -> bool:
    """Send the claimed emails. False if the mail server could not be reached at all."""
    messages = emails.build(ids, today)
    connection = get_connection()
    try:
        connection.open()
    except Exception as error:
        # Nothing left: the emails may safely wait for the next run.
        logger.exception("reminders: cannot reach the mail server")
        Delivery.objects.filter(pk__in=ids, status=DeliveryStatus.SENDING).update(
            status=DeliveryStatus.PENDING, claimed_at=None, error=str(error)[:2000]
        )
        return False
    try:
        for delivery_id in ids:
            message, reason = messages[delivery_id]
            if message is None:
                _finish(delivery_id, DeliveryStatus.SKIPPED, reason)
                result.skipped += 1
                continue
            message.connection = connection
            try:
                message.send()
            except Exception as error:
                logger.warning("reminders: email %s failed: %s", delivery_id, error)
                _finish(delivery_id, DeliveryStatus.FAILED, f"{type(error).__name__}: {error}")
                result.failed += 1
            else:
                _finish(delivery_id, DeliveryStatus.SENT)
                result.sent += 1
    finally:
        connection.close()
    return True


def send_due(*, now: datetime.datetime | None = None, batch: int = CLAIM_BATCH) -> SendResult:
    """Send today's reminder emails, if now is within the send window. Safe to run on any
    number of workers at once: each email is claimed by exactly one of them."""
    now = now or timezone.now()
    if not calendar.in_send_window(now):
        return SendResult(window_closed=True)
    today = calendar.local(now).date()
    _fail_interrupted(now)
    plan_deliveries(day=today)
    result = SendResult()
    deadline = time.monotonic() + SEND_RUN_SECONDS
    while time.monotonic() < deadline:
        ids = _claim(today, batch)
        if not ids or not _send_batch(ids, today, result):
            break
    if result.sent or result.failed or result.skipped:
        logger.info(
            "reminders sent %s, failed %s, skipped %s", result.sent, result.failed, result.skipped
        )
    return result
