"""The integration API against a client that tries its luck: forged cursors, huge pages,
SQL in filters, impossible dates, tokens in addresses, and timing on the token lookup."""

from __future__ import annotations

import base64
import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from api import services
from api.models import RequestLog
from people.models import OrgUnit, Person
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def org(db):
    root = OrgUnit.add_root(instance=OrgUnit(code="T", name="Tamperkommunen"))
    mine = root.add_child(instance=OrgUnit(code="T1", name="Min förvaltning"))
    theirs = root.add_child(instance=OrgUnit(code="T2", name="Annan förvaltning"))
    for number in range(5):
        Person.objects.create(
            user=UserFactory(username=f"mine{number}"), employee_number=f"M{number}", unit=mine
        )
        Person.objects.create(
            user=UserFactory(username=f"theirs{number}"), employee_number=f"X{number}", unit=theirs
        )
    token, secret = services.token_create(
        name="Tamper",
        scopes=["people", "units", "completions", "assignments"],
        units=[mine],
        expires_at=timezone.now() + datetime.timedelta(days=1),
    )
    return {"root": root, "mine": mine, "theirs": theirs, "token": token, "secret": secret}


def get(client, url, secret, **extra):
    return client.get(url, HTTP_AUTHORIZATION=f"Bearer {secret}", **extra)


def test_forged_and_foreign_cursors_are_refused(client, org):
    first = get(client, "/api/v1/people?limit=2", org["secret"]).json()
    cursor = first["next_cursor"]
    _payload, rest = cursor.split(":", 1)
    forged_payload = base64.urlsafe_b64encode(json.dumps({"a": 0}).encode()).decode().rstrip("=")
    for bad in (
        f"{forged_payload}:{rest}",  # another position, the old signature
        cursor[:-2] + ("AA" if not cursor.endswith("AA") else "BB"),
        "eyJhIjowfQ",  # an unsigned {"a":0}
        "' OR 1=1 --",
        "A" * 500,
    ):
        response = get(client, f"/api/v1/people?cursor={bad}", org["secret"])
        assert response.status_code == 422, bad
        assert response.json()["code"] == "invalid_cursor"
    # A cursor of one list is no cursor for another.
    response = get(client, f"/api/v1/completions?cursor={cursor}", org["secret"])
    assert response.json()["code"] == "invalid_cursor"


def test_a_valid_cursor_never_leaves_the_scope(client, org):
    # Even a cursor from before the first row reads only the token's rows.
    rows, cursor = [], None
    while True:
        url = "/api/v1/people?limit=1" + (f"&cursor={cursor}" if cursor else "")
        body = get(client, url, org["secret"]).json()
        rows += body["items"]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert {r["employee_number"] for r in rows} == {f"M{n}" for n in range(5)}


@pytest.mark.parametrize("limit", ["1001", "1000000000", "99999999999999999999999", "0", "-1", "x"])
def test_page_sizes_are_capped(client, org, limit):
    response = get(client, f"/api/v1/people?limit={limit}", org["secret"])
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_parameter"


@pytest.mark.parametrize(
    "query",
    [
        "unit=1 OR 1=1",
        "unit=1;DROP TABLE people_person",
        "unit=99999999999999999999",
        "course=1) UNION SELECT * FROM api_integrationtoken --",
        "state=completed' OR '1'='1",
        "include_subunits=maybe",
        "changed_since=2026-01-01' OR 1=1 --",
    ],
)
def test_sql_in_filters_is_refused_and_harmless(client, org, query):
    response = get(client, f"/api/v1/assignments?{query}", org["secret"])
    assert response.status_code == 422, query
    assert Person.objects.count() == 10


@pytest.mark.parametrize(
    "since", ["2026-13-45T00:00:00Z", "yesterday", "0.5", "1700000000", "2026-02-30", "T" * 100]
)
def test_impossible_dates_are_refused(client, org, since):
    response = get(client, f"/api/v1/completions?changed_since={since}", org["secret"])
    assert response.status_code == 422, since


def test_extreme_but_valid_dates_are_answered(client, org):
    for since in ("0001-01-01T00:00:00%2B14:00", "9999-12-31T23:59:59-12:00", "2026-01-01"):
        response = get(client, f"/api/v1/people?changed_since={since}", org["secret"])
        assert response.status_code in (200, 422), since
        assert response.status_code != 500


def test_another_administration_is_not_found(client, org):
    response = get(client, f"/api/v1/people?unit={org['theirs'].pk}", org["secret"])
    assert response.status_code == 404
    response = get(client, f"/api/v1/units/{org['root'].pk}", org["secret"])
    assert response.status_code == 404


@pytest.mark.parametrize("name", ["token", "access_token", "api_key"])
def test_a_token_in_the_query_string_is_refused(client, org, name):
    response = client.get(f"/api/v1/people?{name}={org['secret']}")
    assert response.status_code == 401
    assert response.json()["code"] == "token_in_query"
    # Even with a valid header: the address has been exposed, the request is not served.
    response = get(client, f"/api/v1/people?{name}={org['secret']}", org["secret"])
    assert response.status_code == 401


def test_the_lookup_compares_hashes_not_secrets(client, org):
    """The database is asked for the SHA-256 of what was sent, never the secret: how long a
    lookup takes cannot tell how much of a guess was right."""
    secret = org["secret"]
    with CaptureQueriesContext(connection) as queries:
        assert get(client, "/api/v1/units", secret).status_code == 200
        assert get(client, "/api/v1/units", secret[:-4] + "AAAA").status_code == 401
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    body = secret[len(services.TOKEN_PREFIX) :]
    assert body not in sql and body[:10] not in sql
    assert services.hash_secret(secret) in sql


def test_wrong_tokens_are_not_logged_against_anyone_and_are_throttled(client, org, settings):
    settings.API_RATE_LIMIT = 3
    for _n in range(3):
        assert (
            client.get("/api/v1/units", HTTP_AUTHORIZATION="Bearer nlms_guess").status_code == 401
        )
    response = client.get("/api/v1/units", HTTP_AUTHORIZATION="Bearer nlms_guess")
    assert response.status_code == 429 and response["Retry-After"]
    assert RequestLog.objects.count() == 0


def test_very_long_authorization_headers_are_refused_quickly(client, org):
    response = client.get("/api/v1/units", HTTP_AUTHORIZATION="Bearer nlms_" + "A" * 100_000)
    assert response.status_code == 401
