"""Sealing an anonymous response until its batch is released (design, invariant 2).

AES-256-GCM under a key derived (HKDF-SHA256) from SECRET_KEY; every key in
SECRET_KEY_FALLBACKS opens too, so rotating the secret loses nothing still waiting.
Not Fernet: a Fernet token carries the second it was made in clear, and time is
exactly what a sealed row must not tell.

Every plaintext is padded to a size fixed in advance (per survey for the answers),
so a ciphertext's length says nothing about what it holds: a long comment would
otherwise be matched to its released text by the size of its sealed row.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterable
from functools import cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

NONCE_BYTES = 12
LENGTH_BYTES = 4  # the plaintext's length, before the padding
BLOCK = 1024  # sizes are whole blocks
# JSON of a team id, a department id and a segment of at most 80 characters.
GROUP_SIZE = BLOCK
# What one answer can take as JSON: its question id, kind and value. A character
# takes at most 6 bytes (a control character escaped as \u00XX).
_PER_ANSWER = 64
_WIDEST = {"free_text": 4000, "single_choice": 200, "ai_accuracy": 200}
_NUMBER = 16  # max_digits 5, one decimal: "-9999.9"


class Unreadable(Exception):
    """No key we hold opens this: not sealed by us, altered, or its key retired."""


def answers_size(kinds: Iterable[str]) -> int:
    """The padded size of the answers to a survey whose questions have `kinds`."""
    widest = sum(_PER_ANSWER + 6 * _WIDEST.get(kind, _NUMBER) for kind in kinds)
    return BLOCK * math.ceil((BLOCK + widest) / BLOCK)


def seal(data: object, *, size: int, context: bytes) -> bytes:
    """`data` as JSON, padded to `size` bytes and encrypted under the current key.

    `context` (authenticated, not stored) ties the ciphertext to where it belongs;
    `unseal` must be given the same. A plaintext larger than `size` (only possible
    past the forms' limits) takes the next multiple of it.
    """
    plain = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    framed = len(plain).to_bytes(LENGTH_BYTES, "big") + plain
    padded = framed.ljust(size * math.ceil(len(framed) / size), b"\0")
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(_key(settings.SECRET_KEY)).encrypt(nonce, padded, context)


def unseal(sealed: bytes, *, context: bytes) -> object:
    """The data `seal` was given; raises Unreadable if no key we hold opens it."""
    sealed = bytes(sealed)  # PostgreSQL hands back a memoryview
    nonce, body = sealed[:NONCE_BYTES], sealed[NONCE_BYTES:]
    for secret in [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]:
        try:
            padded = AESGCM(_key(secret)).decrypt(nonce, body, context)
        except InvalidTag:
            continue
        length = int.from_bytes(padded[:LENGTH_BYTES], "big")
        return json.loads(padded[LENGTH_BYTES : LENGTH_BYTES + length])
    raise Unreadable("no current or fallback key opens this sealed response")


@cache
def _key(secret: str) -> bytes:
    # A key of its own, so nothing else derived from SECRET_KEY (sessions, signed
    # values, the comments' order) can open a sealed response, or the reverse.
    return HKDF(
        algorithm=SHA256(), length=32, salt=None, info=b"candor sealed responses v1"
    ).derive(secret.encode())
