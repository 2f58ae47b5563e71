"""Sending one email at most once: survey invitations, reminders, board notices.

Each send first claims its work with a conditional UPDATE (the app says what: the
invitation not yet sent, the reminder step not yet taken, the notice not yet sent),
so two workers, a re-delivered task or a re-run tick cannot send the same email
twice. The claim is undone only when the mail server says "try later" (the task
retries with `RETRY`); a permanent refusal is marked and never tried again.

At most once, not exactly once: a worker killed between its claim and the SMTP
conversation loses that one email rather than risk sending two.

Every outcome is decided in `send_once` alone. A new one (say, "handed to the mail
server, its reply lost: never re-send, count it") is a member of `Sent` and a branch
in `_after_failure`; the ticks count outcomes by their value (`core.ticks`).
"""

from __future__ import annotations

import enum
import logging
import smtplib
from typing import Protocol

from django.core.mail import BadHeaderError

from core.mail import refusal_is_permanent, sender_accepted

log = logging.getLogger(__name__)


class TemporaryDeliveryError(Exception):
    """The mail server could not take the message now; try again later."""


class Sent(enum.StrEnum):
    SENT = "sent"
    BOUNCED = "bounced"
    SKIPPED = "skipped"  # nothing to do: already sent, answered, closed or claimed


# Temporary SMTP trouble: retry with exponential backoff (up to 10 minutes apart)
# and jitter, so a recovering mail server is not hit by every worker at once.
RETRY = {
    "autoretry_for": (TemporaryDeliveryError,),
    "retry_backoff": 30,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 8,
}


class OnceSend(Protocol):
    """One email and its claim, as an app defines them. `str()` names it in logs."""

    def claim(self) -> bool:
        """Take the work with a conditional UPDATE; False if it is not (or no
        longer) there to take."""

    def deliver(self) -> None:
        """Build the message and hand it to the mail server (may raise
        smtplib.SMTPException or OSError)."""

    def release(self) -> None:
        """Undo the claim: the mail server said "try later"."""

    def refuse(self, exc: Exception) -> None:
        """Record a permanent refusal: the email is never tried again."""


def send_once(email: OnceSend) -> Sent:
    """Claim, deliver, and say what happened.

    Raises TemporaryDeliveryError (the claim undone) when the mail server cannot
    take the message now: a 4xx, our sender refused, a refused connection, a
    timeout or a disconnect.
    """
    if not email.claim():
        return Sent.SKIPPED
    try:
        email.deliver()
    except BadHeaderError as exc:
        # The message itself cannot be sent (a header it cannot carry): no retry
        # would help, and it must never count as sent.
        email.refuse(exc)
        log.error("%s cannot be sent as written: %s", email, exc)
        return Sent.BOUNCED
    except (smtplib.SMTPException, OSError) as exc:
        return _after_failure(email, exc)
    sender_accepted()
    log.info("Sent %s", email)
    return Sent.SENT


def _after_failure(email: OnceSend, exc: smtplib.SMTPException | OSError) -> Sent:
    if refusal_is_permanent(exc):
        email.refuse(exc)
        log.warning("%s refused permanently: %s", email, exc)
        return Sent.BOUNCED
    email.release()
    raise TemporaryDeliveryError(str(exc)) from exc
