"""A round's life: opened when its cadence falls due, fanned out to one invitation
per recipient, closed at the end of its window. Each step is safe to run twice, or
on two workers at once (docs/design.md, invariant 4)."""

from __future__ import annotations

import datetime as dt
import logging

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from org.models import Customer, Person
from surveys.cadence import latest_start, local_instant
from surveys.models import Invitation, Question, Round, Survey

log = logging.getLogger(__name__)

FANOUT_BATCH = 2000  # invitations per INSERT: bounded memory whatever the audience


def round_window(survey: Survey, starts_at: dt.datetime) -> dt.datetime:
    """When a round starting at `starts_at` closes: open_days later, same wall time."""
    schedule = survey.schedule()
    local_day = starts_at.astimezone(schedule.tz).date()
    closes = local_instant(
        local_day + dt.timedelta(days=survey.open_days), schedule.at, schedule.tz
    )
    return closes.astimezone(dt.UTC)


def rounds_open_due(*, now: dt.datetime) -> list[Round]:
    """Open the current round of every scheduled survey whose window contains `now`.

    Drafts, paused and archived surveys open none (`surveys.services.lifecycle`).

    Only the latest occurrence is considered: a round whose window has passed while
    the scheduler was down is not opened late, since its answers would be misdated.
    """
    opened = []
    # first_date is a local date: a day of slack covers any UTC offset.
    tomorrow = now.date() + dt.timedelta(days=1)
    # A survey without a question has nothing to ask (one scheduled by hand).
    has_questions = Exists(Question.objects.filter(survey=OuterRef("pk")))
    due = Survey.objects.filter(
        has_questions, status=Survey.Status.SCHEDULED, first_date__lte=tomorrow
    )
    for survey in due:
        starts_at = latest_start(survey.schedule(), now=now)
        if starts_at is None:
            continue
        closes_at = round_window(survey, starts_at)
        if now >= closes_at:
            continue
        # The unique (survey, starts_at) constraint makes this safe on two workers.
        round_, created = Round.objects.get_or_create(
            survey=survey,
            starts_at=starts_at,
            defaults={
                "closes_at": closes_at,
                "min_group_size": survey.min_group_size,
                "comment_threshold": survey.comment_threshold,
            },
        )
        if created:
            log.info("Opened %s", round_)
            opened.append(round_)
    return opened


def recipients(survey: Survey) -> QuerySet[Person] | QuerySet[Customer]:
    """Everyone a survey's rounds go to, as chosen today: the fan-out invites
    them, and the activation page counts them."""
    if survey.audience == Survey.Audience.CUSTOMERS:
        customers = Customer.objects.filter(is_active=True)
        if survey.segments:
            customers = customers.filter(segment__in=survey.segments)
        return customers
    people = Person.objects.filter(user__is_active=True)
    departments, teams = list(survey.departments.all()), list(survey.teams.all())
    if departments or teams:
        people = people.filter(Q(team__department__in=departments) | Q(team__in=teams))
    return people


def round_fan_out(round_: Round, *, now: dt.datetime | None = None) -> int:
    """Create the round's invitations in batches; returns how many were new.

    Killed halfway and re-run, it creates only the missing ones: the unique
    (round, recipient) constraint turns repeats into no-ops.
    """
    if round_.fanout_done_at is not None:
        return 0
    survey = round_.survey
    customers = survey.audience == Survey.Audience.CUSTOMERS
    key = "customer_id" if customers else "person_id"
    # A person's team and department as they are now, kept on the invitation.
    fields = ("pk",) if customers else ("pk", "team_id", "team__department_id")
    rows = recipients(survey).order_by("pk").values_list(*fields)
    invitations = Invitation.objects.filter(round=round_)
    before, last = invitations.count(), 0
    while True:
        batch = list(rows.filter(pk__gt=last)[:FANOUT_BATCH])
        if not batch:
            break
        Invitation.objects.bulk_create(
            [_invitation(round_, key, *row) for row in batch],
            ignore_conflicts=True,
        )
        last = batch[-1][0]
    created = invitations.count() - before
    Round.objects.filter(pk=round_.pk, fanout_done_at=None).update(
        fanout_done_at=now or timezone.now()
    )
    log.info("Fanned out %s: %d new invitations", round_, created)
    return created


def _invitation(round_: Round, key: str, pk: int, team=None, department=None):
    return Invitation(round=round_, team_id=team, department_id=department, **{key: pk})


def rounds_needing_fan_out() -> QuerySet[Round]:
    return Round.objects.filter(fanout_done_at=None, closed_at=None).select_related(
        "survey"
    )


def rounds_close_due(*, now: dt.datetime) -> int:
    """Close every round whose window has ended. Its links stop working."""
    return Round.objects.filter(closed_at=None, closes_at__lte=now).update(
        closed_at=now
    )
