"""Invitation links: 256 random bits from `secrets`, of which only a SHA-256 is kept.

A plain (unsalted) SHA-256 is enough here, unlike for passwords: the token is random
and long, so there is no dictionary to try, and an exact-match lookup by hash stays
an indexed query.
"""

from __future__ import annotations

import hashlib
import secrets

TOKEN_BYTES = 32  # 256 bits; the issue asks for at least 128


def token_new() -> tuple[str, str]:
    """A fresh (token, hash) pair. Put the token in the link; store only the hash."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, token_hash(token)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
