"""What a mail server's refusal means, for everything that sends email (survey
invitations, board notices).

A 5xx about the recipient is final for that email. A refusal of our own sender
address is not the recipient's fault: it would refuse every email alike, so it is
never a bounce. It is retried like a "try later", and /healthz reports it until
an email goes through again, so someone fixes the sender rather than every
address being marked bounced.
"""

from __future__ import annotations

import logging
import smtplib

from django.core.cache import cache
from django.utils import timezone

log = logging.getLogger(__name__)

SENDER_REFUSED_KEY = "candor:mail-sender-refused"


def refusal_is_permanent(exc: Exception) -> bool:
    """True for a 5xx refusal of the recipient or the message; False for "try
    later": a 4xx answer, our sender refused, a refused connection, a timeout or a
    disconnect (the server may be back soon)."""
    if isinstance(exc, smtplib.SMTPSenderRefused):
        sender_refused_record(exc)
        return False
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        return not (codes and all(400 <= code < 500 for code in codes))
    if isinstance(exc, smtplib.SMTPResponseException):
        return 500 <= exc.smtp_code < 600
    return False


def sender_refused_record(exc: smtplib.SMTPSenderRefused) -> None:
    reply = exc.smtp_error
    if isinstance(reply, bytes):
        reply = reply.decode(errors="replace")
    log.error(
        "The mail server refused our sender %s: %s %s", exc.sender, exc.smtp_code, reply
    )
    cache.set(
        SENDER_REFUSED_KEY,
        {
            "at": timezone.now().isoformat(),
            "sender": str(exc.sender),
            "reply": f"{exc.smtp_code} {reply}",
        },
        timeout=None,
    )


def sender_accepted() -> None:
    """An email went through: our sender is fine (again)."""
    if cache.get(SENDER_REFUSED_KEY) is not None:
        cache.delete(SENDER_REFUSED_KEY)


def sender_refused_last() -> dict | None:
    return cache.get(SENDER_REFUSED_KEY)
