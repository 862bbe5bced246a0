"""Creating, revoking and checking integration tokens; logging their use."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from .models import IntegrationToken, RequestLog, Scope

TOKEN_PREFIX = "nlms_"  # noqa: S105 (a prefix, not a secret)
# 32 random bytes: guessing is hopeless, so a fast hash (SHA-256) is enough to store it.
TOKEN_BYTES = 32


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)


@transaction.atomic
def token_create(
    *,
    name: str,
    scopes: Iterable[str],
    units: Iterable = (),
    whole_organisation: bool = False,
    expires_at: datetime.datetime,
    created_by=None,
) -> tuple[IntegrationToken, str]:
    """A new token and its secret. The secret is returned once and never stored."""
    scopes = sorted(set(scopes))
    unknown = set(scopes) - set(Scope.values)
    if unknown:
        raise ValueError(f"unknown scopes: {sorted(unknown)}")
    units = list(units)
    if whole_organisation == bool(units):
        raise ValueError("a token sees either chosen units or, explicitly, the whole organisation")
    secret = new_secret()
    token = IntegrationToken(
        name=name,
        prefix=secret[: len(TOKEN_PREFIX) + 6],
        secret_hash=hash_secret(secret),
        scopes=scopes,
        whole_organisation=whole_organisation,
        expires_at=expires_at,
        created_by=created_by,
    )
    token.full_clean()
    token.save()
    token.units.set(units)
    return token, secret


def token_revoke(*, token: IntegrationToken, by=None) -> IntegrationToken:
    """Revoke for good (idempotent: the first revocation's time and author stay)."""
    IntegrationToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=by
    )
    token.refresh_from_db()
    return token


def token_for_secret(secret: str) -> IntegrationToken | None:
    """The token with this secret (revoked and expired ones too: the caller says why it fails).

    Looked up by the secret's hash, so the database compares hashes, not secrets: how long the
    lookup takes tells nothing about how much of a guessed secret was right. The final compare
    is constant-time all the same.
    """
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    digest = hash_secret(secret)
    # Always the primary, also when the API reads from a replica: a revoked token must stop
    # at once, not when the replica catches up.
    token = IntegrationToken.objects.using("default").filter(secret_hash=digest).first()
    if token is None or not hmac.compare_digest(token.secret_hash, digest):
        return None
    return token


def request_log(
    *, token: IntegrationToken, endpoint: str, status: int, rows: int, duration_ms: int
) -> None:
    """One insert per request, nothing else (the last use is the newest row, by index)."""
    RequestLog.objects.create(
        token=token, endpoint=endpoint[:100], status=status, rows=rows, duration_ms=duration_ms
    )


def request_log_prune(*, older_than_days: int, batch: int = 10_000) -> int:
    """Delete log rows older than the retention, in batches (the table can be large)."""
    cutoff = timezone.now() - datetime.timedelta(days=older_than_days)
    deleted = 0
    while True:
        ids = list(RequestLog.objects.filter(at__lt=cutoff).values_list("pk", flat=True)[:batch])
        if not ids:
            return deleted
        deleted += RequestLog.objects.filter(pk__in=ids).delete()[0]
