"""schemathesis against the served schema, through the WSGI app, with a valid token: every
operation, bounded examples, every response must match the schema (no 500s, declared status
codes and bodies, JSON content type)."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from api import services
from api.models import IntegrationToken
from people.models import OrgUnit, Person
from tests.factories import UserFactory, make_course

# A cursor is opaque: a string the schema allows can still be one the server never issued, and
# is refused with 422 (invalid_cursor). Otherwise schemathesis' defaults.
SECRET = "nlms_schemathesis-only-not-a-real-token-0123456789abcdef"
CONFIG = f"""
[auth.openapi.TokenAuth]
bearer = "{SECRET}"

[checks.positive_data_acceptance]
expected-statuses = ["2xx", "401", "403", "404", "422", "429"]
"""
schema = schemathesis.openapi.from_wsgi(
    "/api/v1/openapi.json",
    get_wsgi_application(),
    config=schemathesis.config.SchemathesisConfig.from_str(CONFIG),
)


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """As Django's test client does: a request through the WSGI app must not close the test's
    database connection (on PostgreSQL it holds the test's transaction)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def secret(catalogue, make_token):
    root = OrgUnit.add_root(instance=OrgUnit(code="S", name="Schemakommunen"))
    unit = root.add_child(instance=OrgUnit(code="S1", name="Enhet S1"))
    for number in range(3):
        Person.objects.create(
            user=UserFactory(username=f"schema{number}"), employee_number=f"S{number}", unit=unit
        )
    make_course(catalogue, title="Schemakurs", modules=1)
    token, _secret = make_token(units=[root])
    IntegrationToken.objects.filter(pk=token.pk).update(secret_hash=services.hash_secret(SECRET))


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_schema(case, secret):
    case.call_and_validate()
