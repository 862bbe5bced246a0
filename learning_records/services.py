"""Recording statements (inside the learner's transaction) and sending them to the LRS.

Sending: a batch of due statements is claimed with `SELECT … FOR UPDATE SKIP LOCKED` and stays
locked while it is posted, so two workers never send the same statements at once. The outcome
is written in the same transaction: if the worker dies mid-batch, the database rolls back and
the statements are simply due again; the LRS may have stored them already, and keeps one
statement per id, so sending them again changes nothing. A 5xx answer, a timeout or a refused
connection postpones the batch with exponential backoff; after XAPI_MAX_ATTEMPTS it is marked
failed (the admin page shows why). Any other refusal (4xx) marks it failed at once.
"""

from __future__ import annotations

import datetime
import logging
import uuid
from dataclasses import dataclass

import requests
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from . import statements as xapi
from .models import Statement, Status

logger = logging.getLogger(__name__)


def lrs_configured() -> bool:
    return bool(settings.LRS_ENDPOINT)


def _enqueue_send() -> None:
    if lrs_configured():
        from .tasks import send_statements

        # One send per event would pile up while the worker is down; beat sends every minute
        # anyway, so a send not started within a minute is dropped.
        transaction.on_commit(lambda: send_statements.apply_async(expires=60), robust=True)


def _record(*, user_id: int, verb: str, obj: dict, moment, result=None, parents=None) -> Statement:
    statement_id = uuid.uuid4()
    row = Statement.objects.create(
        id=statement_id,
        user_id=user_id,
        verb=verb,
        timestamp=moment,
        statement=xapi.build(
            statement_id=str(statement_id),
            user_id=user_id,
            verb=verb,
            obj=obj,
            moment=moment,
            result=result,
            parents=parents,
        ),
    )
    _enqueue_send()
    return row


def _course_activity(course) -> dict:
    return xapi.activity(xapi.course_id(course.pk), xapi.COURSE_TYPE, course.title)


def _module_activity(course_pk: int, module) -> dict:
    return xapi.activity(xapi.module_id(course_pk, module.pk), xapi.MODULE_TYPE, module.title)


def record_module_started(*, user, module_progress) -> Statement:
    course = module_progress.course_progress.course
    return _record(
        user_id=user.pk,
        verb="launched",
        obj=_module_activity(course.pk, module_progress.module),
        moment=module_progress.started_at,
        parents=[_course_activity(course)],
    )


def record_module_completed(*, user, module_progress) -> Statement:
    course = module_progress.course_progress.course
    return _record(
        user_id=user.pk,
        verb="progressed",
        obj=_module_activity(course.pk, module_progress.module),
        moment=module_progress.completed_at or timezone.now(),
        result={"completion": True},
        parents=[_course_activity(course)],
    )


def record_course_completed(*, user, completion) -> Statement:
    return _record(
        user_id=user.pk,
        verb="completed",
        obj=_course_activity(completion.course),
        moment=completion.completed_at,
        result={"completion": True},
    )


def record_quiz_graded(*, user, attempt) -> Statement:
    from wagtail.models import Page

    module = Page.objects.filter(pk=attempt.module_id).first() if attempt.module_id else None
    course = module.get_parent() if module is not None else None
    if module is not None and course is not None:
        activity_id = xapi.quiz_id(course.pk, module.pk, attempt.quiz_id)
        parents = [_module_activity(course.pk, module), _course_activity(course)]
    else:
        activity_id = f"{xapi.home_page()}/xapi/quizzes/{attempt.quiz_id}"
        parents = None
    score = float(attempt.score_percent or 0)
    return _record(
        user_id=user.pk,
        verb="passed" if attempt.passed else "failed",
        obj=xapi.activity(activity_id, xapi.ASSESSMENT_TYPE, attempt.quiz.title),
        moment=attempt.submitted_at,
        result={
            "score": {"scaled": round(score / 100, 4), "raw": score, "min": 0, "max": 100},
            "success": bool(attempt.passed),
            "completion": True,
        },
        parents=parents,
    )


# --- Sending ---------------------------------------------------------------------------------


class Retryable(Exception):
    pass


class Refused(Exception):
    def __init__(self, message: str, status: int = 0):
        super().__init__(message)
        self.status = status


@dataclass
class SendReport:
    sent: int = 0
    postponed: int = 0
    failed: int = 0


def _check(response: requests.Response) -> None:
    """Retryable for 5xx, 429 and network trouble (see _call); Refused for other non-2xx."""
    if response.status_code >= 500 or response.status_code == 429:
        raise Retryable(f"HTTP {response.status_code}: {response.text[:300]}")
    if response.status_code >= 300:
        raise Refused(f"HTTP {response.status_code}: {response.text[:300]}", response.status_code)


def _call(method: str, url: str, **kwargs) -> requests.Response:
    try:
        return requests.request(
            method,
            url,
            auth=(settings.LRS_KEY, settings.LRS_SECRET),
            headers={"X-Experience-API-Version": xapi.VERSION},
            timeout=settings.LRS_TIMEOUT,
            **kwargs,
        )
    except (requests.ConnectionError, requests.Timeout) as error:
        raise Retryable(f"{type(error).__name__}: {error}"[:500]) from None


def post_batch(payload: list[dict]) -> None:
    """POST the statements to the LRS; Retryable for 5xx and network trouble, Refused else."""
    _check(_call("POST", settings.LRS_ENDPOINT.rstrip("/") + "/statements", json=payload))


def put_statement(statement: dict) -> None:
    """PUT one statement under its id. 409 means the LRS already has a statement with this id
    (an earlier send that we did not hear back from): it is stored, so that counts as sent."""
    response = _call(
        "PUT",
        settings.LRS_ENDPOINT.rstrip("/") + "/statements",
        params={"statementId": statement["id"]},
        json=statement,
    )
    if response.status_code == 409:
        return
    _check(response)


def backoff(attempts: int) -> datetime.timedelta:
    seconds = settings.LRS_BACKOFF_SECONDS * 2 ** max(0, attempts - 1)
    return datetime.timedelta(seconds=min(seconds, settings.LRS_BACKOFF_MAX_SECONDS))


def _mark_sent(ids: list) -> None:
    Statement.objects.filter(pk__in=ids).update(
        status=Status.SENT, sent_at=timezone.now(), attempts=F("attempts") + 1, last_error=""
    )


def _postpone(rows: list[Statement], error: Exception) -> SendReport:
    """One more attempt for each row (each keeps its own count); rows at the limit fail."""
    ids = [row.pk for row in rows]
    attempts = max(row.attempts for row in rows) + 1
    Statement.objects.filter(pk__in=ids).update(
        attempts=F("attempts") + 1,
        next_attempt_at=timezone.now() + backoff(attempts),
        last_error=str(error),
    )
    failed = Statement.objects.filter(pk__in=ids, attempts__gte=settings.LRS_MAX_ATTEMPTS).update(
        status=Status.FAILED
    )
    return SendReport(postponed=len(ids) - failed, failed=failed)


def _fail(ids: list, error: Exception) -> None:
    Statement.objects.filter(pk__in=ids).update(
        attempts=F("attempts") + 1, last_error=str(error), status=Status.FAILED
    )


def _send_one_by_one(rows: list[Statement]) -> SendReport:
    """After a batch was refused as invalid (400) or conflicting (409): the LRS stores a batch
    whole or not at all, so one bad or already-stored statement must not fail the others."""
    report = SendReport()
    sent: list = []
    for index, row in enumerate(rows):
        try:
            put_statement(row.statement)
        except Retryable as error:
            # The LRS is down now: the rest wait for the next round.
            later = _postpone(rows[index:], error)
            report.postponed += later.postponed
            report.failed += later.failed
            break
        except Refused as error:
            _fail([row.pk], error)
            report.failed += 1
            logger.error("LRS refused statement %s: %s", row.pk, error)
        else:
            sent.append(row.pk)
    _mark_sent(sent)
    report.sent += len(sent)
    return report


def send_batch(*, batch_size: int | None = None) -> SendReport | None:
    """Claim, post and settle one batch. None when nothing is due."""
    batch_size = batch_size or settings.LRS_BATCH_SIZE
    with transaction.atomic():
        rows = list(
            Statement.objects.select_for_update(skip_locked=True)
            .filter(status=Status.PENDING, next_attempt_at__lte=timezone.now())
            .order_by("next_attempt_at", "created_at")[:batch_size]
        )
        if not rows:
            return None
        ids = [row.pk for row in rows]
        try:
            post_batch([row.statement for row in rows])
        except Retryable as error:
            logger.warning("LRS unavailable, %s statements postponed: %s", len(ids), error)
            return _postpone(rows, error)
        except Refused as error:
            if error.status in (400, 409):
                logger.warning("LRS refused a batch (%s): sending one by one", error)
                return _send_one_by_one(rows)
            _fail(ids, error)
            logger.error("LRS refused %s statements: %s", len(ids), error)
            return SendReport(failed=len(ids))
        _mark_sent(ids)
        return SendReport(sent=len(ids))


def send_pending(*, max_batches: int = 200) -> SendReport:
    """Send due statements batch after batch; stop at the first batch the LRS cannot take."""
    total = SendReport()
    if not lrs_configured():
        return total
    for _batch in range(max_batches):
        report = send_batch()
        if report is None:
            break
        total.sent += report.sent
        total.postponed += report.postponed
        total.failed += report.failed
        if not report.sent:
            break
    return total


def retry_failed() -> int:
    """Put failed statements back in the queue (after the LRS or the settings were fixed)."""
    return Statement.objects.filter(status=Status.FAILED).update(
        status=Status.PENDING, attempts=0, next_attempt_at=timezone.now()
    )
