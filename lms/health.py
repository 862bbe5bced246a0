"""Liveness of the parts the product needs: database, broker, Celery worker and beat."""

import logging
from dataclasses import asdict, dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone
from kombu import Connection

from .models import Heartbeat
from .services import HEARTBEAT_NAME

CHECKS = ("database", "broker", "worker", "beat")


@dataclass
class CheckResult:
    ok: bool
    detail: str = ""
    last_seen: str | None = None


logger = logging.getLogger(__name__)


def _failure(part: str, exc: Exception) -> CheckResult:
    # The endpoint is public: name the kind of failure, keep hosts and messages in the log.
    logger.warning("health check %s failed: %s", part, exc)
    return CheckResult(ok=False, detail=type(exc).__name__)


def check_database() -> CheckResult:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure means down
        return _failure("database", exc)
    return CheckResult(ok=True)


def check_broker() -> CheckResult:
    url = settings.CELERY_BROKER_URL
    try:
        with Connection(
            url,
            transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS,
            connect_timeout=settings.CELERY_BROKER_HEALTH_TIMEOUT,
        ) as conn:
            conn.ensure_connection(max_retries=1, timeout=settings.CELERY_BROKER_HEALTH_TIMEOUT)
    except Exception as exc:
        return _failure("broker", exc)
    return CheckResult(ok=True, detail=url.split("://", 1)[0])


def _heartbeat_row() -> Heartbeat | None:
    try:
        return Heartbeat.objects.filter(name=HEARTBEAT_NAME).first()
    except Exception:
        return None


def _freshness(when) -> CheckResult:
    if when is None:
        return CheckResult(ok=False, detail="never seen")
    age = timezone.now() - when
    ok = age <= timedelta(seconds=settings.HEARTBEAT_MAX_AGE_SECONDS)
    detail = f"{int(age.total_seconds())} s ago"
    return CheckResult(
        ok=ok, detail=detail if ok else f"stale: {detail}", last_seen=when.isoformat()
    )


def run_checks(names: list[str] | None = None) -> dict[str, CheckResult]:
    names = [n for n in (names or CHECKS) if n in CHECKS] or list(CHECKS)
    results: dict[str, CheckResult] = {}
    if "database" in names:
        results["database"] = check_database()
    if "broker" in names:
        results["broker"] = check_broker()
    if "worker" in names or "beat" in names:
        row = _heartbeat_row()
        if "worker" in names:
            results["worker"] = _freshness(row.worker_seen_at if row else None)
        if "beat" in names:
            results["beat"] = _freshness(row.beat_sent_at if row else None)
    return results


def report(names: list[str] | None = None) -> tuple[bool, dict]:
    results = run_checks(names)
    healthy = all(r.ok for r in results.values())
    return healthy, {
        "status": "ok" if healthy else "error",
        "failing": [name for name, r in results.items() if not r.ok],
        "checks": {name: asdict(r) for name, r in results.items()},
    }
