"""Sending one email at most once: survey invitations, reminders, board notices.

A send moves through three states, each written with a conditional UPDATE that
only the holder of the current claim can make (the app keys it on the claim's own
instant):

- **claimed**: the work is taken (the invitation not yet sent, the reminder step
  not yet taken, the notice not yet sent), so two workers, a re-delivered task or
  a re-run tick cannot send it twice;
- **handed**: written right before the message body goes to the mail server
  (`core.smtp` calls back here after RCPT, before DATA). Only the current claim can
  hand over, so an email is never sent by two holders;
- **accepted**: the server answered 250 to the body.

The ends: **refused** (a permanent 5xx: marked, never tried again) and **fate
unknown**: handed, but the server's reply to the body was lost (a timeout, a
disconnect). The server may well have stored it, so it is never sent again; it is
counted, and HR and /healthz show how many. Trouble before the body went out (a
refused connection, a 4xx, a drop before DATA) undoes the claim and the task
retries (`RETRY`); an explicit 4xx/5xx reply to the body is an answer like any
other; an error after the 250 (on QUIT, say) is still "sent".

A claim is a lease: a claim never handed over and older than `CLAIM_LEASE` belongs
to a worker that died (SIGKILL, a lost machine), and a new claim may take it over,
so the dispatcher re-queues it. At most once still holds: a worker whose lease was
taken over can no longer hand over, and gives up. A worker killed after handing
over leaves the send handed: its fate is unknown, and it is not sent again.

Backends that do not speak SMTP themselves (locmem, file, console) never call
back: a clean return means accepted.

Sends go over the connection each process (each thread) keeps to the mail server
(`core.mail.mail_connection`), closed after any error: where a conversation broke
means the same on a kept connection as on a new one.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import enum
import logging
import smtplib
from dataclasses import dataclass
from typing import Protocol

from django.core.mail import BadHeaderError, EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.db import models
from django.db.models import Q, QuerySet

from core.mail import (
    mail_connection,
    mail_connection_used,
    refusal_is_permanent,
    sender_accepted,
)

log = logging.getLogger(__name__)

# How long a claim never handed over is its holder's. It must outlast the worst
# time from claim to DATA: building the message, then connect, EHLO, STARTTLS,
# EHLO again, AUTH (up to two exchanges), MAIL and RCPT, each of which may wait
# EMAIL_TIMEOUT (10 s by default): about 80 s. Five minutes leaves room for a
# slower mail server or an EMAIL_TIMEOUT of up to 30 s; a lease too short only
# wastes work (the first holder can no longer hand over), never sends twice.
CLAIM_LEASE = dt.timedelta(minutes=5)


class SendState(models.TextChoices):
    """Where a send is; "" (the default) means none is under way."""

    CLAIMED = "claimed", "Claimed"
    HANDED = "handed", "Handed to the mail server"
    ACCEPTED = "accepted", "Accepted by the mail server"
    FATE_UNKNOWN = "unknown", "Handed over, the server's reply lost"


class TemporaryDeliveryError(Exception):
    """The mail server could not take the message now; try again later."""


class DeliveryFateUnknown(smtplib.SMTPException):
    """The message body went to the mail server, but its reply was lost.

    An SMTPException, so code that sends mail outside `send_once` (a password
    reset) treats it like any other SMTP failure.
    """


class ClaimTakenOver(Exception):
    """Our claim's lease ran out and another claim took it: we must not send."""


class Sent(enum.StrEnum):
    SENT = "sent"
    BOUNCED = "bounced"
    FATE_UNKNOWN = "fate_unknown"  # handed over, the reply lost: never re-sent
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
    """One email and its claim, as an app defines them. `str()` names it in logs.

    Every method but `claim` keys its UPDATE on the claim's own instant, so it
    changes nothing once another claim has taken the lease over.
    """

    def claim(self) -> bool:
        """Take the work (or a lease older than CLAIM_LEASE never handed over) with
        a conditional UPDATE; False if it is not (or no longer) there to take."""

    def hand(self) -> bool:
        """claimed -> handed, right before the body goes out; False if our claim
        was taken over (then nothing is sent)."""

    def deliver(self, connection: BaseEmailBackend) -> None:
        """Build the message and send it over `connection`, an open email backend
        (may raise smtplib.SMTPException or OSError)."""

    def accept(self) -> None:
        """claimed or handed -> accepted: the server took the message."""

    def release(self) -> None:
        """Undo the claim: the message never reached the server, try later."""

    def refuse(self, exc: Exception) -> None:
        """Record a permanent refusal: the email is never tried again."""

    def fate_unknown(self, exc: Exception) -> None:
        """handed -> fate unknown: count it; the email is never sent again."""


def takeable(now: dt.datetime) -> Q:
    """A row send (`RowSend`) free to claim at `now`: never sent, or claimed and
    never handed over with its lease run out (its worker died)."""
    return Q(sent_at=None) | Q(
        send_state=SendState.CLAIMED, sent_at__lt=now - CLAIM_LEASE
    )


@dataclass
class RowSend:
    """One email whose claim lives on a row of its own, as `send_once` sends it:
    board notices and welcome emails.

    The row has `sent_at` (the claim's instant: its lease and its token),
    `send_state`, `failed_at`, `cancelled_at` and `queued_at`. A subclass gives
    `message()` and `__str__`.
    """

    row: models.Model
    now: dt.datetime

    def message(self) -> EmailMessage:
        raise NotImplementedError

    def claim(self) -> bool:
        claimed = (
            self._row()
            .filter(takeable(self.now), failed_at=None, cancelled_at=None)
            .update(sent_at=self.now, send_state=SendState.CLAIMED, queued_at=None)
        )
        if not claimed:  # someone else's, or done: no longer queued by us
            self._row().exclude(queued_at=None).update(queued_at=None)
        return bool(claimed)

    def hand(self) -> bool:
        return bool(self._ours(SendState.CLAIMED).update(send_state=SendState.HANDED))

    def deliver(self, connection: BaseEmailBackend) -> None:
        message = self.message()
        message.connection = connection
        message.send()

    def accept(self) -> None:
        self._ours(SendState.CLAIMED, SendState.HANDED).update(
            send_state=SendState.ACCEPTED
        )

    def release(self) -> None:
        self._ours(SendState.CLAIMED, SendState.HANDED).update(
            sent_at=None, send_state="", queued_at=self.now
        )

    def refuse(self, exc: Exception) -> None:
        self._row().update(sent_at=None, send_state="", failed_at=self.now)

    def fate_unknown(self, exc: Exception) -> None:
        self._ours(SendState.HANDED).update(send_state=SendState.FATE_UNKNOWN)

    def _row(self) -> QuerySet:
        return type(self.row)._default_manager.filter(pk=self.row.pk)

    def _ours(self, *states: SendState) -> QuerySet:
        """This claim's row (its instant is the token), while in `states`."""
        return self._row().filter(sent_at=self.now, send_state__in=states)


@dataclass
class _Conversation:
    """The send under way in this context, as the SMTP backend reports on it."""

    email: OnceSend
    handed: bool = False
    accepted: bool = False


_current: contextvars.ContextVar[_Conversation | None] = contextvars.ContextVar(
    "candor_send", default=None
)


def body_about_to_go() -> None:
    """Called by `core.smtp` after RCPT, right before DATA: the current send (if
    any) records that it hands the message over.

    Raises ClaimTakenOver when our lease was taken over: the body must not go.
    """
    conversation = _current.get()
    if conversation is None:
        return
    if not conversation.email.hand():
        raise ClaimTakenOver(f"{conversation.email}: another claim took it over")
    conversation.handed = True


def body_accepted() -> None:
    """Called by `core.smtp` on the server's 250 to the body."""
    conversation = _current.get()
    if conversation is None or conversation.accepted:
        return
    conversation.email.accept()
    conversation.accepted = True


def send_once(email: OnceSend) -> Sent:
    """Claim, deliver, and say what happened.

    Raises TemporaryDeliveryError (the claim undone) when the mail server could
    not take the message: a 4xx, our sender refused, a refused connection, or a
    timeout or disconnect before the body went out.
    """
    if not email.claim():
        return Sent.SKIPPED
    conversation = _Conversation(email)
    token = _current.set(conversation)
    try:
        _deliver(email)
    except ClaimTakenOver as exc:
        log.warning("%s", exc)
        return Sent.SKIPPED
    except DeliveryFateUnknown as exc:
        email.fate_unknown(exc)
        log.error("%s: handed to the mail server, its reply lost: %s", email, exc)
        return Sent.FATE_UNKNOWN
    except BadHeaderError as exc:
        # The message itself cannot be sent (a header it cannot carry): no retry
        # would help, and it must never count as sent.
        email.refuse(exc)
        log.error("%s cannot be sent as written: %s", email, exc)
        return Sent.BOUNCED
    except (smtplib.SMTPException, OSError) as exc:
        if not conversation.accepted:
            return _after_failure(email, exc)
        log.info("%s: accepted; the error after it changes nothing: %s", email, exc)
    finally:
        _current.reset(token)
    if not conversation.accepted:
        email.accept()  # a backend that does not call back: a clean return
    sender_accepted()
    log.info("Sent %s", email)
    return Sent.SENT


def _deliver(email: OnceSend) -> None:
    """Deliver over the connection this thread keeps to the mail server; after
    any error it is closed, so the next email opens a new one."""
    connection = mail_connection()
    try:
        email.deliver(connection)
    except BaseException:
        mail_connection_used(ok=False)
        raise
    mail_connection_used(ok=True)


def _after_failure(email: OnceSend, exc: smtplib.SMTPException | OSError) -> Sent:
    if refusal_is_permanent(exc):
        email.refuse(exc)
        log.warning("%s refused permanently: %s", email, exc)
        return Sent.BOUNCED
    email.release()
    raise TemporaryDeliveryError(str(exc)) from exc
