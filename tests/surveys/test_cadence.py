"""Cadence arithmetic: weekly and monthly starts, month ends, time-zone changes."""

from __future__ import annotations

import datetime as dt
from itertools import islice
from zoneinfo import ZoneInfo

import pytest

from surveys.cadence import (
    Cadence,
    Schedule,
    latest_start,
    local_instant,
    starts,
)

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
NINE = dt.time(9, 0)
MON, TUE, FRI, SUN = 0, 1, 4, 6


def schedule(cadence, first_date, weekday=MON, at=NINE, tz=LONDON) -> Schedule:
    return Schedule(Cadence(cadence), first_date, weekday, at, tz)


def first(n, sched):
    return [
        start.astimezone(sched.tz).strftime("%Y-%m-%d %H:%M %Z")
        for start in islice(starts(sched), n)
    ]


def test_once_starts_on_its_date_whatever_the_weekday():
    assert first(5, schedule("once", dt.date(2026, 3, 4), weekday=FRI)) == [
        "2026-03-04 09:00 GMT"
    ]


def test_weekly_starts_on_the_first_chosen_weekday_on_or_after_the_first_date():
    # 2026-03-04 is a Wednesday; the first Monday after it is the 9th.
    assert first(3, schedule("weekly", dt.date(2026, 3, 4))) == [
        "2026-03-09 09:00 GMT",
        "2026-03-16 09:00 GMT",
        "2026-03-23 09:00 GMT",
    ]


def test_every_two_weeks_skips_a_week():
    assert first(3, schedule("biweekly", dt.date(2026, 3, 9), weekday=TUE)) == [
        "2026-03-10 09:00 GMT",
        "2026-03-24 09:00 GMT",
        "2026-04-07 09:00 BST",
    ]


def test_a_weekly_round_stays_at_nine_local_across_the_spring_change():
    # The UK moves to summer time on Sunday 29 March 2026.
    got = list(islice(starts(schedule("weekly", dt.date(2026, 3, 23))), 2))

    assert [s.astimezone(LONDON).strftime("%H:%M") for s in got] == ["09:00", "09:00"]
    assert [s.hour for s in got] == [9, 8]
    assert got[1] - got[0] == dt.timedelta(days=7, hours=-1)


def test_a_weekly_round_stays_at_nine_local_across_the_autumn_change():
    # New York leaves daylight time on Sunday 1 November 2026.
    got = list(
        islice(starts(schedule("weekly", dt.date(2026, 10, 26), tz=NEW_YORK)), 2)
    )

    assert [s.hour for s in got] == [13, 14]


def test_monthly_starts_on_the_first_chosen_weekday_across_month_ends():
    # From 31 January: February has no 31st, and the first Friday is what counts.
    assert first(4, schedule("monthly", dt.date(2026, 1, 31), weekday=FRI)) == [
        "2026-02-06 09:00 GMT",
        "2026-03-06 09:00 GMT",
        "2026-04-03 09:00 BST",
        "2026-05-01 09:00 BST",
    ]


def test_monthly_includes_the_first_month_when_its_weekday_is_still_to_come():
    assert first(2, schedule("monthly", dt.date(2026, 6, 1), weekday=FRI)) == [
        "2026-06-05 09:00 BST",
        "2026-07-03 09:00 BST",
    ]


def test_quarterly_is_every_third_month_across_a_year_end():
    assert first(3, schedule("quarterly", dt.date(2026, 11, 1), weekday=MON)) == [
        "2026-11-02 09:00 GMT",
        "2027-02-01 09:00 GMT",
        "2027-05-03 09:00 BST",
    ]


def test_the_latest_start_is_the_round_that_should_be_open_now():
    weekly = schedule("weekly", dt.date(2026, 3, 2))
    now = dt.datetime(2026, 3, 18, 12, 0, tzinfo=dt.UTC)

    assert latest_start(weekly, now=now) == dt.datetime(
        2026, 3, 16, 9, 0, tzinfo=LONDON
    )


def test_nothing_is_due_before_the_first_start_of_a_once_survey():
    once = schedule("once", dt.date(2026, 3, 4))
    before = dt.datetime(2026, 3, 4, 8, 59, tzinfo=dt.UTC)

    assert latest_start(once, now=before) is None
    assert latest_start(once, now=before + dt.timedelta(minutes=1)) is not None


def test_a_start_exactly_now_is_due():
    weekly = schedule("weekly", dt.date(2026, 3, 2))
    at = dt.datetime(2026, 3, 9, 9, 0, tzinfo=LONDON)

    assert latest_start(weekly, now=at) == at


def test_a_wall_time_skipped_by_spring_forward_moves_past_the_gap():
    instant = local_instant(dt.date(2026, 3, 29), dt.time(1, 30), LONDON)

    assert instant.strftime("%H:%M %Z") == "02:30 BST"
    assert instant.astimezone(dt.UTC).strftime("%H:%M") == "01:30"


def test_a_bad_weekday_is_refused():
    with pytest.raises(ValueError, match="weekday must be 0"):
        schedule("weekly", dt.date(2026, 3, 2), weekday=7)


def test_sunday_is_a_valid_weekday():
    assert first(1, schedule("weekly", dt.date(2026, 3, 2), weekday=SUN)) == [
        "2026-03-08 09:00 GMT"
    ]


@pytest.mark.parametrize("cadence", ["weekly", "biweekly", "monthly", "quarterly"])
@pytest.mark.parametrize("tz", [LONDON, NEW_YORK, ZoneInfo("Australia/Sydney")])
def test_over_three_years_starts_rise_keep_their_weekday_and_local_time(cadence, tz):
    sched = schedule(
        cadence, dt.date(2026, 1, 31), weekday=SUN, at=dt.time(10, 15), tz=tz
    )

    got = [
        s.astimezone(tz)
        for s in islice(starts(sched), 160 if "week" in cadence else 36)
    ]

    assert all(a < b for a, b in zip(got, got[1:], strict=False))
    assert {s.weekday() for s in got} == {SUN}
    assert {(s.hour, s.minute) for s in got} == {(10, 15)}
    if cadence in ("monthly", "quarterly"):
        assert {s.day for s in got} <= set(range(1, 8))  # the first Sunday
