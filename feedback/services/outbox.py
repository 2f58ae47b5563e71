"""Sending the board's notices (the outbox): each one at most once (`core.delivery`).

A notice is written with its cause (`feedback.services.notify`); here it is sent.
What is the board's own: a notice is claimed by a conditional UPDATE of `sent_at`,
whose instant is the claim's lease and token (`send_state` says where the send
stands); a claim a killed worker left behind is taken over once its lease runs
out. A permanent refusal marks it failed; a notice handed to the mail server whose
reply was lost is marked fate unknown, never sent again, and counted for HR
(`feedback.selectors.notices_fate_unknown`); a follow-up whose reason is gone by
the time it would be sent is cancelled instead.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import QuerySet
from django.utils import timezone

from core.delivery import RowSend, Sent, send_once, takeable
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
        Notice.objects.filter(takeable(now), pk=notice_id).update(
            cancelled_at=now, queued_at=None, sent_at=None, send_state=""
        )
        return Sent.SKIPPED
    if not notice.person.email:
        # Nobody to write to: as final for this notice as a 550.
        Notice.objects.filter(takeable(now), pk=notice_id).update(
            failed_at=now, sent_at=None, send_state=""
        )
        return Sent.BOUNCED
    return send_once(_NoticeEmail(notice, now=now))


class _NoticeEmail(RowSend):
    """One notice, as `core.delivery.send_once` sends it."""

    def __str__(self) -> str:
        return f"notice {self.row.pk} ({self.row.kind})"

    def message(self) -> EmailMessage:
        return EmailMessage(
            subject=self.row.subject,
            body=self.row.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[self.row.person.email],
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


def notices_to_send(
    *, now: dt.datetime | None = None, unqueued_before: dt.datetime | None = None
) -> QuerySet[Notice]:
    """Notices neither sent nor failed, to people still here, with those whose
    claim's lease ran out by `now` (default: the current time) before they were
    handed over; with `unqueued_before`, only those not handed to the broker since
    then."""
    notices = Notice.objects.filter(
        takeable(now or timezone.now()),
        failed_at=None,
        cancelled_at=None,
        person__user__is_active=True,
    )
    if unqueued_before is not None:
        notices = notices.filter(unqueued_since(unqueued_before))
    return notices.order_by("pk")


def _unqueue(notice_id: int) -> None:
    Notice.objects.filter(pk=notice_id).exclude(queued_at=None).update(queued_at=None)
