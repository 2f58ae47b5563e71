"""The API's read limits, counted like every limit in Candor (`core.ratelimit`): the
cache holds keyed hashes in clock-aligned windows, so it says neither which person
or address called nor when (DRF's own throttles keep `throttle_user_<id>` with each
request's time, which would date an anonymous concern raised through the API), and
a cache outage lets requests through instead of failing them."""

from __future__ import annotations

import time

from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle

from core.ratelimit import limit_hit, limit_reached


class _WindowThrottle(BaseThrottle):
    scope = ""

    def __init__(self) -> None:
        rate = api_settings.DEFAULT_THROTTLE_RATES[self.scope]
        self.limit, self.window = SimpleRateThrottle.parse_rate(None, rate)

    def who(self, request) -> str | None:
        raise NotImplementedError

    def allow_request(self, request, view) -> bool:
        who = self.who(request)
        if who is None:
            return True
        scope = f"api-{self.scope}"
        if limit_reached(scope, who, limit=self.limit, window_seconds=self.window):
            return False
        limit_hit(scope, who, window_seconds=self.window)
        return True

    def wait(self) -> float:
        """Seconds until the window ends (Retry-After)."""
        return self.window - time.time() % self.window


class UserRate(_WindowThrottle):
    """Per signed-in person (`API_RATE_USER`)."""

    scope = "user"

    def who(self, request) -> str | None:
        user = request.user
        return f"p{user.pk}" if user and user.is_authenticated else None


class AnonRate(_WindowThrottle):
    """Per address, for callers not signed in (`API_RATE_ANON`)."""

    scope = "anon"

    def who(self, request) -> str | None:
        user = request.user
        return None if user and user.is_authenticated else self.get_ident(request)
