"""The integration API listing every completion (all pages, 1,000 rows each, through the test
client with a whole-organisation token) against one SQL query returning the same rows.

Prints `api completions (all pages)` with the ratio, and the queries per page, which must not
grow from the first page to the last (keyset paging: `id > after ORDER BY id LIMIT n`).
Target ratio 10.0: the API also authenticates, logs each request and serialises JSON.

Run by `bench/__main__.py` after `municipality.generate(...)`.
"""

from __future__ import annotations

import datetime
import sys

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from api import services
from progress.models import Completion

from .harness import measure, report

TARGET = 10.0
PAGE = 1000

BASELINE_SQL = """
SELECT c.id, p.id, p.employee_number, c.course_id, c.completed_at, c.valid_until
FROM progress_completion c
LEFT JOIN people_person p ON p.user_id = c.user_id
ORDER BY c.id
"""


def run() -> None:
    total = Completion.objects.count()
    print(f"api: {total} completions to list", file=sys.stderr, flush=True)
    _token, secret = services.token_create(
        name="bench",
        scopes=["completions"],
        whole_organisation=True,
        expires_at=timezone.now() + datetime.timedelta(days=1),
    )
    client = Client()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    per_page: list[int] = []

    def through_api() -> int:
        rows, cursor = 0, None
        per_page.clear()
        while True:
            url = f"/api/v1/completions?limit={PAGE}" + (f"&cursor={cursor}" if cursor else "")
            with CaptureQueriesContext(connection) as queries:
                body = client.get(url, **headers).json()
            per_page.append(len(queries))
            rows += len(body["items"])
            cursor = body["next_cursor"]
            if cursor is None:
                return rows

    def baseline() -> int:
        with connection.cursor() as cursor:
            cursor.execute(BASELINE_SQL)
            return len(cursor.fetchall())

    from django.test import override_settings

    with override_settings(API_RATE_LIMIT=10**9):
        assert through_api() == baseline() == total
        ours = measure(through_api, repeat=1)
    theirs = measure(baseline, repeat=3)
    report("api completions (all pages)", ours, theirs, target=TARGET)
    print(
        f"api completions: {total} rows in {len(per_page)} pages, queries per page "
        f"{min(per_page)}..{max(per_page)} ({'constant' if len(set(per_page)) == 1 else 'VARIES'})",
        flush=True,
    )
