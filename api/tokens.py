"""API tokens: created (shown once), found by their hash, marked used, revoked.

A token is `secrets.token_urlsafe(32)` (43 characters); only its SHA-256 is kept,
so a copy of the database lets no one call the API. The first eight characters are
kept too, so that a list can say which token is which.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from api.models import ApiToken, Scope

PREFIX_LENGTH = 8
# A token's last use is kept to the day (midnight UTC), written once a day: enough
# to tell a live integration from a forgotten one. A time to the minute, beside an
# anonymous concern posted with the token, would tell HR whose token posted it.


def token_hash(key: str) -> str:
    """The SHA-256 of a token, as 64 hex characters."""
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True)
class Created:
    token: ApiToken
    key: str  # the token itself: shown once, never stored


def api_token_create(
    *,
    owner: AbstractBaseUser,
    name: str,
    scope: str,
    now: dt.datetime,
    expires_at: dt.datetime | None = None,
    by: AbstractBaseUser | None = None,
) -> Created:
    """A new token for `owner`. ValidationError if the name is empty, the scope
    unknown, the owner inactive or the expiry not in the future."""
    name = name.strip()
    errors = {}
    if not name:
        errors["name"] = "Give the token a name: what it is for."
    if scope not in Scope.values:
        errors["scope"] = f"One of: {', '.join(Scope.values)}."
    if not owner.is_active:
        errors["owner"] = "This account is deactivated."
    if expires_at is not None and expires_at <= now:
        errors["expires_at"] = "The expiry must be in the future."
    if errors:
        raise ValidationError(errors)
    key = secrets.token_urlsafe(32)
    return Created(
        token=ApiToken.objects.create(
            name=name[:100],
            owner=owner,
            scope=scope,
            prefix=key[:PREFIX_LENGTH],
            key_hash=token_hash(key),
            created_at=now,
            created_by=by,
            expires_at=expires_at,
        ),
        key=key,
    )


def api_token_revoke(*, token: ApiToken, now: dt.datetime) -> ApiToken:
    """Revoke a token from `now` on; revoking again keeps the first time."""
    ApiToken.objects.filter(pk=token.pk, revoked_at=None).update(revoked_at=now)
    token.refresh_from_db(fields=["revoked_at"])
    return token


def api_token_find(*, key: str) -> ApiToken | None:
    """The token whose hash matches `key` (revoked or expired ones too), or None."""
    return (
        ApiToken.objects.select_related("owner")
        .filter(key_hash=token_hash(key))
        .first()
    )


def api_token_used(*, token: ApiToken, now: dt.datetime) -> None:
    """Note a call on the day of `now` (kept as that day's midnight UTC), writing
    at most once a day."""
    day = now.astimezone(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    if token.last_used_at is not None and token.last_used_at >= day:
        return
    ApiToken.objects.filter(pk=token.pk).filter(
        Q(last_used_at=None) | Q(last_used_at__lt=day)
    ).update(last_used_at=day)
    token.last_used_at = day


def api_token_list() -> QuerySet[ApiToken]:
    """Every token, newest first, with its owner and creator joined in."""
    return ApiToken.objects.select_related("owner", "owner__person", "created_by")
