from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from api import services
from api.models import Scope


@pytest.fixture
def make_token(db):
    """make_token(scopes=..., units=[...] or whole=True, expires_in=days) -> (token, secret)."""

    def make(*, scopes=tuple(Scope.values), units=(), whole=None, expires_in=30, name="HR-system"):
        return services.token_create(
            name=name,
            scopes=scopes,
            units=units,
            whole_organisation=not units if whole is None else whole,
            expires_at=timezone.now() + datetime.timedelta(days=expires_in),
        )

    return make


def bearer(secret: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


# The reports app's small municipality (hand-countable coverage), reused for the API.
from tests.reports.conftest import add_person, assign, complete, tree  # noqa: E402, F401
