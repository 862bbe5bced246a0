import pytest
from django.test import override_settings
from django.utils import timezone

from lms import services
from lms.models import Heartbeat


@pytest.mark.django_db
def test_health_reports_worker_and_beat_down_until_heartbeat(client):
    response = client.get("/health/")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert set(body["failing"]) == {"worker", "beat"}
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["broker"]["ok"] is True


@pytest.mark.django_db
def test_health_ok_when_beat_and_worker_are_recent(client):
    services.heartbeat_record_beat()
    services.heartbeat_record_worker(hostname="celery@test")
    response = client.get("/health/")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "ok"


@pytest.mark.django_db
def test_health_marks_stale_heartbeat_as_down(client, settings):
    services.heartbeat_record_beat()
    services.heartbeat_record_worker(hostname="celery@test")
    Heartbeat.objects.update(worker_seen_at=timezone.now() - timezone.timedelta(hours=1))
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["failing"] == ["worker"]
    assert response.json()["checks"]["worker"]["detail"].startswith("stale")


@pytest.mark.django_db
def test_health_names_unreachable_broker(client):
    services.heartbeat_record_beat()
    services.heartbeat_record_worker(hostname="celery@test")
    with override_settings(
        CELERY_BROKER_URL="redis://127.0.0.1:1/0",
        CELERY_BROKER_TRANSPORT_OPTIONS={},
        CELERY_BROKER_HEALTH_TIMEOUT=1,
    ):
        response = client.get("/health/")
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["broker"]
    assert body["checks"]["broker"]["ok"] is False
    assert body["checks"]["broker"]["detail"]


@pytest.mark.django_db
def test_health_can_be_limited_to_web_checks(client):
    # The web container's health check must not fail because the worker is down.
    response = client.get("/health/?check=database,broker")
    assert response.status_code == 200
    assert set(response.json()["checks"]) == {"database", "broker"}


def test_health_needs_no_login_and_is_not_cached(client, db):
    services.heartbeat_record_beat()
    services.heartbeat_record_worker(hostname="celery@test")
    response = client.get("/health/")  # anonymous: the report itself, not the login page
    assert (response.status_code, response.json()["status"]) == (200, "ok")
    assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"


@pytest.mark.django_db
def test_health_does_not_leak_hosts_or_messages(client):
    with override_settings(
        CELERY_BROKER_URL="redis://secret-host.internal:1/0",
        CELERY_BROKER_TRANSPORT_OPTIONS={},
        CELERY_BROKER_HEALTH_TIMEOUT=1,
    ):
        body = client.get("/health/").content.decode()
    assert "secret-host" not in body
    assert '"detail": "' in body
