"""Sending invitations and reminders: each email at most once (`core.delivery`).

What is surveys' own: what a send claims (the invitation not yet sent; the reminder
step not yet taken, the step before it no longer under way), how its claim is
undone, and the message, which carries a fresh link whose token exists only in the
email. One invitation row carries its steps' sends in turn: the latest step's state
and claim instant (`send_state`, `claimed_at`), and how many steps' fate is unknown
(handed to the mail server, the reply lost: never sent again; HR sees the count).
A claim a killed worker left behind is taken over once its lease runs out, so the
dispatcher's selectors list it again. Reminders go only to recipients still active.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connections, transaction
from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    When,
)
from django.db.models.functions import Coalesce
from django.db.models.sql import UpdateQuery
from django.utils import timezone

from core.delivery import CLAIM_LEASE, SendState, Sent, send_once
from core.dispatch import unqueued_since
from surveys.cadence import local_instant
from surveys.emails import survey_message
from surveys.models import Invitation, InvitationToken, Question, Round
from surveys.tokens import token_new

log = logging.getLogger(__name__)

WEEKEND = (5, 6)


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
    return send_once(_InvitationEmail(invitation, now=now))


def reminder_send(
    invitation_id: int, step: int, *, now: dt.datetime | None = None
) -> Sent:
    """Send reminder number `step` (1-based) if it has not been sent, to a
    recipient still active."""
    now = now or timezone.now()
    invitation = _load(invitation_id)
    if (
        invitation is None
        or not _still_open(invitation.round, now)
        or not 1 <= step <= invitation.round.survey.reminder_count
        or _is_weekend(now)
        or not invitation.recipient.is_active
    ):
        _unqueue(invitation_id)
        return Sent.SKIPPED
    return send_once(_ReminderEmail(invitation, now=now, step=step))


@dataclass
class _InvitationEmail:
    """The invitation itself (step 0), as `core.delivery.send_once` sends it.

    The claim's instant (`claimed_at`) is its token: every later UPDATE keys on
    it, so a holder whose lease was taken over changes nothing. The claim also
    stores the hash of the email's fresh link (`token`, kept only here until the
    email carries it), in the same statement.
    """

    invitation: Invitation
    now: dt.datetime
    step: int = 0
    token: str = field(default="", init=False)
    link_hash: str | None = field(default=None, init=False)

    def __str__(self) -> str:
        return f"{self.invitation} (reminder {self.step})"

    def claim(self) -> bool:
        free = Invitation.objects.filter(
            Q(sent_at=None) | _stale_claim(0, self.now),
            pk=self.invitation.pk,
            bounced_at=None,
            answered=False,
        )
        fields = {"sent_at": self.now, "queued_at": None, **self._claim_fields()}
        return self._claim_linked(free, fields)

    def hand(self) -> bool:
        return bool(self._ours(SendState.CLAIMED).update(send_state=SendState.HANDED))

    def deliver(self, connection: BaseEmailBackend) -> None:
        message = survey_message(
            self.invitation,
            self.token,
            reminder_step=self.step,
            question_count=getattr(self.invitation, "question_count", None),
        )
        message.connection = connection
        message.send()

    def accept(self) -> None:
        self._ours(SendState.CLAIMED, SendState.HANDED).update(
            send_state=SendState.ACCEPTED
        )

    def release(self) -> None:
        self._unlink()
        # queued_at=now: the task's own retry (with backoff) comes back for it, and
        # a dispatcher only re-queues it if that retry is lost too.
        self._ours(SendState.CLAIMED, SendState.HANDED).update(
            sent_at=None, send_state="", claimed_at=None, queued_at=self.now
        )

    def refuse(self, exc: Exception) -> None:
        self._unlink()
        Invitation.objects.filter(pk=self.invitation.pk).update(
            bounced_at=self.now, send_state=""
        )

    def fate_unknown(self, exc: Exception) -> None:
        # The link stays: the email may well have arrived.
        self._ours(SendState.HANDED).update(
            send_state=SendState.FATE_UNKNOWN,
            fate_unknown_sends=F("fate_unknown_sends") + 1,
            fate_unknown_at=self.now,
        )

    def _claim_fields(self) -> dict[str, object]:
        return {"send_state": SendState.CLAIMED, "claimed_at": self.now}

    def _claim_linked(self, free: QuerySet[Invitation], fields: dict) -> bool:
        """Claim `free` with `fields` and store a fresh link for the claim."""
        token, digest = token_new()
        claimed = _update_linked(
            free, fields, invitation_id=self.invitation.pk, digest=digest
        )
        if claimed:
            self.token, self.link_hash = token, digest
        return _claimed(self.invitation.pk, claimed)

    def _ours(self, *states: SendState) -> QuerySet[Invitation]:
        """This claim's row, while it is in one of `states`."""
        return Invitation.objects.filter(
            pk=self.invitation.pk,
            reminders_sent=self.step,
            claimed_at=self.now,
            send_state__in=states,
        )

    def _unlink(self) -> None:
        # The email never left: its link must not work.
        if self.link_hash is not None:
            InvitationToken.objects.filter(token_hash=self.link_hash).delete()


@dataclass
class _ReminderEmail(_InvitationEmail):
    """Reminder `step` (1-based); undoing its claim restores the previous step."""

    def claim(self) -> bool:
        free = Invitation.objects.filter(
            _step_free(self.step) | _stale_claim(self.step, self.now),
            pk=self.invitation.pk,
            sent_at__isnull=False,
            bounced_at=None,
            answered=False,
        )
        fields = dict(
            reminders_sent=self.step,
            last_reminded_at=self.now,
            queued_at=None,
            # A step before it left handed (its worker killed mid-conversation)
            # had its fate unknown: counted before its state is overwritten.
            fate_unknown_sends=F("fate_unknown_sends")
            + Case(When(send_state=SendState.HANDED, then=1), default=0),
            fate_unknown_at=Case(
                When(send_state=SendState.HANDED, then=F("claimed_at")),
                default=F("fate_unknown_at"),
            ),
            **self._claim_fields(),
        )
        return self._claim_linked(free, fields)

    def release(self) -> None:
        self._unlink()
        loaded = self.invitation
        ours = self._ours(SendState.CLAIMED, SendState.HANDED)
        if loaded.reminders_sent == self.step - 1:
            # Our claim took a free step: give it back as it was.
            ours.update(
                reminders_sent=self.step - 1,
                last_reminded_at=loaded.last_reminded_at,
                send_state=loaded.send_state,
                claimed_at=loaded.claimed_at,
                queued_at=self.now,
            )
        else:
            # We took over a stale claim: how the step before it ended is gone, so
            # the step stays claimed, with a lease already run out, for the retry.
            ours.update(claimed_at=self.now - CLAIM_LEASE * 2, queued_at=self.now)


def _update_linked(
    free: QuerySet[Invitation], fields: dict, *, invitation_id: int, digest: str
) -> int:
    """UPDATE `free` (invitation `invitation_id`, if still free) with `fields`
    and, if it was updated, store the link hash `digest` for it; returns how
    many rows were updated (0 or 1).

    On PostgreSQL one statement: the ORM's UPDATE inside a data-modifying WITH
    whose INSERT stores the link, so a send takes one round trip and one commit
    less. Elsewhere (SQLite) the two statements in one transaction.
    """
    database = free.db
    if connections[database].vendor != "postgresql":
        with transaction.atomic(using=database):
            updated = free.update(**fields)
            if updated:
                InvitationToken.objects.using(database).create(
                    invitation_id=invitation_id, token_hash=digest
                )
        return updated
    query = free.query.chain(UpdateQuery)
    query.add_update_values(fields)
    update, params = query.get_compiler(database).as_sql()
    quote = connections[database].ops.quote_name
    pk = quote(Invitation._meta.pk.column)
    link = quote(InvitationToken._meta.db_table)
    columns = ", ".join(map(quote, ("invitation_id", "token_hash", "created_at")))
    # bandit B608: only quoted names and the ORM's own SQL; values are parameters.
    sql = (
        f"WITH claimed AS ({update} RETURNING {pk}) INSERT INTO {link} ({columns})"  # noqa: S608  # nosec B608
        f" SELECT {pk}, %s, %s FROM claimed"
    )
    with connections[database].cursor() as cursor:
        cursor.execute(sql, (*params, digest, timezone.now()))
        return cursor.rowcount


def _step_free(step: int) -> Q:
    """Step `step` not taken, the step before it no longer under way: a claim
    never handed over is its holder's (or its lease is taken over as that step)."""
    return Q(reminders_sent=step - 1) & ~Q(send_state=SendState.CLAIMED)


def _stale_claim(step: int, now: dt.datetime) -> Q:
    """Step `step` claimed, never handed over, and its lease run out: its worker
    died, and a new claim may take it over."""
    return Q(
        reminders_sent=step,
        send_state=SendState.CLAIMED,
        claimed_at__lt=now - CLAIM_LEASE,
    )


def invitations_to_send(
    *, now: dt.datetime, unqueued_before: dt.datetime | None = None
) -> QuerySet[Invitation]:
    """Invitations of open rounds not yet sent (or whose claim's lease ran out
    before it was handed over) to recipients still active; with `unqueued_before`,
    only those not handed to the broker since then."""
    invitations = Invitation.objects.filter(
        Q(sent_at=None) | _stale_claim(0, now),
        _recipient_active(),
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
    arrive beside the next. A step whose claim's lease ran out before it was
    handed over is due again; recipients no longer active get none.
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
            # An hour's slack: "two days later" at the same time of day may be a
            # tick earlier than exactly 48 hours.
            rested = Q(last_reminded_at=None) | Q(
                last_reminded_at__lte=now - interval + dt.timedelta(hours=1)
            )
            ids = Invitation.objects.filter(
                (_step_free(step) & rested) | _stale_claim(step, now),
                _recipient_active(),
                round=round_,
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


def _recipient_active() -> Q:
    return Q(person__user__is_active=True) | Q(person=None, customer__is_active=True)


def _load(invitation_id: int) -> Invitation | None:
    """The invitation with what its email needs, its survey's question count
    (`question_count`) in the same query."""
    questions = (
        Question.objects.filter(survey=OuterRef("round__survey"))
        .order_by()
        .values("survey")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Invitation.objects.select_related("round__survey", "person__user", "customer")
        .annotate(
            question_count=Coalesce(Subquery(questions, output_field=IntegerField()), 0)
        )
        .filter(pk=invitation_id)
        .first()
    )


def _still_open(round_: Round, now: dt.datetime) -> bool:
    return round_.closed_at is None and now < round_.closes_at


def _is_weekend(now: dt.datetime) -> bool:
    return now.astimezone(ZoneInfo(settings.TIME_ZONE)).weekday() in WEEKEND


def _claimed(invitation_id: int, claimed: int) -> bool:
    if not claimed:
        _unqueue(invitation_id)
    return bool(claimed)


def _unqueue(invitation_id: int) -> None:
    Invitation.objects.filter(pk=invitation_id).exclude(queued_at=None).update(
        queued_at=None
    )
