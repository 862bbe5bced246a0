"""Structured logs: one JSON line per request with its id, the user id and timing, and no
personal data."""

import json
import logging

import pytest

from lms.logs import ContextFilter, JsonFormatter

pytestmark = pytest.mark.django_db


@pytest.fixture
def json_lines():
    handler = logging.StreamHandler()
    records: list[str] = []
    handler.emit = lambda record: records.append(handler.format(record))
    handler.setFormatter(JsonFormatter())
    handler.addFilter(ContextFilter())
    logger = logging.getLogger("lms.request")
    logger.addHandler(handler)
    level = logger.level
    logger.setLevel(logging.INFO)
    yield records
    logger.removeHandler(handler)
    logger.setLevel(level)


def test_each_request_is_one_json_line_with_ids_and_no_names(client, learner, json_lines):
    learner.first_name, learner.last_name, learner.email = "Alva", "Lindqvist", "alva@kommun.se"
    learner.save()
    client.force_login(learner)
    response = client.get("/mina-kurser/?q=hemligt", HTTP_X_REQUEST_ID="proxy-given-1234")
    assert response["X-Request-ID"] == "proxy-given-1234"
    (line,) = json_lines
    entry = json.loads(line)
    assert entry["request_id"] == "proxy-given-1234"
    assert entry["user_id"] == learner.pk
    assert entry["method"] == "GET" and entry["path"] == "/mina-kurser/"
    assert entry["status"] == 200 and entry["duration_ms"] >= 0
    for personal in ("Alva", "Lindqvist", "alva@kommun.se", "hemligt"):
        assert personal not in line


def test_a_forged_request_id_is_replaced(client, json_lines):
    response = client.get("/", HTTP_X_REQUEST_ID='x"\n{"level": "CRITICAL"}')
    rid = response["X-Request-ID"]
    assert len(rid) == 32 and rid.isalnum()
    assert json.loads(json_lines[0])["request_id"] == rid


def test_secrets_in_the_path_are_not_logged(client, json_lines):
    reset = "/accounts/reset/MTIz/cabc12-0123456789abcdef0123456789abcdef/"
    verify = "/verify/K7QX-4MPR-9TZD/"
    unknown = "/finns-inte/a8f3k2m9q4w7e1r6t5y0/"
    for url in (reset, verify, unknown):
        client.get(url)
    entries = [json.loads(line) for line in json_lines]
    assert [e["path"] for e in entries] == [
        "/accounts/reset/<uidb64>/<token>/",
        "/verify/<str:code>/",
        "/finns-inte/*/",
    ]
    text = "\n".join(json_lines)
    for secret in ("MTIz", "cabc12", "K7QX-4MPR-9TZD", "a8f3k2m9q4w7e1r6t5y0"):
        assert secret not in text
