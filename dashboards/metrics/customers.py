"""Customer metrics: CSAT and NPS per week, CSAT per AI tool, and comment
sentiment."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Avg, Count, Q
from django.db.models.functions import TruncWeek

from dashboards import suppression
from dashboards.filters import Filters
from dashboards.metrics.pulse import answers, weekly
from surveys.models import Question, Survey

CUSTOMERS = Survey.Audience.CUSTOMERS
Kind = Question.Kind


def csat_trend(filters: Filters, *, floor: int) -> list[dict]:
    """Per week: CSAT, the % of 4-5 answers on the 1-5 satisfaction items.

    Overall satisfaction only: an item naming an AI tool rates the service given
    with that tool's help, answered only by the customers it helped (`tool_csat`).
    """
    rows = weekly(
        answers(filters, audience=CUSTOMERS).filter(
            question__kind=Kind.CSAT, question__ai_tool__isnull=True
        ),
        satisfied=Count("pk", filter=Q(number__gte=4)),
        answered=Count("pk"),
    )
    for row in rows:
        row["csat"] = round(100 * row.pop("satisfied") / row.pop("answered"), 1)
    return suppression.apply(rows, key="week", count="n", floor=floor, fields=["csat"])


def tool_csat(filters: Filters, *, floor: int) -> list[dict]:
    """Per AI tool and week: CSAT on the satisfaction items naming the tool, the
    customers' rating of the service they got with its help."""
    scope = answers(filters, audience=CUSTOMERS).filter(
        question__kind=Kind.CSAT, question__ai_tool__isnull=False
    )
    if filters.tool:
        scope = scope.filter(question__ai_tool_id=filters.tool)
    rows = (
        scope.annotate(week=TruncWeek("response__round__starts_at"))
        .values("week", "question__ai_tool", "question__ai_tool__name")
        .annotate(
            n=Count("response", distinct=True),
            satisfied=Count("pk", filter=Q(number__gte=4)),
            answered=Count("pk"),
        )
        .order_by("question__ai_tool__name", "week")
    )
    by_tool: dict[int, list[dict]] = defaultdict(list)
    for row in rows:
        by_tool[row["question__ai_tool"]].append(
            {
                "tool": row["question__ai_tool"],
                "tool_name": row["question__ai_tool__name"],
                "week": _day(row["week"]),
                "n": row["n"],
                "csat": round(100 * row["satisfied"] / row["answered"], 1),
            }
        )
    result = []
    for tool_rows in by_tool.values():  # a tool's weeks are siblings
        result += suppression.apply(
            tool_rows, key="week", count="n", floor=floor, fields=["csat"]
        )
    return result


def nps_trend(filters: Filters, *, floor: int) -> list[dict]:
    """Per week: NPS, % promoters (9-10) minus % detractors (0-6)."""
    rows = weekly(
        answers(filters, audience=CUSTOMERS).filter(question__kind=Kind.ENPS),
        promoters=Count("pk", filter=Q(number__gte=9)),
        detractors=Count("pk", filter=Q(number__lte=6)),
        answered=Count("pk"),
    )
    for row in rows:
        total = row.pop("answered")
        row["nps"] = round(
            100 * (row.pop("promoters") - row.pop("detractors")) / total, 1
        )
    return suppression.apply(rows, key="week", count="n", floor=floor, fields=["nps"])


def comment_sentiment_trend(filters: Filters, *, floor: int) -> list[dict]:
    rows = weekly(
        answers(filters, audience=CUSTOMERS).filter(
            question__kind=Kind.FREE_TEXT, sentiment__isnull=False
        ),
        sentiment=Avg("sentiment"),
    )
    for row in rows:
        row["sentiment"] = round(row["sentiment"], 3)
    return suppression.apply(
        rows, key="week", count="n", floor=floor, fields=["sentiment"]
    )


def _day(value: dt.datetime | dt.date) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value
