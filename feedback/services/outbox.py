"""Sending the board's notices (the outbox): each one at most once.

A notice is written with its cause (`feedback.services.notify`); here it is sent.
The send first claims the notice with a conditional UPDATE of `sent_at`, so two
workers, a re-delivered task or a re-run tick cannot email it twice. The claim is
undone only when the mail server says "try later"; a permanent refusal marks the
notice failed and it is never tried again.

At most once, not exactly once: a worker killed between its claim and the SMTP
conversation loses that one email (as for survey invitations).
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import QuerySet
from django.utils import timezone

from core.dispatch import unqueued_since
from core.mail import refusal_is_permanent, sender_accepted
from feedback.models import CLOSED, Notice, Status
from surveys.services.delivery import Sent, TemporaryDeliveryError

log = logging.getLogger(__name__)

__all__ = [
    "Sent",
    "TemporaryDeliveryError",
    "notice_send",
    "notices_to_send",
]


def notice_send(notice_id: int, *, now: dt.datetime | None = None) -> Sent:
    """Email one notice to its person, unless it was sent, failed or is claimed.

    Raises TemporaryDeliveryError when the mail server cannot take it now; the
    notice is then free again and marked queued, so the task's own retry comes back
    for it and a dispatcher only re-queues it once that mark is stale.
    """
    now = now or timezone.now()
    notice = (
        Notice.objects.select_related("person__user", "concern")
        .filter(pk=notice_id)
        .first()
    )
    if notice is None or not notice.person.is_active:
        _unqueue(notice_id)
        return Sent.SKIPPED
    if _overtaken(notice):
        Notice.objects.filter(pk=notice_id, sent_at=None).update(
            cancelled_at=now, queued_at=None
        )
        return Sent.SKIPPED
    if not notice.person.email:
        # Nobody to write to: as final for this notice as a 550.
        Notice.objects.filter(pk=notice_id, sent_at=None).update(failed_at=now)
        return Sent.BOUNCED
    claimed = Notice.objects.filter(
        pk=notice_id, sent_at=None, failed_at=None, cancelled_at=None
    ).update(sent_at=now, queued_at=None)
    if not claimed:
        _unqueue(notice_id)
        return Sent.SKIPPED
    try:
        _deliver(notice)
    except (smtplib.SMTPException, OSError) as exc:
        if refusal_is_permanent(exc):
            Notice.objects.filter(pk=notice_id).update(sent_at=None, failed_at=now)
            log.warning("Notice %s refused permanently: %s", notice_id, exc)
            return Sent.BOUNCED
        Notice.objects.filter(pk=notice_id, sent_at=now).update(
            sent_at=None, queued_at=now
        )
        raise TemporaryDeliveryError(str(exc)) from exc
    sender_accepted()
    log.info("Sent notice %s (%s)", notice_id, notice.kind)
    return Sent.SENT


def _overtaken(notice: Notice) -> bool:
    """A follow-up whose reason is gone by the time it would be sent."""
    concern = notice.concern
    if concern is None:
        return False
    closed = concern.status in CLOSED or concern.merged_into_id or concern.hidden_at
    if notice.kind in (Notice.Kind.REMINDER, Notice.Kind.ESCALATION):
        return bool(closed or concern.first_responded_at)
    if notice.kind == Notice.Kind.NUDGE:
        return bool(
            concern.status != Status.IN_PROGRESS
            or concern.last_activity_at > notice.created_at
        )
    return False


def notices_to_send(*, unqueued_before: dt.datetime | None = None) -> QuerySet[Notice]:
    """Notices neither sent nor failed, to people still here; with
    `unqueued_before`, only those not handed to the broker since then."""
    notices = Notice.objects.filter(
        sent_at=None, failed_at=None, cancelled_at=None, person__user__is_active=True
    )
    if unqueued_before is not None:
        notices = notices.filter(unqueued_since(unqueued_before))
    return notices.order_by("pk")


def _deliver(notice: Notice) -> None:
    EmailMessage(
        subject=notice.subject,
        body=notice.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notice.person.email],
    ).send()


def _unqueue(notice_id: int) -> None:
    Notice.objects.filter(pk=notice_id).exclude(queued_at=None).update(queued_at=None)
