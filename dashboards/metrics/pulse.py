"""Employee pulse metrics: sentiment index, eNPS, drivers by team, comment
sentiment and hours saved, each one grouped query whatever the data's size.

Every function returns rows already passed through the anonymity floor
(`dashboards.suppression`): hidden rows keep their key and lose their figures.
Names follow DESIGN.md's Metrics section.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Avg, Count, Max, Q, QuerySet, Sum
from django.db.models.functions import TruncWeek

from dashboards import suppression
from dashboards.filters import Filters
from surveys.models import Answer, Question, Survey

Kind = Question.Kind
DEFAULT_FLOOR = 5
HOURS_PER_FTE = 40


def answers(filters: Filters, *, audience: str = Survey.Audience.EMPLOYEES) -> QuerySet:
    """The answers in scope: one audience, the filters' survey, dates and group."""
    scope = Answer.objects.filter(rounds_in(filters, audience, "response__round__"))
    if filters.department:
        scope = scope.filter(response__department_id=filters.department)
    if filters.team:
        scope = scope.filter(response__team_id=filters.team)
    if filters.teams is not None:
        scope = scope.filter(response__team_id__in=filters.teams)
    return scope


def rounds_in(filters: Filters, audience: str, path: str = "") -> Q:
    """The rounds the filters select, as a condition on `path` (a round): the
    audience, the survey, the dates and, for those who see only those, published
    results. Dates select whole rounds (by when they started), never a round's
    answers by the day they came in: two nearby dates must not isolate one day's
    few."""
    found = {f"{path}survey__audience": audience}
    if filters.survey:
        found[f"{path}survey_id"] = filters.survey
    if filters.since:
        found[f"{path}starts_at__date__gte"] = filters.since
    if filters.until:
        found[f"{path}starts_at__date__lte"] = filters.until
    if filters.published_only:
        found[f"{path}results_published_at__isnull"] = False
    return Q(**found)


def floor_for(filters: Filters, *, audience: str = Survey.Audience.EMPLOYEES) -> int:
    """The strictest anonymity floor among the surveys in scope."""
    surveys = Survey.objects.filter(audience=audience)
    if filters.survey:
        surveys = surveys.filter(pk=filters.survey)
    floor = surveys.aggregate(floor=Max("min_group_size"))["floor"]
    return floor or DEFAULT_FLOOR


def weekly(scope: QuerySet, **figures) -> list[dict]:
    """Answers grouped by the week their round started, with respondents `n`."""
    rows = (
        scope.annotate(week=TruncWeek("response__round__starts_at"))
        .values("week")
        .annotate(n=Count("response", distinct=True), **figures)
        .order_by("week")
    )
    return [{**row, "week": _day(row["week"])} for row in rows]


def sentiment_trend(filters: Filters, *, floor: int) -> list[dict]:
    """Per week: the sentiment index, the mean of the 1-5 Likert items scaled to
    0-100, and its respondents."""
    rows = weekly(
        answers(filters).filter(question__kind=Kind.LIKERT), mean=Avg("number")
    )
    for row in rows:
        row["index"] = _round((float(row.pop("mean")) - 1) * 25)
    return suppression.apply(rows, key="week", count="n", floor=floor, fields=["index"])


def enps_trend(filters: Filters, *, floor: int) -> list[dict]:
    """Per week: eNPS, % promoters (9-10) minus % detractors (0-6)."""
    rows = weekly(
        answers(filters).filter(question__kind=Kind.ENPS),
        promoters=Count("pk", filter=Q(number__gte=9)),
        detractors=Count("pk", filter=Q(number__lte=6)),
        answered=Count("pk"),
    )
    for row in rows:
        total = row.pop("answered")
        row["enps"] = _round(
            100 * (row.pop("promoters") - row.pop("detractors")) / total
        )
    return suppression.apply(rows, key="week", count="n", floor=floor, fields=["enps"])


def comment_sentiment_trend(filters: Filters, *, floor: int) -> list[dict]:
    """Per week: the mean VADER compound score of free-text answers."""
    rows = weekly(
        answers(filters).filter(question__kind=Kind.FREE_TEXT, sentiment__isnull=False),
        sentiment=Avg("sentiment"),
    )
    for row in rows:
        row["sentiment"] = _round(row["sentiment"], 3)
    return suppression.apply(
        rows, key="week", count="n", floor=floor, fields=["sentiment"]
    )


def driver_heatmap(filters: Filters, *, floor: int) -> list[dict]:
    """Per team and driver: the mean Likert score (1-5). A team's cells are hidden
    together when the team is below the floor, with enough sibling teams that none
    can be recovered from the others."""
    rows = list(
        answers(filters)
        .filter(question__kind=Kind.LIKERT)
        .exclude(question__driver="")
        .values("response__team", "response__team__name", "question__driver")
        .annotate(mean=Avg("number"), n=Count("response", distinct=True))
        .order_by("response__team__name", "question__driver")
    )
    team_sizes: dict[object, int] = defaultdict(int)
    for row in rows:
        team_sizes[row["response__team"]] = max(
            team_sizes[row["response__team"]], row["n"]
        )
    hidden = suppression.suppressed_keys(team_sizes, floor=floor)
    result = []
    for row in rows:
        team = row["response__team"]
        result.append(
            {
                "team": team,
                "team_name": row["response__team__name"] or "No team",
                "driver": row["question__driver"],
                "n": None if team in hidden else team_sizes[team],
                "mean": None if team in hidden else _round(float(row["mean"]), 2),
                "suppressed": team in hidden,
            }
        )
    return result


def hours_saved(filters: Filters, *, floor: int) -> list[dict]:
    """Per AI tool and week: hours saved reported in total, per respondent, and as
    full-time equivalents (total / 40)."""
    scope = answers(filters).filter(question__kind=Kind.HOURS_SAVED)
    if filters.tool:
        scope = scope.filter(question__ai_tool_id=filters.tool)
    rows = (
        scope.annotate(week=TruncWeek("response__round__starts_at"))
        .values("week", "question__ai_tool", "question__ai_tool__name")
        .annotate(n=Count("response", distinct=True), total=Sum("number"))
        .order_by("question__ai_tool__name", "week")
    )
    by_tool: dict[object, list[dict]] = defaultdict(list)
    for row in rows:
        total = float(row["total"])
        by_tool[row["question__ai_tool"]].append(
            {
                "tool": row["question__ai_tool"],
                "tool_name": row["question__ai_tool__name"] or "Any AI tool",
                "week": _day(row["week"]),
                "n": row["n"],
                "hours": _round(total, 1),
                "per_person": _round(total / row["n"], 2),
                "fte": _round(total / HOURS_PER_FTE, 2),
            }
        )
    result = []
    for tool_rows in by_tool.values():  # a tool's weeks are siblings
        result += suppression.apply(
            tool_rows,
            key="week",
            count="n",
            floor=floor,
            fields=["hours", "per_person", "fte"],
        )
    return result


def _day(value: dt.datetime | dt.date) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def _round(value: float, digits: int = 1) -> float:
    return round(value, digits)
