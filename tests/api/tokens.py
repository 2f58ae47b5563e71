"""A read-write API token for tests, as HR would create one."""

from __future__ import annotations

from django.utils import timezone

from api.tokens import api_token_create


def token_for(user, scope: str = "write") -> str:
    """A new token for `user`'s account; the key to send."""
    return api_token_create(
        owner=user, name="test", scope=scope, now=timezone.now()
    ).key
