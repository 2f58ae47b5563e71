"""Limits on signing in and on asking for a new password.

Wrong passwords are counted by django-axes (settings: AXES_*), per account and client
address; here is what it asks of us. Password-reset requests are counted per client
address with the project's rate-limit helper, imported here and nowhere else in org.
"""

from __future__ import annotations

import datetime as dt

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.http import HttpRequest

from core.ratelimit import limit_hit
from org.models import normalise_email

RESET_WINDOW_SECONDS = 3600


class TooManyResetRequests(Exception):
    """This address asked for more password-reset emails than an hour allows."""


# Django's sign-in forms do not enforce the username's length, and axes keeps the
# username in a column of this many characters: longer would be a server error on
# PostgreSQL. No address is that long (254 at most), so the cut merges no accounts.
USERNAME_KEPT = AccessAttempt._meta.get_field("username").max_length


def signin_username(request: HttpRequest, credentials: dict | None) -> str:
    """The account a sign-in attempt is counted against (AXES_USERNAME_CALLABLE):
    the address as stored, so `Ana@X` and `ana@x` share one count."""
    if credentials and credentials.get("username") is not None:
        return normalise_email(credentials["username"])[:USERNAME_KEPT]
    return normalise_email(request.POST.get("username"))[:USERNAME_KEPT]


def signin_locked_until(*, username: str, address: str | None) -> dt.datetime | None:
    """When the pause on this account from this address ends: a cool-off after the
    failure that started it. None when axes keeps no such record."""
    attempt = (
        AccessAttempt.objects.filter(username=username, ip_address=address)
        .order_by("-attempt_time")
        .first()
    )
    cool_off = get_cool_off()
    if attempt is None or cool_off is None:
        return None
    return attempt.attempt_time + cool_off


def password_reset_request_record(*, address: str) -> None:
    """Count one request for a password-reset email from this client address;
    raises TooManyResetRequests once the hour's PASSWORD_RESET_LIMIT is spent."""
    count = limit_hit("password-reset", address, window_seconds=RESET_WINDOW_SECONDS)
    if count > settings.PASSWORD_RESET_LIMIT:
        raise TooManyResetRequests
