"""A survey's life: draft, scheduled, paused, archived.

    draft --activate--> scheduled --pause--> paused --resume--> scheduled
    draft, scheduled, paused --archive--> archived --restore--> paused

Only a scheduled survey opens rounds (`surveys.services.rounds.rounds_open_due`).
Pausing stops new rounds; a round already open runs to its close, with its
reminders. Archiving is not final: an archived survey is read-only and out of the
default list, and can be restored as paused (never straight to scheduled, so it
cannot go out again by accident), provided its title is still free.

Each transition locks the survey's row and checks the state it starts from, so a
double click or two HR managers at once move it once; every refusal is a
`ValidationError` that says what to do instead, and changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.utils import formats, timezone

from core.unique import unique_save
from surveys.models import Survey, title_clash_error
from surveys.selectors import survey_open_round
from surveys.services.builder import survey_activation_check

Status = Survey.Status

# What to do instead, when a transition does not start from the survey's state.
_INSTEAD = {
    Status.DRAFT: "it is a draft; activate it instead",
    Status.SCHEDULED: "it is scheduled",
    Status.PAUSED: "it is paused; resume it instead",
    Status.ARCHIVED: "it is archived; restore it first",
}


def survey_activate(*, survey: Survey, now: dt.datetime) -> Survey:
    """Schedule a draft: from then on its rounds open on its cadence.

    Refused unless it is a draft with at least one question and a first date not
    before today in the organisation's time zone (the date is a promise to HR:
    a past one would open a round the moment it is activated).
    """
    return _move(
        survey,
        "activated",
        {Status.DRAFT},
        Status.SCHEDULED,
        lambda locked: survey_activate_check(survey=locked, now=now),
    )


def survey_activate_check(*, survey: Survey, now: dt.datetime) -> None:
    """What `survey_activate` requires of a draft's content, checked alone (the
    activation page lists it before HR presses the button): every problem in
    one ValidationError."""
    problems: list[str] = []
    try:
        survey_activation_check(survey=survey)
    except ValidationError as error:
        problems += error.messages
    today = timezone.localdate(now)
    if survey.first_date < today:
        problems.append(
            f"The first date, {_day(survey.first_date)}, is in the past: edit the "
            f"survey's settings to a date from today ({_day(today)}) on, then "
            "activate it."
        )
    if problems:
        raise ValidationError(problems)


def survey_pause(*, survey: Survey) -> Survey:
    """Stop a scheduled survey opening new rounds; an open round runs to its
    close."""
    return _move(survey, "paused", {Status.SCHEDULED}, Status.PAUSED)


def survey_resume(*, survey: Survey) -> Survey:
    """Schedule a paused survey again. Resumed while a round's window is open
    and that round never opened, the next scheduler pass opens it (late, within
    its window, as after an outage)."""
    return _move(
        survey,
        "resumed",
        {Status.PAUSED},
        Status.SCHEDULED,
        lambda locked: survey_activation_check(survey=locked),
    )


def survey_archive(*, survey: Survey, now: dt.datetime) -> Survey:
    """Archive a survey with no round open: it becomes read-only and leaves the
    default list; its rounds and results stay."""

    def check(locked: Survey) -> None:
        open_round = survey_open_round(survey=locked, now=now)
        if open_round is not None:
            closes = timezone.localtime(open_round.closes_at)
            raise ValidationError(
                f"A round of this survey is open until "
                f"{formats.date_format(closes, 'j M Y H:i')}: pause the survey now, "
                "and archive it once that round has closed."
            )

    return _move(
        survey,
        "archived",
        {Status.DRAFT, Status.SCHEDULED, Status.PAUSED},
        Status.ARCHIVED,
        check,
    )


def survey_restore(*, survey: Survey) -> Survey:
    """Bring an archived survey back as paused, if no other survey took its
    title meanwhile."""

    def check(locked: Survey) -> None:
        if clash := title_clash_error(locked.title, exclude_pk=locked.pk):
            raise ValidationError(
                f"{clash} Rename the other survey, then restore this one.",
                code="unique",
            )

    return _move(survey, "restored", {Status.ARCHIVED}, Status.PAUSED, check)


def _move(
    survey: Survey,
    verb: str,
    sources: set[str],
    target: str,
    check: Callable[[Survey], None] | None = None,
) -> Survey:
    locked = survey

    def recheck() -> None:
        # Restoring takes the title back: if a survey took it after the check,
        # the database refuses the move, and the check, run again, says why.
        if check is not None:
            check(locked)

    with unique_save(recheck=recheck):
        locked = Survey.objects.select_for_update().get(pk=survey.pk)
        if locked.status not in sources:
            why = (
                f"it is already {locked.get_status_display().lower()}"
                if locked.status == target
                else _INSTEAD[locked.status]
            )
            raise ValidationError(f"This survey cannot be {verb}: {why}.")
        if check is not None:
            check(locked)
        locked.status = target
        locked.save(update_fields=["status", "updated_at"])
    survey.status = locked.status
    return locked


def _day(day: dt.date) -> str:
    return formats.date_format(day, "j M Y")
