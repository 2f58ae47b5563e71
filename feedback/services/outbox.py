"""Sending the board's notices (the outbox): each one at most once (`core.delivery`).

A notice is written with its cause (`feedback.services.notify`); here it is sent.
What is the board's own: a notice is claimed by a conditional UPDATE of `sent_at`,
a permanent refusal marks it failed, and a follow-up whose reason is gone by the
time it would be sent is cancelled instead.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import QuerySet
from django.utils import timezone

from core.delivery import Sent, send_once
from core.dispatch import unqueued_since
from feedback.models import CLOSED, Notice, Status

log = logging.getLogger(__name__)


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
    return send_once(_NoticeEmail(notice, now=now))


@dataclass
class _NoticeEmail:
    """One notice, as `core.delivery.send_once` sends it."""

    notice: Notice
    now: dt.datetime

    def __str__(self) -> str:
        return f"notice {self.notice.pk} ({self.notice.kind})"

    def claim(self) -> bool:
        claimed = Notice.objects.filter(
            pk=self.notice.pk, sent_at=None, failed_at=None, cancelled_at=None
        ).update(sent_at=self.now, queued_at=None)
        if not claimed:
            _unqueue(self.notice.pk)
        return bool(claimed)

    def deliver(self) -> None:
        EmailMessage(
            subject=self.notice.subject,
            body=self.notice.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[self.notice.person.email],
        ).send()

    def release(self) -> None:
        Notice.objects.filter(pk=self.notice.pk, sent_at=self.now).update(
            sent_at=None, queued_at=self.now
        )

    def refuse(self, exc: Exception) -> None:
        Notice.objects.filter(pk=self.notice.pk).update(
            sent_at=None, failed_at=self.now
        )


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


def _unqueue(notice_id: int) -> None:
    Notice.objects.filter(pk=notice_id).exclude(queued_at=None).update(queued_at=None)
