"""Loop closure: are concerns answered, on time, and by whom (docs/design.md, metrics).

- On time: a concern whose first official response came by its due time. A concern
  still unanswered counts against its owner only once its due time has passed.
- Median time to first response: PostgreSQL computes it (percentile_cont); SQLite,
  the local default, has no percentile function, so there the ordered durations of
  one query are read and the middle taken.
"""

from __future__ import annotations

import datetime as dt
import statistics

from django.db import connection
from django.db.models import (
    Aggregate,
    Case,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    When,
)
from django.db.models.functions import Coalesce, TruncWeek
from django.utils import timezone

from feedback.models import CLOSED, Concern, Status, StatusChange


class _Median(Aggregate):
    function = "percentile_cont"
    template = "percentile_cont(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def concerns(*, since: dt.date | None = None, until: dt.date | None = None, tool=None):
    """Concerns in scope: not merged away, created in the date range."""
    scope = Concern.objects.filter(merged_into=None)
    if since:
        scope = scope.filter(created_at__date__gte=since)
    if until:
        scope = scope.filter(created_at__date__lte=until)
    if tool:
        scope = scope.filter(ai_tool_id=tool)
    return scope


def _response_seconds() -> ExpressionWrapper:
    return ExpressionWrapper(
        F("first_responded_at") - F("created_at"), output_field=DurationField()
    )


def on_time_by(scope: QuerySet, field: str, *, now: dt.datetime) -> list[dict]:
    """Per `field` (owner or category): concerns, how many were due by now, how many
    answered by their due time, and the % on time among those due."""
    rows = (
        scope.values(field)
        .annotate(
            total=Count("pk"),
            due=Count(
                "pk",
                filter=Q(first_response_due_at__lte=now)
                | Q(first_responded_at__isnull=False),
            ),
            on_time=Count(
                "pk", filter=Q(first_responded_at__lte=F("first_response_due_at"))
            ),
        )
        .order_by(field)
    )
    return [
        {
            **row,
            "on_time_pct": round(100 * row["on_time"] / row["due"], 1)
            if row["due"]
            else None,
        }
        for row in rows
    ]


def median_hours_to_first_response(scope: QuerySet, field: str | None = None):
    """The median hours from raising to the first official response, overall or per
    `field`; concerns never answered are left out (the overdue list shows them)."""
    answered = scope.filter(first_responded_at__isnull=False)
    if connection.vendor == "postgresql":
        epoch = ExpressionWrapper(
            _Epoch(_response_seconds()) / 3600.0, output_field=FloatField()
        )
        if field is None:
            return answered.aggregate(median=_Median(epoch))["median"]
        return {
            row[field]: row["median"]
            for row in answered.values(field).annotate(median=_Median(epoch))
        }
    rows = answered.values_list(field or "pk", "created_at", "first_responded_at")
    hours: dict[object, list[float]] = {}
    for key, created, responded in rows:
        hours.setdefault(key if field else None, []).append(
            (responded - created).total_seconds() / 3600
        )
    medians = {key: statistics.median(values) for key, values in hours.items()}
    return medians.get(None) if field is None else medians


class _Epoch(Func):
    """EXTRACT(EPOCH FROM interval): seconds, on PostgreSQL."""

    template = "EXTRACT(EPOCH FROM %(expressions)s)"
    output_field = FloatField()


def overdue(scope: QuerySet, *, now: dt.datetime) -> QuerySet[Concern]:
    """Open concerns past their due time with no official response, oldest first."""
    return (
        scope.exclude(status__in=CLOSED)
        .filter(first_responded_at=None, first_response_due_at__lt=now, hidden_at=None)
        .select_related("owner", "ai_tool")
        .order_by("first_response_due_at")
    )


def weekly_flow(scope: QuerySet, *, now: dt.datetime | None = None) -> list[dict]:
    """Per week: concerns raised; open and overdue at its end; resolved or declined
    during it (from history)."""
    raised = {
        row["week"].date(): row["n"]
        for row in scope.annotate(week=TruncWeek("created_at"))
        .values("week")
        .annotate(n=Count("pk"))
    }
    closing = (
        StatusChange.objects.filter(concern__in=scope, to_status__in=CLOSED)
        .exclude(from_status=F("to_status"))
        .annotate(week=TruncWeek("at"))
        .values("week", "to_status")
        .annotate(n=Count("pk"))
    )
    closed: dict[dt.date, dict[str, int]] = {}
    for row in closing:
        closed.setdefault(row["week"].date(), {})[row["to_status"]] = row["n"]
    weeks = sorted(set(raised) | set(closed))
    backlog = _backlog(scope, weeks, now=now or timezone.now())
    return [
        {
            "week": week,
            "raised": raised.get(week, 0),
            "open": backlog[week][0] - backlog[week][1],
            "overdue": backlog[week][1],
            "resolved": closed.get(week, {}).get(Status.RESOLVED, 0),
            "declined": closed.get(week, {}).get(Status.DECLINED, 0),
        }
        for week in weeks
    ]


def _backlog(
    scope: QuerySet, weeks: list[dt.date], *, now: dt.datetime
) -> dict[dt.date, tuple[int, int]]:
    """Per week: the concerns open at its end (or now, for the week under way), and
    how many of those were overdue then.

    A week's end is a week boundary, so "before the end of week W" is "in week W
    or earlier"; a due time still ahead of now counts as not yet due. Concerns
    never reopened are counted in one grouped query, by the weeks they were
    raised, closed (their move into resolved or declined), first answered and fell
    due. The few ever reopened are followed through their history (two queries).
    """
    if not weeks:
        return {}
    reopened = Exists(
        StatusChange.objects.filter(
            concern=OuterRef("pk"), from_status__in=CLOSED
        ).exclude(to_status__in=CLOSED)
    )
    closing = (
        StatusChange.objects.filter(concern=OuterRef("pk"), to_status__in=CLOSED)
        .exclude(from_status__in=CLOSED)
        .order_by("-at")
        .values("at")[:1]
    )
    closed_at = Case(
        When(status__in=CLOSED, then=Coalesce(Subquery(closing), "last_activity_at")),
        default=None,
    )
    due_at = Case(
        When(first_response_due_at__lte=now, then="first_response_due_at"),
        default=None,
    )
    grouped = (
        scope.exclude(reopened)
        .annotate(
            raised=TruncWeek("created_at"),
            closed=TruncWeek(closed_at),
            answered=TruncWeek("first_responded_at"),
            due=TruncWeek(due_at),
        )
        .values_list("raised", "closed", "answered", "due")
        .annotate(n=Count("pk"))
        .order_by()
    )
    # (raised, answered, due, closed in which weeks, n): a week is in `closed`
    # when the concern was closed at its end.
    timelines = [
        (*(_week(value) for value in (raised, answered, due)), _closed_from(closed), n)
        for raised, closed, answered, due, n in grouped
    ]
    timelines += _reopened_timelines(scope.filter(reopened), now=now)
    counts = {}
    for week in weeks:
        still_open = overdue = 0
        for raised, answered, due, closed, n in timelines:
            if raised > week or closed(week):
                continue
            still_open += n
            if (
                due is not None
                and due <= week
                and (answered is None or answered > week)
            ):
                overdue += n
        counts[week] = (still_open, overdue)
    return counts


def _closed_from(week: dt.datetime | dt.date | None):
    start = _week(week)
    return lambda at_end_of: start is not None and start <= at_end_of


def _reopened_timelines(scope: QuerySet, *, now: dt.datetime) -> list[tuple]:
    """Each reopened concern's timeline, from its history in one query: closed at
    the end of a week when its last status change by then moved it into resolved
    or declined."""
    concerns: dict[int, tuple] = {}
    changes: dict[int, list[tuple[dt.date, bool]]] = {}
    history = (
        StatusChange.objects.filter(concern__in=scope)
        .exclude(from_status=F("to_status"))
        .order_by("at", "pk")
        .values_list(
            "concern",
            "at",
            "to_status",
            "concern__created_at",
            "concern__first_response_due_at",
            "concern__first_responded_at",
        )
    )
    for concern, at, to_status, created, due, answered in history:
        concerns[concern] = (created, due, answered)
        changes.setdefault(concern, []).append((_week_of(at), to_status in CLOSED))
    return [
        (
            _week_of(created),
            _week_of(answered) if answered else None,
            _week_of(due) if due <= now else None,
            _closed_by(changes[pk]),
            1,
        )
        for pk, (created, due, answered) in concerns.items()
    ]


def _closed_by(history: list[tuple[dt.date, bool]]):
    def closed(at_end_of: dt.date) -> bool:
        state = False
        for week, closes in history:
            if week > at_end_of:
                break
            state = closes
        return state

    return closed


def _week_of(moment: dt.datetime) -> dt.date:
    """The Monday of a moment's week in the current time zone, as TruncWeek."""
    day = timezone.localtime(moment).date()
    return day - dt.timedelta(days=day.weekday())


def _week(value: dt.datetime | dt.date | None) -> dt.date | None:
    return value.date() if isinstance(value, dt.datetime) else value


def scorecard(scope: QuerySet, *, now: dt.datetime) -> list[dict]:
    """Leaders' scorecard, per owner: concerns owned, % first response by the due
    time, median hours to first response, resolved with a written outcome."""
    on_time = {row["owner"]: row for row in on_time_by(scope, "owner", now=now)}
    medians = median_hours_to_first_response(scope, "owner")
    rows = (
        scope.values("owner", "owner__name")
        .annotate(
            owned=Count("pk"),
            open=Count("pk", filter=~Q(status__in=CLOSED)),
            resolved=Count("pk", filter=Q(status=Status.RESOLVED) & ~Q(outcome="")),
        )
        .order_by("owner__name")
    )
    return [
        {
            **row,
            "on_time_pct": on_time.get(row["owner"], {}).get("on_time_pct"),
            "median_hours": _round(medians.get(row["owner"])),
        }
        for row in rows
    ]


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def open_by_tool(scope: QuerySet, *, now: dt.datetime) -> list[dict]:
    """Per AI tool named by a concern: open concerns, and how many of those are
    overdue (past the due time, no official response). One grouped query."""
    open_ = ~Q(status__in=CLOSED)
    rows = (
        scope.filter(ai_tool__isnull=False)
        .values("ai_tool", "ai_tool__name")
        .annotate(
            open=Count("pk", filter=open_),
            overdue=Count(
                "pk",
                filter=open_
                & Q(first_responded_at=None, first_response_due_at__lt=now),
            ),
            total=Count("pk"),
        )
        .order_by("ai_tool__name", "ai_tool")
    )
    return [
        {
            "tool": row["ai_tool"],
            "tool_name": row["ai_tool__name"],
            "open": row["open"],
            "overdue": row["overdue"],
            "total": row["total"],
        }
        for row in rows
    ]
