"""Rate limits (core/ratelimit.py): counted in fixed windows aligned to the clock,
under keys that name no one and expire with their window, and never in the way
when the cache is down."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from django.core.cache import cache
from django.test import override_settings

from core.cachestate import cache_failure_forget, cache_failure_last
from core.ratelimit import MARGIN_SECONDS, limit_hit, limit_reached

# 10:00:00 UTC: window 493,298 of an hour starts here.
TEN = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
# Nothing listens on this port: a cache there is down.
DOWN_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:6399/0",
    }
}


def _entries() -> dict[str, float]:
    """The local-memory cache's keys and their expiry instants (epoch seconds)."""
    return dict(cache._expire_info)


def test_it_refuses_once_the_limit_is_reached_in_a_window(time_machine):
    time_machine.move_to(TEN, tick=False)

    counts = [limit_hit("post", "p42", window_seconds=600) for _ in range(3)]

    assert counts == [1, 2, 3]
    assert limit_reached("post", "p42", limit=3, window_seconds=600)
    assert not limit_reached("post", "p43", limit=3, window_seconds=600)
    assert not limit_reached("rate_output", "p42", limit=3, window_seconds=600)


def test_the_next_window_starts_from_nothing(time_machine):
    time_machine.move_to(TEN + dt.timedelta(minutes=9, seconds=59), tick=False)
    for _ in range(3):
        limit_hit("post", "p42", window_seconds=600)

    time_machine.move_to(TEN + dt.timedelta(minutes=10), tick=False)

    assert not limit_reached("post", "p42", limit=3, window_seconds=600)
    assert limit_hit("post", "p42", window_seconds=600) == 1


def test_a_key_names_neither_the_person_nor_the_scope(time_machine):
    time_machine.move_to(TEN, tick=False)

    limit_hit("post", "p42", window_seconds=600)
    limit_hit("survey-link", "203.0.113.9", window_seconds=3600)

    keys = list(_entries())
    assert len(keys) == 2
    for key in keys:
        assert "p42" not in key and "203.0.113.9" not in key
        assert "post" not in key and "survey-link" not in key
        window, digest = key.split(":")[-2:]
        assert window.isdigit() and len(digest) == 64  # HMAC-SHA256, hex


@override_settings(SECRET_KEY="another-key-entirely")
def test_the_key_depends_on_the_secret_key(time_machine):
    time_machine.move_to(TEN, tick=False)
    limit_hit("post", "p42", window_seconds=600)
    with override_settings(SECRET_KEY="test-only-not-secret"):
        limit_hit("post", "p42", window_seconds=600)

    assert len(_entries()) == 2


def test_a_key_and_its_expiry_are_the_same_whenever_in_the_window_it_was_hit(
    time_machine,
):
    time_machine.move_to(TEN + dt.timedelta(minutes=1, seconds=7), tick=False)
    limit_hit("post", "p42", window_seconds=600)
    first = _entries()

    time_machine.move_to(TEN + dt.timedelta(minutes=8, seconds=31), tick=False)
    limit_hit("post", "p42", window_seconds=600)
    limit_hit("post", "p7", window_seconds=600)

    window_end = (TEN + dt.timedelta(minutes=10)).timestamp()
    (key,) = first
    assert first[key] == pytest.approx(window_end + MARGIN_SECONDS, abs=1)
    # The second hit did not move the expiry to its own second; another person's
    # key expires at the same instant.
    assert set(_entries().values()) == {first[key]}
    assert str(int(TEN.timestamp() // 600)) in key


def test_it_lets_everything_through_and_says_so_when_the_cache_is_down(caplog):
    cache_failure_forget()

    with override_settings(CACHES=DOWN_CACHE), caplog.at_level(logging.WARNING):
        reached = limit_reached("post", "p42", limit=1, window_seconds=600)
        counted = limit_hit("post", "p42", window_seconds=600)

    assert (reached, counted) == (False, 0)
    assert "Rate limit post not checked" in caplog.text
    assert "p42" not in caplog.text
    assert cache_failure_last()["error"] == "ConnectionError"
    cache_failure_forget()
