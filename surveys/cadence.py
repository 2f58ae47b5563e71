"""When a recurring survey's rounds start: pure date arithmetic, no database.

A schedule is a wall-clock time in the organisation's time zone ("Monday 09:00 in
Europe/London"), so a round starts at 09:00 local on both sides of a daylight-saving
change; the UTC instant moves instead. Monthly and quarterly rounds start on the first
chosen weekday of the month, which never falls off a short month's end.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo


class Cadence(StrEnum):
    ONCE = "once"
    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"


# How a cadence reads on every page (the forms, the survey list and detail, the admin).
LABELS: dict[str, str] = {
    Cadence.ONCE: "Once",
    Cadence.WEEKLY: "Weekly",
    Cadence.BIWEEKLY: "Every two weeks",
    Cadence.MONTHLY: "Monthly",
    Cadence.QUARTERLY: "Quarterly",
}
CHOICES: list[tuple[str, str]] = list(LABELS.items())


def cadence_label(value: str) -> str:
    """ "Every two weeks" for "biweekly"; an unknown value as it is."""
    return LABELS.get(value, value)


_MONTHS_APART = {Cadence.MONTHLY: 1, Cadence.QUARTERLY: 3}
_DAYS_APART = {Cadence.WEEKLY: 7, Cadence.BIWEEKLY: 14}


@dataclass(frozen=True)
class Schedule:
    cadence: Cadence
    first_date: dt.date  # no round starts before this local date
    weekday: int  # 0 = Monday; ignored for ONCE
    at: dt.time  # local wall-clock time
    tz: ZoneInfo

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise ValueError(
                f"weekday must be 0 (Monday) to 6 (Sunday), not {self.weekday}"
            )


def start_dates(schedule: Schedule) -> Iterator[dt.date]:
    """Every local date a round starts on, in order (one date for ONCE)."""
    if schedule.cadence == Cadence.ONCE:
        yield schedule.first_date
        return
    if schedule.cadence in _DAYS_APART:
        day = _on_or_after(schedule.first_date, schedule.weekday)
        while True:
            yield day
            day += dt.timedelta(days=_DAYS_APART[schedule.cadence])
    step = _MONTHS_APART[schedule.cadence]
    year, month = schedule.first_date.year, schedule.first_date.month
    while True:
        day = _on_or_after(dt.date(year, month, 1), schedule.weekday)
        if day >= schedule.first_date:
            yield day
        year, month = divmod(year * 12 + month - 1 + step, 12)
        month += 1


def starts(schedule: Schedule) -> Iterator[dt.datetime]:
    """Every instant a round starts, in UTC, in order.

    UTC because Python compares and subtracts two datetimes of the same zone by their
    wall clocks, which is wrong across a daylight-saving change.
    """
    for day in start_dates(schedule):
        yield local_instant(day, schedule.at, schedule.tz).astimezone(dt.UTC)


def latest_start(schedule: Schedule, *, now: dt.datetime) -> dt.datetime | None:
    """The most recent start at or before `now`: the round that should be open."""
    latest = None
    for start in starts(schedule):
        if start > now:
            break
        latest = start
    return latest


def local_instant(day: dt.date, at: dt.time, tz: ZoneInfo) -> dt.datetime:
    """`day` at wall-clock `at` in `tz`. A time that a spring-forward skips is moved
    past the gap (02:30 becomes 03:30); a repeated autumn time takes its first pass."""
    naive = dt.datetime.combine(day, at)
    instant = naive.replace(tzinfo=tz)
    # zoneinfo keeps a skipped wall time as given; a round trip through UTC shows it.
    round_trip = instant.astimezone(dt.UTC).astimezone(tz)
    return round_trip if round_trip.replace(tzinfo=None) != naive else instant


def _on_or_after(day: dt.date, weekday: int) -> dt.date:
    return day + dt.timedelta(days=(weekday - day.weekday()) % 7)
