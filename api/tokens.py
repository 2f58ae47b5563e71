"""API tokens: created (shown once), found by their hash, marked used, revoked.

A token is `secrets.token_urlsafe(32)` (43 characters); only its SHA-256 is kept,
so a copy of the database lets no one call the API. The first eight characters are
kept too, so that a list can say which token is which.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from api.models import ApiToken, Scope

log = logging.getLogger(__name__)

PREFIX_LENGTH = 8
# A token's last use is kept to the day (midnight UTC), and written by the
# scheduler once that day is over, never by the request: a write beside an
# anonymous concern posted with the token (its time, or the transaction ids of
# the two rows) would tell whose token posted it. The request only notes the day
# in the cache; a cache that is down loses the note, never the request.
USED_KEY = "candor:api-token-used:{day}:{pk}"
USED_KEEP = 3 * 24 * 3600  # seconds: longer than any gap between scheduler passes


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
    """Note in the cache that `token` was used on the day of `now`."""
    try:
        cache.add(USED_KEY.format(day=_day(now).date(), pk=token.pk), 1, USED_KEEP)
    except Exception as exc:  # any cache backend error: the call goes on
        log.warning("An API token's use could not be noted: %r", exc)


def api_tokens_use_record(*, now: dt.datetime) -> int:
    """Write the days before `now`'s that tokens were noted used on (the last two)
    as their `last_used_at`; returns how many tokens changed. Safe to run twice."""
    today = _day(now)
    changed = 0
    for day in (today - dt.timedelta(days=2), today - dt.timedelta(days=1)):
        keys = {
            USED_KEY.format(day=day.date(), pk=pk): pk
            for pk in ApiToken.objects.values_list("pk", flat=True)
        }
        try:
            used = [keys[key] for key in cache.get_many(list(keys))]
        except Exception as exc:  # any cache backend error: try next pass
            log.warning("API token uses could not be read: %r", exc)
            return changed
        changed += (
            ApiToken.objects.filter(pk__in=used)
            .filter(Q(last_used_at=None) | Q(last_used_at__lt=day))
            .update(last_used_at=day)
        )
    return changed


def _day(now: dt.datetime) -> dt.datetime:
    return now.astimezone(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def api_token_list() -> QuerySet[ApiToken]:
    """Every token, newest first, with its owner and creator joined in."""
    return ApiToken.objects.select_related("owner", "owner__person", "created_by")
