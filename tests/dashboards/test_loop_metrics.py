"""Loop-closure metrics against hand-computed fixtures: on-time %, medians,
overdue, weekly flow and the leaders' scorecard."""

from __future__ import annotations

import datetime as dt

import pytest

from dashboards.metrics import loop
from feedback.models import Concern, Status, StatusChange
from tests.org.factories import PersonFactory

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)  # Monday
NOW = T0 + dt.timedelta(days=20)


def _concern(owner, *, created=T0, due_days=3, answered_after_hours=None, **fields):
    responded = (
        None
        if answered_after_hours is None
        else created + dt.timedelta(hours=answered_after_hours)
    )
    return Concern.objects.create(
        title="t",
        body="b",
        category=fields.pop("category", "workload"),
        owner=owner,
        created_at=created,
        last_activity_at=created,
        first_response_due_at=created + dt.timedelta(days=due_days),
        first_responded_at=responded,
        **fields,
    )


@pytest.fixture
def owners():
    return PersonFactory(name="Ada Owner"), PersonFactory(name="Ben Owner")


def test_on_time_share_per_owner(owners):
    ada, ben = owners
    _concern(ada, answered_after_hours=10)  # on time
    _concern(ada, answered_after_hours=100)  # late (due after 72 h)
    _concern(ada)  # never answered, overdue
    _concern(ada, created=NOW - dt.timedelta(hours=1))  # not due yet: not counted
    _concern(ben, answered_after_hours=1)
    rows = {r["owner"]: r for r in loop.on_time_by(loop.concerns(), "owner", now=NOW)}
    assert (rows[ada.pk]["total"], rows[ada.pk]["due"], rows[ada.pk]["on_time"]) == (
        4,
        3,
        1,
    )
    assert rows[ada.pk]["on_time_pct"] == 33.3
    assert rows[ben.pk]["on_time_pct"] == 100.0


def test_median_hours_to_first_response(owners):
    ada, ben = owners
    for hours in (2, 4, 30):
        _concern(ada, answered_after_hours=hours)
    _concern(ben, answered_after_hours=10)
    _concern(ben, answered_after_hours=20)
    _concern(ben)  # unanswered: left out
    assert loop.median_hours_to_first_response(loop.concerns()) == pytest.approx(10)
    per_owner = loop.median_hours_to_first_response(loop.concerns(), "owner")
    assert per_owner[ada.pk] == pytest.approx(4)
    assert per_owner[ben.pk] == pytest.approx(15)


def test_overdue_lists_open_unanswered_concerns_past_due_oldest_first(owners):
    ada, _ = owners
    old = _concern(ada, created=T0)
    newer = _concern(ada, created=T0 + dt.timedelta(days=2))
    _concern(ada, answered_after_hours=200)  # answered late: not overdue now
    _concern(ada, status=Status.DECLINED, outcome="No.")
    _concern(ada, created=NOW)  # not due yet
    assert list(loop.overdue(loop.concerns(), now=NOW)) == [old, newer]


def test_weekly_flow_counts_raised_and_closed_from_history(owners):
    ada, _ = owners
    first = _concern(ada, created=T0, status=Status.RESOLVED, outcome="Done.")
    _concern(ada, created=T0 + dt.timedelta(days=1))
    _concern(ada, created=T0 + dt.timedelta(days=8))
    StatusChange.objects.create(
        concern=first,
        at=T0 + dt.timedelta(days=9),
        from_status="in_progress",
        to_status="resolved",
    )
    # End of week 1 (9 Mar): both concerns open, both past their 3-day due time.
    # End of week 2: the first resolved on 11 Mar; the other two open and overdue.
    assert loop.weekly_flow(loop.concerns(), now=NOW) == [
        {
            "week": dt.date(2026, 3, 2),
            "raised": 2,
            "open": 0,
            "overdue": 2,
            "resolved": 0,
            "declined": 0,
        },
        {
            "week": dt.date(2026, 3, 9),
            "raised": 1,
            "open": 0,
            "overdue": 2,
            "resolved": 1,
            "declined": 0,
        },
    ]


def test_the_backlog_at_a_weeks_end_counts_answers_and_closings_by_then(owners):
    ada, _ = owners
    # Raised Monday 2 Mar, due Thursday, answered Tuesday 10 Mar, declined 17 Mar.
    late = _concern(
        ada,
        created=T0,
        answered_after_hours=24 * 8,
        status=Status.DECLINED,
        outcome="Not something we will change.",
    )
    StatusChange.objects.create(
        concern=late,
        at=T0 + dt.timedelta(days=15),
        from_status="in_progress",
        to_status="declined",
    )
    _concern(ada, created=T0 + dt.timedelta(days=2), due_days=30)  # open, not due

    rows = loop.weekly_flow(loop.concerns(), now=NOW)

    assert [
        (r["week"].day, r["raised"], r["open"], r["overdue"], r["declined"])
        for r in rows
    ] == [
        (2, 2, 1, 1, 0),  # at 9 Mar: the first still unanswered past due
        (16, 0, 1, 0, 1),  # at now (22 Mar): the first declined, the other open
    ]


def test_the_scorecard_per_owner(owners):
    ada, ben = owners
    _concern(ada, answered_after_hours=5, status=Status.RESOLVED, outcome="Fixed.")
    _concern(ada, answered_after_hours=100)
    _concern(ben)
    card = {row["owner__name"]: row for row in loop.scorecard(loop.concerns(), now=NOW)}
    assert card["Ada Owner"]["owned"] == 2
    assert card["Ada Owner"]["on_time_pct"] == 50.0
    assert card["Ada Owner"]["median_hours"] == pytest.approx(52.5)
    assert card["Ada Owner"]["resolved"] == 1
    assert card["Ben Owner"]["on_time_pct"] == 0.0
    assert card["Ben Owner"]["median_hours"] is None


def test_a_reopened_concern_counts_as_closed_only_while_it_was(owners):
    ada, _ = owners
    # Raised Monday 2 Mar (due Thursday 5), resolved Tuesday 3 without an answer,
    # reopened Wednesday 11: closed at the end of week 1, open and overdue after.
    concern = _concern(ada, created=T0, status=Status.ACKNOWLEDGED)
    for days, before, after in (
        (1, "new", "resolved"),
        (9, "resolved", "acknowledged"),
    ):
        StatusChange.objects.create(
            concern=concern,
            at=T0 + dt.timedelta(days=days),
            from_status=before,
            to_status=after,
        )

    rows = loop.weekly_flow(loop.concerns(), now=NOW)

    assert [(r["week"].day, r["open"], r["overdue"], r["resolved"]) for r in rows] == [
        (2, 0, 0, 1),  # at 9 Mar: resolved, so neither open nor overdue
    ]
    backlog = loop._backlog(
        loop.concerns(), [dt.date(2026, 3, 2), dt.date(2026, 3, 9)], now=NOW
    )
    assert backlog == {dt.date(2026, 3, 2): (0, 0), dt.date(2026, 3, 9): (1, 1)}
