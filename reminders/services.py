"""Deciding reminders (the sweep), grouping them into one email per person and day (planning),
and sending those emails exactly once (send_due). The only writer of Notice and Delivery.

Exactly once, step by step:

1. `sweep` writes each decision as a Notice with a unique key (`overdue:<assignment>:<week>`
   and so on), one `INSERT … SELECT … ON CONFLICT (key) DO NOTHING` per slice: running it
   again, or twice at once, adds nothing.
2. `plan_deliveries(day)` gives every notice not yet carried by an email to the person's
   pending Delivery of `day` (unique per person and day), locking those deliveries while it
   does, so a notice is never added to an email that is already being sent.
3. `send_due` takes one email at a time: it locks one pending delivery of today with
   `SELECT … FOR UPDATE SKIP LOCKED`, writes the email, marks it `sending` (with the worker and
   the time) and commits just before handing it to the mail server, then marks it `sent`. A
   worker that dies before that commit leaves nothing behind (the database rolls the claim
   back: the email is still waiting, for any worker); one that dies after it leaves that one
   email `sending`, which `recover_claims` marks *in doubt* once the worker is gone. In doubt is
   never resent automatically: it may have arrived, and sending again could make it two.
"""

from __future__ import annotations

import datetime
import json
import logging
import os
import smtplib
import socket
import time
from collections import Counter, defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.message import sanitize_address
from django.db import connection, transaction
from django.db.models import BooleanField, ExpressionWrapper, F, OuterRef, Q, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.functions import Now
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop
from wagtail.models import Page

from assignments.selectors import EXPIRED
from people.models import OrgUnit

from . import calendar, emails, selectors
from .models import Delivery, DeliveryStatus, Notice, NoticeKind

logger = logging.getLogger(__name__)

CHUNK = 50_000  # assignment ids per slice of the sweep
PLAN_BATCH = 10_000  # people per planning transaction
SEND_RUN_SECONDS = 10 * 60  # one send_due run stops claiming after this (the task runs every 15)
# The send task's time limits (tasks.py): soft two minutes after a run stops claiming, hard one
# minute later, when the pool kills the worker process. So no living worker holds a claim longer
# than SEND_TIME_LIMIT, and a claim older than that is certainly orphaned.
SEND_SOFT_TIME_LIMIT = SEND_RUN_SECONDS + 2 * 60
SEND_TIME_LIMIT = SEND_SOFT_TIME_LIMIT + 60

# Notes for HR's report, stored in English and translated when shown (admin_views).
IN_DOUBT = gettext_noop(
    "Interrupted while being handed to the mail server: it may or may not have arrived. "
    "It is not sent again automatically."
)
NOT_WRITTEN = gettext_noop("The email could not be written.")
TRY_LATER = gettext_noop(
    "The mail server asked to try again later; the email waits for the next send run."
)


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
    in_doubt: int = 0  # handing over failed midway in this run
    deferred: int = 0  # the mail server said "later" (4xx): waiting again
    recovered: int = 0  # left `sending` by a worker that is gone, now in doubt


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

    def decisions(self) -> list[tuple]:
        """The summaries as rows for `_save`."""
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
            key = f"digest:{manager_id}:{week}"
            made.append((key, NoticeKind.MANAGER_DIGEST.value, manager_id, None, payload))
        return made


def hr_goal_decisions(today: datetime.date) -> list[tuple]:
    """HR's weekly alert: for each coverage goal whose forecast misses the deadline, or whose
    coverage is under the target after the deadline, one notice per HR user whose scope holds
    the goal's unit, per ISO week (the key). A constant number of queries for all goals."""
    from reports import forecast
    from reports.models import CoverageGoal

    goals = list(CoverageGoal.objects.select_related("unit", "course"))
    if not goals:
        return []
    week = calendar.iso_week(today)
    scopes = selectors.hr_scopes()
    result = forecast.forecast_goals(goals, roots=list(OrgUnit.get_root_nodes()), today=today)
    made = []
    for item in result:
        goal = item.goal
        for unit_forecast in item.overall:
            late = today > goal.deadline and unit_forecast.status not in (
                forecast.REACHED,
                forecast.NOBODY,
            )
            if not (unit_forecast.misses or late):
                continue
            unit = unit_forecast.unit
            payload = {
                "goal": goal.name,
                "target": goal.target_percent,
                "deadline": goal.deadline.isoformat(),
                "course_id": goal.course_id,
                "unit_id": unit.pk,
                "unit": unit.name,
                "coverage": unit_forecast.coverage,
                "status": "after_deadline" if late else unit_forecast.status,
                "reaches_on": (
                    unit_forecast.reaches_on.isoformat() if unit_forecast.reaches_on else None
                ),
                "missing": len(item.missing),
            }
            for user_id, scope_path in scopes:
                if unit.path.startswith(scope_path):
                    key = f"hr_goal:{goal.pk}:{unit.pk}:{user_id}:{week}"
                    made.append((key, NoticeKind.HR_GOAL.value, user_id, None, payload))
    return made


def group_module_decisions(today: datetime.date) -> list[tuple]:
    """Managers' monthly reminder: one notice per manager and month (the key) listing their
    units that have not held a required group module at a workplace meeting in the period and
    have none planned. Only reachable managers with an email address. A constant number of
    queries (workplace_meetings.selectors.units_missing_group_modules)."""
    from workplace_meetings.selectors import units_missing_group_modules

    missing = units_missing_group_modules(today)
    if not missing:
        return []
    reachable = selectors.reachable_with_email({m for m, *_rest in missing}, today)
    month = today.strftime("%Y-%m")
    items: dict[int, list[dict]] = {}
    for manager_id, unit_id, unit_name, module_id, module_title in missing:
        if manager_id in reachable:
            items.setdefault(manager_id, []).append(
                {
                    "unit_id": unit_id,
                    "unit": unit_name,
                    "module_id": module_id,
                    "module": module_title,
                }
            )
    return [
        (
            f"group_module:{manager_id}:{month}",
            NoticeKind.GROUP_MODULE.value,
            manager_id,
            None,
            {"items": rows},
        )
        for manager_id, rows in items.items()
    ]


_INSERT = (
    "INSERT INTO {table} (key, kind, user_id, assignment_id, payload, created_at) "
    "SELECT {columns}, %s FROM {rows} WHERE true "  # WHERE: SQLite's INSERT … SELECT … ON CONFLICT
    "ON CONFLICT (key) DO NOTHING RETURNING kind"
)
# The rows travel as one JSON array of [key, kind, user id, assignment id, payload]: a single
# parameter, cheap to send, read as a table by either database.
_ROWS = {
    "postgresql": (
        "value ->> 0, value ->> 1, (value ->> 2)::bigint, (value ->> 3)::bigint, "
        "(value -> 4)::jsonb",
        "json_array_elements(%s::json) AS r(value)",
    ),
    "sqlite": ("value ->> 0, value ->> 1, value ->> 2, value ->> 3, value -> 4", "json_each(%s)"),
}


def _save(rows: list[list], created: Counter) -> None:
    """Write the decisions not yet made, in one statement: rows of [key, kind, user id,
    assignment id, payload]. The unique key decides: a decision made before, or by a sweep
    running at the same time, is left as it is (ON CONFLICT DO NOTHING) and not counted."""
    if not rows:
        return
    columns, source = _ROWS[connection.vendor]
    sql = _INSERT.format(table=Notice._meta.db_table, columns=columns, rows=source)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(sql, [now, json.dumps(rows)])
        created.update(NoticeKind(kind) for (kind,) in cursor.fetchall())


def _batch_settings() -> None:
    """For this transaction only (PostgreSQL). The slice queries are cheap but look expensive
    to the planner, which would spend longer compiling them (JIT) than running them. The
    commit need not wait for the disk: a sweep lost in a crash is decided again by the next
    run (idempotent), and any later durable commit (a sender's claim) makes this one durable
    first."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off; SET LOCAL synchronous_commit = off")


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
            rows: list[tuple] = []
            # One transaction per slice: its decisions are written together or not at all.
            with transaction.atomic():
                _batch_settings()
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
                        rows.append((key, kind.value, user_id, pk, payload))
                for pk, user_id, course_id, completion_id, lapses_on in renew:
                    payload = {
                        **courses[course_id],
                        "valid_until": lapses_on.isoformat(),
                        "completion_id": completion_id,
                    }
                    rows.append(
                        (f"renewal:{completion_id}", NoticeKind.RENEWAL.value, user_id, pk, payload)
                    )
                _save(rows, result.created)
    if digest is not None:
        _save(digest.decisions(), result.created)
    _save(hr_goal_decisions(today), result.created)
    _save(group_module_decisions(today), result.created)
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


_NEW_DELIVERIES = (
    "INSERT INTO {delivery} (user_id, day, status, created_at, claimed_by, error) "
    "SELECT DISTINCT user_id, %s, %s, %s, '', '' FROM {notice} "
    "WHERE delivery_id IS NULL AND user_id >= %s AND user_id <= %s "
    "ON CONFLICT (user_id, day) DO NOTHING"
)


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
    tables = {"notice": Notice._meta.db_table, "delivery": Delivery._meta.db_table}
    sql_day = connection.ops.adapt_datefield_value(day)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    for start in range(0, len(user_ids), PLAN_BATCH):
        batch = user_ids[start : start + PLAN_BATCH]
        # Id ranges, not lists of ids: the same rows, a short statement.
        people = {"user_id__gte": batch[0], "user_id__lte": batch[-1]}
        with transaction.atomic():
            _batch_settings()
            # Set-based: the emails of the people in the batch who have undelivered notices,
            # then the notices given to them.
            with connection.cursor() as cursor:
                cursor.execute(
                    _NEW_DELIVERIES.format(**tables),
                    [sql_day, DeliveryStatus.PENDING.value, now, batch[0], batch[-1]],
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


def _worker() -> str:
    # Read at every claim: a prefork pool's children each have their own pid.
    return f"{socket.gethostname()}:{os.getpid()}"[:255]


def _session():
    # The PostgreSQL session the claim is made in: it ends when the worker's process dies.
    return RawSQL("pg_backend_pid()", []) if connection.vendor == "postgresql" else None


def recover_claims() -> int:
    """Mark in doubt the emails left `sending` by a worker that is gone. Returns how many.

    A claim is recovered when it is older than REMINDER_CLAIM_TIMEOUT and its owner is gone:
    its database session has ended (on PostgreSQL, where sessions can be seen), or the claim
    is older than the send task's hard time limit (no living task can be). Only the one email a
    worker was handing over can be in this state: emails it had not yet reached were never
    claimed in a committed transaction and are still waiting. Run at the start of every send
    run, so nothing stays `sending`; never resent, so never two.
    """
    timeout = datetime.timedelta(seconds=settings.REMINDER_CLAIM_TIMEOUT)
    ceiling = datetime.timedelta(seconds=SEND_TIME_LIMIT)
    # The database's clock decides ages, the same clock that stamped the claims.
    rows = list(
        Delivery.objects.filter(status=DeliveryStatus.SENDING, claimed_at__lt=Now() - timeout)
        .annotate(
            past_ceiling=ExpressionWrapper(
                Q(claimed_at__lt=Now() - ceiling), output_field=BooleanField()
            )
        )
        .values_list("pk", "claim_session", "claimed_at", "past_ceiling")
    )
    if not rows:
        return 0
    sessions = selectors.live_sessions({s for _pk, s, _at, _past in rows if s is not None})
    gone = [
        pk
        for pk, session, claimed_at, past_ceiling in rows
        # A session that started after the claim is another process's (pids are reused).
        if past_ceiling or session not in sessions or sessions[session] > claimed_at
    ]
    # `status=SENDING` again: the owner may have finished meanwhile.
    recovered = Delivery.objects.filter(pk__in=gone, status=DeliveryStatus.SENDING).update(
        status=DeliveryStatus.IN_DOUBT, error=IN_DOUBT
    )
    if recovered:
        logger.warning("reminders: %s email(s) left by a stopped worker marked in doubt", recovered)
    return recovered


def _render(message: EmailMultiAlternatives) -> None:
    """Do now what the mail backend does before it talks to the mail server (check the
    addresses, render the MIME message), so that an email that cannot be written fails here,
    alone, and never counts as in doubt."""
    encoding = message.encoding or settings.DEFAULT_CHARSET
    for address in [message.from_email, *message.recipients()]:
        sanitize_address(address, encoding)  # ValueError for a malformed address
    message.message().as_bytes(linesep="\r\n")


def _smtp_codes(error: smtplib.SMTPException) -> list[int]:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return [code for code, _text in error.recipients.values()]
    return [getattr(error, "smtp_code", 0)]


@dataclass
class _Claim:
    delivery_id: int
    worker: str
    message: EmailMultiAlternatives


def _claim_next(
    day: datetime.date, result: SendResult, *, exclude: Collection[int] = ()
) -> _Claim | None:
    """Claim and write the next waiting email of `day` (not one of `exclude`); None when none
    is left. Emails the mail server deferred come last, the longest deferred first, so that
    one mailbox that stays full never holds up the others.

    The delivery stays locked (other workers pass it by: SKIP LOCKED) while its email is
    written and is marked `sending` in the same transaction. A worker that dies before the
    commit loses nothing: the database rolls the claim back and the email is still waiting.
    """
    while True:
        with transaction.atomic():
            delivery_id = (
                Delivery.objects.select_for_update(skip_locked=True)
                .filter(status=DeliveryStatus.PENDING, day=day)
                .exclude(pk__in=exclude)
                .order_by(F("deferred_at").asc(nulls_first=True), "user_id")
                .values_list("pk", flat=True)
                .first()
            )
            if delivery_id is None:
                return None
            try:
                # A savepoint: a database error while writing must not spoil the transaction
                # that records the failure (else this email would block the queue every run).
                with transaction.atomic():
                    message, reason = emails.build([delivery_id], day)[delivery_id]
                if message is not None:
                    _render(message)
                status = DeliveryStatus.SKIPPED
            except Exception as error:
                # A fault in writing this one email: it would fail the same way every run.
                logger.exception("reminders: email %s could not be written", delivery_id)
                message, status = None, DeliveryStatus.FAILED
                reason = f"{NOT_WRITTEN}\n{type(error).__name__}: {error}"
            if message is None:
                Delivery.objects.filter(pk=delivery_id).update(status=status, error=reason[:2000])
                if status == DeliveryStatus.SKIPPED:
                    result.skipped += 1
                else:
                    result.failed += 1
                continue
            worker = _worker()
            Delivery.objects.filter(pk=delivery_id).update(
                status=DeliveryStatus.SENDING,
                claimed_at=Now(),
                claimed_by=worker,
                claim_session=_session(),
                error="",
            )
        # Committed: no other worker can claim this email any more.
        return _Claim(delivery_id=delivery_id, worker=worker, message=message)


def _finish(claim: _Claim, status: str, error: str = "") -> None:
    # Also from in doubt: a recovery that ran while this worker was still alive (a claim past
    # the ceiling) is corrected by what the worker learnt.
    Delivery.objects.filter(
        pk=claim.delivery_id,
        claimed_by=claim.worker,
        status__in=[DeliveryStatus.SENDING, DeliveryStatus.IN_DOUBT],
    ).update(
        status=status,
        error=error[:2000],
        sent_at=Now() if status == DeliveryStatus.SENT else None,
    )


def _give_back(claim: _Claim, note: str, *, deferred: bool = False) -> None:
    """Give a claimed email back as waiting (the mail server certainly did not take it);
    `deferred`: for a reason of its own, so it waits behind the others."""
    extra = {"deferred_at": Now()} if deferred else {}
    Delivery.objects.filter(
        pk=claim.delivery_id,
        claimed_by=claim.worker,
        status__in=[DeliveryStatus.SENDING, DeliveryStatus.IN_DOUBT],
    ).update(
        status=DeliveryStatus.PENDING,
        error=note[:2000],
        claimed_at=None,
        claimed_by="",
        claim_session=None,
        **extra,
    )


class _Deferred(Exception):
    """The mail server said "later" (4xx) for one email: not delivered. `connection`: the
    whole connection is refused (421, sender refused), not only this email."""

    def __init__(self, error: smtplib.SMTPException, *, connection: bool) -> None:
        super().__init__(str(error))
        self.error, self.connection = error, connection


class _NotDelivered(Exception):
    """The connection broke before the message itself was sent: certainly not delivered."""

    def __init__(self, error: BaseException) -> None:
        super().__init__(str(error))
        self.error = error


def _smtp_send(smtp: smtplib.SMTP, message: EmailMultiAlternatives) -> None:
    """smtplib's `sendmail`, step by step, to know how far it got. Until the message data is
    on its way the mail server cannot have taken it (`_NotDelivered`, `_Deferred`); after
    that, only its final answer tells, and without one the email is in doubt."""
    encoding = message.encoding or settings.DEFAULT_CHARSET
    sender = sanitize_address(message.from_email, encoding)
    recipients = [sanitize_address(address, encoding) for address in message.recipients()]
    data = smtplib._quote_periods(message.message().as_bytes(linesep="\r\n"))
    data += b"" if data.endswith(b"\r\n") else b"\r\n"
    data += b".\r\n"
    try:
        smtp.ehlo_or_helo_if_needed()
        options = [f"size={len(data)}"] if smtp.does_esmtp and smtp.has_extn("size") else []
        code, text = smtp.mail(sender, options)
        if code != 250:
            _refused(smtp, smtplib.SMTPSenderRefused(code, text, sender), connection=True)
        refused = {}
        for recipient in recipients:
            code, text = smtp.rcpt(recipient)
            if code not in (250, 251):
                refused[recipient] = (code, text)
        if len(refused) == len(recipients):
            _refused(smtp, smtplib.SMTPRecipientsRefused(refused), connection=False)
        smtp.putcmd("data")
        code, text = smtp.getreply()
        if code != 354:
            _refused(smtp, smtplib.SMTPDataError(code, text), connection=False)
    except (_Deferred, smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused):
        raise
    except OSError as error:  # disconnected, timed out: before the message, so not taken
        raise _NotDelivered(error) from error
    # From here on the mail server may have the whole message: an error is in doubt.
    smtp.send(data)
    code, text = smtp.getreply()
    if code != 250:
        _refused(smtp, smtplib.SMTPDataError(code, text), connection=False)


def _refused(smtp: smtplib.SMTP, error: smtplib.SMTPException, *, connection: bool) -> None:
    """Raise the mail server's refusal: `_Deferred` for 4xx, the error itself for 5xx."""
    codes = _smtp_codes(error)
    temporary = bool(codes) and all(400 <= code < 500 for code in codes)
    if 421 in codes:
        connection = True  # "closing the connection"
    else:
        try:
            smtp.rset()  # ready for the next email on the same connection
        except (smtplib.SMTPException, OSError):
            connection = True
    if temporary:
        raise _Deferred(error, connection=connection)
    raise error


def _reopen(mail_server) -> bool:
    try:
        mail_server.close()
    except Exception:  # the old connection is already broken: that is why we reopen
        mail_server.connection = None
    try:
        mail_server.open()
    except Exception:
        logger.warning("reminders: cannot reach the mail server again", exc_info=True)
        return False
    return True


class _Run:
    """One send run's mail server connection and what it has learnt."""

    def __init__(self, mail_server) -> None:
        self.mail_server = mail_server
        self.excluded: set[int] = set()  # deferred for their recipient: not again this run
        self.fresh = True  # nothing handed over since the connection was (re)opened


def _hand_over(claim: _Claim, run: _Run, result: SendResult) -> bool:
    """Hand one claimed email to the mail server. False: stop this run (the mail server
    cannot take more now)."""
    smtp = getattr(run.mail_server, "connection", None)
    try:
        if isinstance(smtp, smtplib.SMTP):
            _smtp_send(smtp, claim.message)
        else:  # another mail backend (console, tests' locmem): no steps to tell apart
            claim.message.connection = run.mail_server
            claim.message.send()
    except (_Deferred, _NotDelivered) as error:
        # Not taken, so certainly not delivered: waiting again.
        cause = error.error
        note = f"{TRY_LATER}\n{type(cause).__name__}: {cause}"
        if isinstance(error, _Deferred) and not error.connection:
            # This recipient's mailbox or this message ("452 mailbox full"): the others go
            # on; it waits behind them in later runs.
            logger.warning("reminders: email %s deferred: %s", claim.delivery_id, cause)
            _give_back(claim, note, deferred=True)
            run.excluded.add(claim.delivery_id)
            result.deferred += 1
            return True
        # The connection (421 closing, sender refused, disconnected before the message):
        # open a new one, once; a new connection that refuses at once ends the run.
        logger.warning("reminders: email %s not taken: %r", claim.delivery_id, cause)
        _give_back(claim, note)
        result.deferred += 1
        if run.fresh or (isinstance(cause, smtplib.SMTPSenderRefused) and cause.smtp_code != 421):
            return False
        run.fresh = True
        return _reopen(run.mail_server)
    except (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused) as error:
        codes = _smtp_codes(error)
        if codes and all(400 <= code < 500 for code in codes):
            # Another backend's 4xx: not accepted, so not delivered; waiting again, run ends.
            logger.warning("reminders: email %s deferred: %s", claim.delivery_id, error)
            _give_back(claim, f"{TRY_LATER}\n{type(error).__name__}: {error}")
            result.deferred += 1
            return False
        # 5xx: the mail server answered no: certainly not delivered, and it would say no again.
        logger.warning("reminders: email %s refused: %s", claim.delivery_id, error)
        _finish(claim, DeliveryStatus.FAILED, f"{type(error).__name__}: {error}")
        result.failed += 1
        run.fresh = False
        return True
    except BaseException as error:
        # Timed out, connection lost after the message was sent, or the task was stopped
        # mid-way: the email may or may not have arrived. In doubt, never resent; the rest
        # of the emails wait for the next run.
        logger.warning("reminders: email %s in doubt: %r", claim.delivery_id, error)
        _finish(claim, DeliveryStatus.IN_DOUBT, f"{IN_DOUBT}\n{type(error).__name__}: {error}")
        result.in_doubt += 1
        if isinstance(error, OSError):  # smtplib's errors and timeouts included
            return False
        raise
    _finish(claim, DeliveryStatus.SENT)
    result.sent += 1
    run.fresh = False
    return True


def send_due(*, now: datetime.datetime | None = None) -> SendResult:
    """Send today's reminder emails, if now is within the send window, one at a time. Safe to
    run on any number of workers at once: each email is claimed by exactly one of them, and a
    worker that dies leaves at most the one email it was handing over in doubt.

    `now` decides the send window and the day; ages of claims go by the database's clock."""
    recovered = recover_claims()  # also outside the send window: nothing stays `sending`
    now = now or timezone.now()
    if not calendar.in_send_window(now):
        return SendResult(window_closed=True, recovered=recovered)
    today = calendar.local(now).date()
    plan_deliveries(day=today)
    result = SendResult(recovered=recovered)
    if not Delivery.objects.filter(status=DeliveryStatus.PENDING, day=today).exists():
        return result
    mail_server = get_connection()
    try:
        mail_server.open()
    except Exception:
        # Nothing is claimed yet: the emails wait for the next run.
        logger.exception("reminders: cannot reach the mail server")
        return result
    try:
        deadline = time.monotonic() + SEND_RUN_SECONDS
        run = _Run(mail_server)
        while time.monotonic() < deadline:
            claim = _claim_next(today, result, exclude=run.excluded)
            if claim is None or not _hand_over(claim, run, result):
                break
    finally:
        try:
            mail_server.close()
        except Exception:  # a broken connection must not hide what happened before
            logger.warning("reminders: closing the mail server connection failed", exc_info=True)
    if result.sent or result.failed or result.skipped or result.in_doubt or result.deferred:
        logger.info(
            "reminders sent %s, failed %s, skipped %s, in doubt %s, deferred %s",
            result.sent,
            result.failed,
            result.skipped,
            result.in_doubt,
            result.deferred,
        )
    return result
