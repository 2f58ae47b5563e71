"""Follow-up on concerns: hand over a leaver's concerns, remind the owner, escalate,
nudge a quiet concern.

Each step is claimed with a conditional UPDATE of its column (`owner`,
`reminded_at`, `escalated_at`, `nudged_at`) and its notices are written in the same
transaction, so a step is taken once whatever the number of ticks or workers
(invariant 4), and a step whose notices could not be written is not taken at all.

- Handover: the owner was deactivated -> the concern passes to a successor, who is
  told (before any other step, so that none is written to someone who left).
- Reminder: no first official response by the due time -> the owner.
- Escalation: still none `escalation_days` working days after the due time -> the
  owner's manager and every HR person.
- Nudge: in progress with no activity for `nudge_days` -> the owner; once between
  two activities.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F, Q, QuerySet

from feedback.models import CLOSED, CategoryPolicy, Concern, Notice, Status
from feedback.services.concerns import concern_hand_over
from feedback.services.notify import notice_create
from feedback.services.ownership import hr_people, policy_for, successor_for
from feedback.services.worktime import working_days_after
from org.models import Person

log = logging.getLogger(__name__)


@dataclass
class FollowupCounts:
    reassigned: int = 0
    reminded: int = 0
    escalated: int = 0
    nudged: int = 0


def followups_run(*, now: dt.datetime) -> FollowupCounts:
    """Take every follow-up step due at `now`; returns how many of each this run took
    (a step another worker took first is not counted)."""
    policies = _Policies()
    counts = FollowupCounts()
    # First, so that every step below reaches someone still here.
    counts.reassigned = owners_left_hand_over(now=now)
    for row in _candidates(now):
        policy, concern = policies[row.category], None
        if _reminder_due(row, now):
            concern = _load(row.pk)
            counts.reminded += concern_remind(concern=concern, now=now)
        if _escalation_due(row, policy, now):
            # Its claim checks that the reminder went first, in this run or before.
            concern = concern or _load(row.pk)
            counts.escalated += concern_escalate(concern=concern, now=now)
        if _nudge_due(row, policy, now):
            concern = concern or _load(row.pk)
            counts.nudged += concern_nudge(concern=concern, now=now)
    return counts


def owners_left_hand_over(*, now: dt.datetime) -> int:
    """Hand every open concern whose owner was deactivated to a successor
    (`ownership.successor_for`); returns how many this run handed over. A concern
    nobody can take keeps its owner, and its escalation asks for a new one."""
    handed = 0
    for concern in (
        _open()
        .filter(owner__user__is_active=False)
        .select_related(
            "owner__user", "owner__team__manager__user", "ai_tool", "raised_by__team"
        )
    ):
        successor = successor_for(concern)
        if successor is None:
            log.warning("Concern %s lost its owner and nobody can take it", concern.pk)
            continue
        handed += concern_hand_over(concern=concern, to=successor, now=now)
    return handed


def concern_remind(*, concern: Concern, now: dt.datetime) -> bool:
    """Remind the owner that a first response is overdue, if nobody has yet."""
    with transaction.atomic():
        claimed = (
            _unanswered()
            .filter(pk=concern.pk, reminded_at=None, first_response_due_at__lte=now)
            .update(reminded_at=now)
        )
        if not claimed:
            return False
        # An owner who left is told nothing (`notice_create`); by now the concern
        # was handed over, unless nobody could take it: then the escalation says so.
        due = concern.first_response_due_at
        escalate_at = working_days_after(
            due, policy_for(concern.category).escalation_days
        )
        notice_create(
            person=concern.owner,
            kind=Notice.Kind.REMINDER,
            subject=f"Reminder: #{concern.pk} is waiting for a first response: "
            f"{concern.title}",
            template="feedback/email/reminder.txt",
            context={**_lateness(due, now), "escalate_at": escalate_at},
            concern=concern,
            now=now,
        )
    return True


def concern_escalate(*, concern: Concern, now: dt.datetime) -> bool:
    """Tell the owner's manager and HR that a first response is long overdue."""
    with transaction.atomic():
        claimed = (
            _unanswered()
            .filter(pk=concern.pk, escalated_at=None)
            .exclude(reminded_at=None)
            .update(escalated_at=now)
        )
        if not claimed:
            return False
        lateness = _lateness(concern.first_response_due_at, now)
        recipients = escalation_recipients(concern.owner)
        if not recipients:
            log.warning("Concern %s is overdue and nobody can be told", concern.pk)
        for person, role in recipients:
            notice_create(
                person=person,
                kind=Notice.Kind.ESCALATION,
                subject=f"Escalation: #{concern.pk} is {lateness['late']} overdue "
                f"for a first response: {concern.title}",
                template="feedback/email/escalation.txt",
                context={**lateness, "owner": concern.owner, "role": role},
                concern=concern,
                now=now,
            )
    return True


def concern_nudge(*, concern: Concern, now: dt.datetime) -> bool:
    """Nudge the owner of a concern in progress that has gone quiet, once between
    two activities (an activity since the last nudge makes a new one possible)."""
    with transaction.atomic():
        claimed = (
            _open()
            .filter(
                Q(nudged_at=None) | Q(nudged_at__lt=F("last_activity_at")),
                pk=concern.pk,
                status=Status.IN_PROGRESS,
                last_activity_at=concern.last_activity_at,
            )
            .update(nudged_at=now)
        )
        if not claimed:
            return False
        quiet = _span(now - concern.last_activity_at)
        notice_create(
            person=concern.owner,
            kind=Notice.Kind.NUDGE,
            subject=f"#{concern.pk} has had no update for {quiet}: {concern.title}",
            template="feedback/email/nudge.txt",
            context={"quiet": quiet, "last_activity": concern.last_activity_at},
            concern=concern,
            now=now,
        )
    return True


def escalation_recipients(owner: Person) -> list[tuple[Person, str]]:
    """(person, why they are told): the owner's active manager, then every HR
    person, each once and never the owner (who already had the reminder)."""
    manager = owner.manager
    candidates = [(manager, "manager")] if manager is not None else []
    candidates += [(person, "hr") for person in hr_people()]
    recipients, seen = [], {owner.pk}
    for person, role in candidates:
        if person.pk not in seen and person.is_active:
            seen.add(person.pk)
            recipients.append((person, role))
    if not recipients:
        # The owner is the only HR person and has no manager: the administrators
        # are the last people who can act, rather than nobody.
        admins = Person.objects.filter(
            user__is_superuser=True, user__is_active=True
        ).exclude(pk=owner.pk)
        recipients = [(person, "administrator") for person in admins]
    return recipients


def _open() -> QuerySet[Concern]:
    """Concerns still in play: not closed, merged away or hidden by a moderator."""
    return Concern.objects.exclude(status__in=CLOSED).filter(
        merged_into=None, hidden_at=None
    )


def _unanswered() -> QuerySet[Concern]:
    return _open().filter(first_responded_at=None)


def _load(pk: int) -> Concern:
    return Concern.objects.select_related(
        "owner__user", "owner__team__manager__user", "ai_tool"
    ).get(pk=pk)


def _candidates(now: dt.datetime) -> list[Any]:
    """Open concerns that may have a step due: overdue and not yet escalated, or in
    progress and not nudged since their last activity. One narrow query, as most
    ticks find nothing; a concern is loaded whole only when a step is due."""
    overdue = Q(first_responded_at=None, first_response_due_at__lte=now) & (
        Q(reminded_at=None) | Q(escalated_at=None)
    )
    quiet = Q(status=Status.IN_PROGRESS) & (
        Q(nudged_at=None) | Q(nudged_at__lt=F("last_activity_at"))
    )
    fields = (
        "pk",
        "category",
        "status",
        "first_response_due_at",
        "first_responded_at",
        "reminded_at",
        "escalated_at",
        "last_activity_at",
        "nudged_at",
    )
    rows = (
        _open().filter(overdue | quiet).order_by("pk").values_list(*fields, named=True)
    )
    return list(rows)


def _reminder_due(row: Any, now: dt.datetime) -> bool:
    return (
        row.first_responded_at is None
        and row.first_response_due_at <= now
        and row.reminded_at is None
    )


def _escalation_due(row: Any, policy: CategoryPolicy, now: dt.datetime) -> bool:
    if row.first_responded_at is not None or row.escalated_at is not None:
        return False
    return now >= working_days_after(row.first_response_due_at, policy.escalation_days)


def _nudge_due(row: Any, policy: CategoryPolicy, now: dt.datetime) -> bool:
    return (
        row.status == Status.IN_PROGRESS
        and (row.nudged_at is None or row.nudged_at < row.last_activity_at)
        and row.last_activity_at <= now - dt.timedelta(days=policy.nudge_days)
    )


class _Policies(dict[str, CategoryPolicy]):
    """HR's policy per category, read once per run."""

    def __missing__(self, category: str) -> CategoryPolicy:
        self[category] = policy_for(category)
        return self[category]


def _lateness(due: dt.datetime, now: dt.datetime) -> dict[str, object]:
    return {"due": due, "late": _span(now - due)}


def _span(delta: dt.timedelta) -> str:
    """A duration in words: "2 days and 3 hours", "5 hours", "a moment"."""
    minutes = max(int(delta.total_seconds() // 60), 0)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return _count(days, "day") + (f" and {_count(hours, 'hour')}" if hours else "")
    if hours:
        return _count(hours, "hour")
    return _count(mins, "minute") if mins else "a moment"


def _count(number: int, unit: str) -> str:
    return f"{number} {unit}" + ("" if number == 1 else "s")
