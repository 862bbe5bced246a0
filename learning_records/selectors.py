from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.db.models import Count, QuerySet

from .models import Statement, Status


def outbox_counts() -> dict[str, int]:
    counts = dict(Statement.objects.values_list("status").annotate(n=Count("pk")).order_by())
    return {status: counts.get(status, 0) for status in Status.values}


def outbox_rows(status: str | None, limit: int = 100) -> QuerySet[Statement]:
    rows = Statement.objects.order_by("-created_at")
    if status in Status.values:
        rows = rows.filter(status=status)
    return rows.only(
        "id",
        "verb",
        "timestamp",
        "created_at",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "last_error",
    )[:limit]


def statements_between(start: datetime.datetime, end: datetime.datetime) -> Iterator[dict]:
    """The statements of events in [start, end), oldest first, streamed."""
    rows = (
        Statement.objects.filter(timestamp__gte=start, timestamp__lt=end)
        .order_by("timestamp", "id")
        .values_list("statement", flat=True)
    )
    yield from rows.iterator(chunk_size=2000)
