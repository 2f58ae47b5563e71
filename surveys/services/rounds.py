"""A round's life: opened when its cadence falls due, fanned out to one invitation
per recipient, closed at the end of its window. Each step is safe to run twice, or
on two workers at once (docs/design.md, invariant 4)."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import connections, router
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.constants import OnConflict
from django.utils import timezone

from org.models import Customer, Person
from surveys.audiences import tools_asked_now
from surveys.cadence import latest_start, local_instant
from surveys.models import Invitation, Question, Round, Survey

log = logging.getLogger(__name__)

FANOUT_BATCH = 10_000  # invitations per INSERT: each batch commits on its own


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
                "tools_asked": tools_asked_now(survey),
            },
        )
        if created:
            questions_asked_in(round_)
            log.info("Opened %s", round_)
            opened.append(round_)
    return opened


def questions_asked_in(round_: Round) -> int:
    """Mark the survey's questions not asked before as first asked by `round_`
    (`Question.first_asked_at`); returns how many. Safe to run twice."""
    return Question.objects.filter(
        survey=round_.survey_id, first_asked_at__isnull=True
    ).update(first_asked_at=round_.starts_at)


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

    Each batch is one `INSERT ... SELECT` of FANOUT_BATCH recipients (in order of
    id): the database builds the rows itself, so nothing crosses into Python and
    memory stays flat whatever the audience. Killed halfway and re-run, it creates
    only the missing ones: the unique (round, recipient) constraint turns repeats
    into no-ops (ON CONFLICT DO NOTHING).
    """
    if round_.fanout_done_at is not None:
        return 0
    audience = recipients(round_.survey).order_by("pk")
    created, last = 0, 0
    while True:
        rest = audience.filter(pk__gt=last)
        # The batch's last recipient: a batch is a range of ids.
        ends = rest.values_list("pk", flat=True)[FANOUT_BATCH - 1 : FANOUT_BATCH]
        end = next(iter(ends), None)
        batch = rest if end is None else rest.filter(pk__lte=end)
        created += _invitations_insert(round_, batch)
        if end is None:
            break
        last = end
    Round.objects.filter(pk=round_.pk, fanout_done_at=None).update(
        fanout_done_at=now or timezone.now()
    )
    log.info("Fanned out %s: %d new invitations", round_, created)
    return created


def _invitations_insert(
    round_: Round, batch: QuerySet[Person] | QuerySet[Customer]
) -> int:
    """One invitation of `round_` per recipient in `batch`, in one statement;
    returns how many were new. A person's team and department are kept as they
    are now. Every other column takes its field's default, as `save()` would
    fill it, so a field added to Invitation later needs nothing here."""
    per_row = (
        {"customer_id": F("pk")}
        if batch.model is Customer
        else {
            "person_id": F("pk"),
            "team_id": F("team_id"),
            "department_id": F("team__department_id"),
        }
    )
    template = Invitation(round=round_)
    fixed = {}
    for field in Invitation._meta.concrete_fields:
        if field.primary_key or field.attname in per_row:
            continue
        value = field.pre_save(template, add=True)
        if value is not None:  # a nullable column left out is NULL
            fixed[field.column] = Value(value, output_field=field)
    columns = {
        **fixed,
        **{Invitation._meta.get_field(a).column: e for a, e in per_row.items()},
    }
    db = router.db_for_write(Invitation)
    aliases = {f"new_{column}": expression for column, expression in columns.items()}
    select = batch.using(db).order_by().annotate(**aliases).values_list(*aliases)
    sql, params = select.query.sql_with_params()
    ops = connections[db].ops
    table = ops.quote_name(Invitation._meta.db_table)
    names = ", ".join(ops.quote_name(column) for column in columns)
    insert = ops.insert_statement(on_conflict=OnConflict.IGNORE)
    suffix = ops.on_conflict_suffix_sql([], OnConflict.IGNORE, None, None)
    # Only quoted names and the ORM's own SELECT go into the text; values are
    # parameters.
    with connections[db].cursor() as cursor:
        cursor.execute(f"{insert} {table} ({names}) {sql} {suffix}", params)
        return cursor.rowcount


def rounds_needing_fan_out() -> QuerySet[Round]:
    return Round.objects.filter(fanout_done_at=None, closed_at=None).select_related(
        "survey"
    )


def rounds_close_due(*, now: dt.datetime) -> int:
    """Close every round whose window has ended. Its links stop working."""
    return Round.objects.filter(closed_at=None, closes_at__lte=now).update(
        closed_at=now
    )
