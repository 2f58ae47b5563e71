"""What a mail server's refusal means, for everything that sends email (survey
invitations, board notices), and the connection to it each process keeps open.

A 5xx about the recipient is final for that email. A refusal of our own sender
address is not the recipient's fault: it would refuse every email alike, so it is
never a bounce. It is retried like a "try later", and /healthz reports it until
an email goes through again, so someone fixes the sender rather than every
address being marked bounced. That report lives in the cache; a cache that is
down loses it (logged) but never stops an email.
"""

from __future__ import annotations

import contextlib
import logging
import os
import select
import smtplib
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.mail import get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.utils import timezone

from core.cachestate import cache_failure_record

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
    report = {
        "at": timezone.now().isoformat(),
        "sender": str(exc.sender),
        "reply": f"{exc.smtp_code} {reply}",
    }
    try:
        cache.set(SENDER_REFUSED_KEY, report, timeout=None)
    except Exception as error:  # any cache backend error: the log above remains
        _cache_failed(error)


def sender_accepted() -> None:
    """An email went through: our sender is fine (again)."""
    try:
        if cache.get(SENDER_REFUSED_KEY) is not None:
            cache.delete(SENDER_REFUSED_KEY)
    except Exception as exc:  # any cache backend error: the email went anyway
        _cache_failed(exc)


def sender_refused_last() -> dict | None:
    """The last refusal of our sender, or None (also when the cache is down)."""
    try:
        return cache.get(SENDER_REFUSED_KEY)
    except Exception as exc:  # any cache backend error
        _cache_failed(exc)
        return None


def _cache_failed(exc: Exception) -> None:
    log.warning("The sender report could not use the cache: %r", exc)
    cache_failure_record(exc)


# --- the connection a thread keeps to the mail server ----------------------------

# A mailer sends email after email to the same server: one connection for many
# saves each email a TCP connect, the greeting, EHLO (and STARTTLS and AUTH with a
# relay) and QUIT, four of its seven round trips to a local server. Servers close
# connections idle too long (Postfix after 300 s by default, some relays sooner,
# and NAT tables forget them silently) and some cap the messages a connection
# carries (often at 100), so a connection idle for KEEP_IDLE_SECONDS or used for
# KEEP_MESSAGES is closed and a new one opened, as is one the server has closed
# or is closing (its socket readable while we wait for nothing: EOF or a 421).
KEEP_IDLE_SECONDS = 30.0
KEEP_MESSAGES = 100


@dataclass
class _Kept:
    backend: BaseEmailBackend
    key: tuple[object, ...]
    pid: int  # a forked child must not use (or QUIT) its parent's socket
    last_used: float
    messages: int = 0


# One a thread: a worker with a thread pool (Procfile.dev) must not send two
# conversations over one socket, nor close one under another thread's email.
_local = threading.local()


def _kept() -> _Kept | None:
    return getattr(_local, "kept", None)


def mail_connection() -> BaseEmailBackend:
    """An open connection to the mail server (an email backend).

    For the SMTP backends: the connection this thread keeps, opened if need be
    (so this raises what connecting raises: OSError, smtplib.SMTPException). For
    the others (locmem, file, console): a new backend each time, never kept.
    """
    key = _settings_key()
    kept = _kept()
    if kept is not None and (
        kept.pid != os.getpid()
        or kept.key != key
        or kept.messages >= KEEP_MESSAGES
        or time.monotonic() - kept.last_used > KEEP_IDLE_SECONDS
        or _closed_by_server(kept.backend)
    ):
        mail_connection_close()
        kept = None
    if kept is not None:
        return kept.backend
    backend = get_connection()
    if not isinstance(backend, SMTPBackend):
        return backend
    backend.open()
    _local.kept = _Kept(backend, key, os.getpid(), last_used=time.monotonic())
    return backend


def mail_connection_used(*, ok: bool) -> None:
    """After a message over `mail_connection()`'s connection: count it, or after
    any error drop the connection without a word (its SMTP state is not known: a
    transaction left open, a server that stopped answering), so the next message
    opens a new one."""
    kept = _kept()
    if kept is None:
        return
    if ok:
        kept.messages += 1
        kept.last_used = time.monotonic()
    else:
        mail_connection_close(quit=False)


def mail_connection_close(*, quit: bool = True) -> None:
    """Close this thread's kept connection, if any: with QUIT, or (`quit`
    False) by closing the socket alone. Errors are ignored: a connection closing
    for good has nothing left to lose."""
    kept, _local.kept = _kept(), None
    if kept is None or kept.pid != os.getpid():
        return
    smtp = kept.backend.connection
    try:
        if quit:
            kept.backend.close()
    except (smtplib.SMTPException, OSError) as exc:
        log.debug("Closing the kept mail connection: %r", exc)
    finally:
        kept.backend.connection = None
        if smtp is not None:
            with contextlib.suppress(OSError):
                smtp.close()


def _closed_by_server(backend: SMTPBackend) -> bool:
    """True if the server closed the connection or said something unasked (a
    421 before closing): between messages it has nothing else to say. One
    system call, no round trip."""
    connection = backend.connection
    sock = getattr(connection, "sock", None)
    if sock is None:
        return True
    try:
        readable, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):  # closed underneath us
        return True
    return bool(readable)


def _settings_key() -> tuple[object, ...]:
    """The settings a connection was opened with: tests (and a settings change)
    get a new one, never one to another server."""
    return tuple(
        getattr(settings, name, None)
        for name in (
            "EMAIL_BACKEND",
            "EMAIL_HOST",
            "EMAIL_PORT",
            "EMAIL_HOST_USER",
            "EMAIL_HOST_PASSWORD",
            "EMAIL_USE_TLS",
            "EMAIL_USE_SSL",
            "EMAIL_TIMEOUT",
        )
    )
