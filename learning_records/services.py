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
from django.utils import timezone

from . import statements as xapi
from .models import Statement, Status

logger = logging.getLogger(__name__)


def lrs_configured() -> bool:
    return bool(settings.LRS_ENDPOINT)


def _enqueue_send() -> None:
    if lrs_configured():
        from .tasks import send_statements

        transaction.on_commit(lambda: send_statements.delay(), robust=True)


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
    pass


@dataclass
class SendReport:
    sent: int = 0
    postponed: int = 0
    failed: int = 0


def post_batch(payload: list[dict]) -> None:
    """POST the statements to the LRS; Retryable for 5xx and network trouble, Refused else."""
    url = settings.LRS_ENDPOINT.rstrip("/") + "/statements"
    try:
        response = requests.post(
            url,
            json=payload,
            auth=(settings.LRS_KEY, settings.LRS_SECRET),
            headers={"X-Experience-API-Version": xapi.VERSION},
            timeout=settings.LRS_TIMEOUT,
        )
    except (requests.ConnectionError, requests.Timeout) as error:
        raise Retryable(f"{type(error).__name__}: {error}"[:500]) from None
    if response.status_code >= 500 or response.status_code == 429:
        raise Retryable(f"HTTP {response.status_code}: {response.text[:300]}")
    if response.status_code >= 300:
        raise Refused(f"HTTP {response.status_code}: {response.text[:300]}")


def backoff(attempts: int) -> datetime.timedelta:
    seconds = settings.LRS_BACKOFF_SECONDS * 2 ** max(0, attempts - 1)
    return datetime.timedelta(seconds=min(seconds, settings.LRS_BACKOFF_MAX_SECONDS))


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
            attempts = rows[0].attempts + 1
            give_up = attempts >= settings.LRS_MAX_ATTEMPTS
            Statement.objects.filter(pk__in=ids).update(
                attempts=attempts,
                next_attempt_at=timezone.now() + backoff(attempts),
                last_error=str(error),
                status=Status.FAILED if give_up else Status.PENDING,
            )
            logger.warning("LRS unavailable, %s statements postponed: %s", len(ids), error)
            return SendReport(failed=len(ids)) if give_up else SendReport(postponed=len(ids))
        except Refused as error:
            Statement.objects.filter(pk__in=ids).update(
                attempts=rows[0].attempts + 1, last_error=str(error), status=Status.FAILED
            )
            logger.error("LRS refused %s statements: %s", len(ids), error)
            return SendReport(failed=len(ids))
        Statement.objects.filter(pk__in=ids).update(
            status=Status.SENT,
            sent_at=timezone.now(),
            attempts=rows[0].attempts + 1,
            last_error="",
        )
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
