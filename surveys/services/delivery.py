"""Sending invitations and reminders: each email at most once.

Every send first claims its work with a conditional UPDATE (the invitation not yet
sent; the reminder step not yet taken), so two workers, a re-delivered task or a
re-run tick cannot send the same email twice. The claim is undone only when the
mail server says "try later"; a permanent refusal marks the address bounced.

At most once, not exactly once: a worker killed between its claim and the SMTP
conversation loses that one email. The recipient's reminders still reach them.
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
import smtplib
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from core.dispatch import unqueued_since
from core.mail import refusal_is_permanent, sender_accepted
from surveys.cadence import local_instant
from surveys.emails import survey_message
from surveys.models import Invitation, InvitationToken, Round
from surveys.tokens import token_new

log = logging.getLogger(__name__)

WEEKEND = (5, 6)


class TemporaryDeliveryError(Exception):
    """The mail server could not take the message now; try again later."""


class Sent(enum.StrEnum):
    SENT = "sent"
    BOUNCED = "bounced"
    SKIPPED = "skipped"  # nothing to do: already sent, answered, closed or claimed


def invitation_send(invitation_id: int, *, now: dt.datetime | None = None) -> Sent:
    now = now or timezone.now()
    invitation = _load(invitation_id)
    if (
        invitation is None
        or not _still_open(invitation.round, now)
        or not invitation.recipient.is_active
    ):
        _unqueue(invitation_id)
        return Sent.SKIPPED
    claimed = Invitation.objects.filter(
        pk=invitation_id, sent_at=None, bounced_at=None, answered=False
    ).update(sent_at=now, queued_at=None)
    if not claimed:
        _unqueue(invitation_id)
        return Sent.SKIPPED
    try:
        return _deliver(invitation, now=now, reminder_step=0)
    except TemporaryDeliveryError:
        # queued_at=now: the task's own retry (with backoff) comes back for it, and
        # a dispatcher only re-queues it if that retry is lost too.
        Invitation.objects.filter(pk=invitation_id, sent_at=now).update(
            sent_at=None, queued_at=now
        )
        raise


def reminder_send(
    invitation_id: int, step: int, *, now: dt.datetime | None = None
) -> Sent:
    """Send reminder number `step` (1-based) if it has not been sent."""
    now = now or timezone.now()
    invitation = _load(invitation_id)
    if (
        invitation is None
        or not _still_open(invitation.round, now)
        or not 1 <= step <= invitation.round.survey.reminder_count
        or _is_weekend(now)
    ):
        _unqueue(invitation_id)
        return Sent.SKIPPED
    previous = invitation.last_reminded_at
    claimed = Invitation.objects.filter(
        pk=invitation_id,
        reminders_sent=step - 1,
        sent_at__isnull=False,
        bounced_at=None,
        answered=False,
    ).update(reminders_sent=step, last_reminded_at=now, queued_at=None)
    if not claimed:
        _unqueue(invitation_id)
        return Sent.SKIPPED
    try:
        return _deliver(invitation, now=now, reminder_step=step)
    except TemporaryDeliveryError:
        Invitation.objects.filter(pk=invitation_id, reminders_sent=step).update(
            reminders_sent=step - 1, last_reminded_at=previous, queued_at=now
        )
        raise


def invitations_to_send(
    *, now: dt.datetime, unqueued_before: dt.datetime | None = None
) -> QuerySet[Invitation]:
    """Invitations of open rounds not yet sent; with `unqueued_before`, only those
    not handed to the broker since then."""
    invitations = Invitation.objects.filter(
        sent_at=None,
        bounced_at=None,
        answered=False,
        round__closed_at=None,
        round__closes_at__gt=now,
    )
    if unqueued_before is not None:
        invitations = invitations.filter(unqueued_since(unqueued_before))
    return invitations.order_by("pk")


def reminder_due_at(round_: Round, step: int) -> dt.datetime | None:
    """When reminder `step` of a round falls due, or None if never.

    The first on the day of the window's midpoint, then one every
    `reminder_interval_days`, each at the survey's start time of day (a reminder at
    21:00 helps nobody); a step that would fall at or after closing is never sent.
    """
    survey = round_.survey
    if not 1 <= step <= survey.reminder_count:
        return None
    tz = ZoneInfo(settings.TIME_ZONE)
    midpoint = round_.starts_at + (round_.closes_at - round_.starts_at) / 2
    day = midpoint.astimezone(tz).date() + dt.timedelta(
        days=survey.reminder_interval_days * (step - 1)
    )
    due = local_instant(day, survey.start_time, tz).astimezone(dt.UTC)
    return due if round_.starts_at < due < round_.closes_at else None


def reminders_due(
    *,
    now: dt.datetime,
    unqueued_before: dt.datetime | None = None,
    limit: int | None = None,
) -> list[tuple[int, int]]:
    """(invitation id, step) for every reminder due at `now`, at most one step each.

    Reminders go out on weekdays, not before the survey's start time of day, so a
    step held over a weekend arrives on Monday morning, not at midnight. A step also
    waits `reminder_interval_days` after the previous one, so a held step does not
    arrive beside the next.
    """
    if _is_weekend(now):
        return []
    local_time = now.astimezone(ZoneInfo(settings.TIME_ZONE)).time()
    due = []
    open_rounds = Round.objects.filter(
        closed_at=None, closes_at__gt=now, starts_at__lte=now
    ).select_related("survey")
    for round_ in open_rounds:
        if local_time < round_.survey.start_time:
            continue
        interval = dt.timedelta(days=round_.survey.reminder_interval_days)
        for step in range(1, round_.survey.reminder_count + 1):
            due_at = reminder_due_at(round_, step)
            if due_at is None or due_at > now:
                break
            ids = Invitation.objects.filter(
                # An hour's slack: "two days later" at the same time of day may be
                # a tick earlier than exactly 48 hours.
                Q(last_reminded_at=None)
                | Q(last_reminded_at__lte=now - interval + dt.timedelta(hours=1)),
                round=round_,
                reminders_sent=step - 1,
                sent_at__lte=now - dt.timedelta(hours=12),
                bounced_at=None,
                answered=False,
            )
            if unqueued_before is not None:
                ids = ids.filter(unqueued_since(unqueued_before))
            ids = ids.order_by("pk").values_list("pk", flat=True)
            if limit is not None:
                ids = ids[: max(limit - len(due), 0)]
            due.extend((pk, step) for pk in ids)
    return due


def _deliver(invitation: Invitation, *, now: dt.datetime, reminder_step: int) -> Sent:
    token, digest = token_new()
    link = InvitationToken.objects.create(invitation=invitation, token_hash=digest)
    try:
        survey_message(invitation, token, reminder_step=reminder_step).send()
    except (smtplib.SMTPException, OSError) as exc:
        if refusal_is_permanent(exc):
            return _bounced(invitation, link, now, exc)
        # "Try later", our sender refused, disconnected, timed out: retried.
        link.delete()
        raise TemporaryDeliveryError(str(exc)) from exc
    sender_accepted()
    log.info("Sent %s (reminder %d)", invitation, reminder_step)
    return Sent.SENT


def _bounced(
    invitation: Invitation, link: InvitationToken, now: dt.datetime, exc: Exception
) -> Sent:
    link.delete()
    Invitation.objects.filter(pk=invitation.pk).update(bounced_at=now)
    log.warning("Address of %s refused permanently: %s", invitation, exc)
    return Sent.BOUNCED


def _load(invitation_id: int) -> Invitation | None:
    return (
        Invitation.objects.select_related("round__survey", "person__user", "customer")
        .filter(pk=invitation_id)
        .first()
    )


def _still_open(round_: Round, now: dt.datetime) -> bool:
    return round_.closed_at is None and now < round_.closes_at


def _is_weekend(now: dt.datetime) -> bool:
    return now.astimezone(ZoneInfo(settings.TIME_ZONE)).weekday() in WEEKEND


def _unqueue(invitation_id: int) -> None:
    Invitation.objects.filter(pk=invitation_id).exclude(queued_at=None).update(
        queued_at=None
    )
