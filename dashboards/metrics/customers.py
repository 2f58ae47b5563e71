"""Customer metrics: CSAT and NPS per week, CSAT per AI tool, and comment
sentiment, through the privacy engine like every figure (a customer answers from
no team, so a round's customers are one unit: shown when they reach the floor)."""

from __future__ import annotations

from django.db.models import Count, Q

from dashboards.filters import Filters
from dashboards.metrics.pulse import comment_sentiment_trend as _comments
from dashboards.metrics.pulse import nps_rows
from dashboards.privacy import (
    People,
    answers_in,
    per_unit,
    populations,
    ratio,
    round_infos,
    weekly_rows,
)
from surveys.models import Question, Survey

CUSTOMERS = Survey.Audience.CUSTOMERS
Kind = Question.Kind


def _csat(filters: Filters, *, per_tool: bool) -> tuple[list, list]:
    rounds = round_infos(filters, CUSTOMERS)
    scope = answers_in(
        rounds, question__kind=Kind.CSAT, question__ai_tool__isnull=not per_tool
    )
    if per_tool and filters.tool:
        scope = scope.filter(question__ai_tool_id=filters.tool)
    keys = ("tool:question__ai_tool", "tool_name:question__ai_tool__name")
    rows = list(
        per_unit(
            scope,
            *(keys if per_tool else ()),
            satisfied=Count("pk", filter=Q(number__gte=4)),
            answered=Count("pk"),
        )
    )
    return rows, populations(rows, rounds, key=lambda row: row.get("tool"))


def _csat_figure(totals) -> dict:
    return {"csat": ratio(totals["satisfied"], totals["answered"])}


def csat_trend(filters: Filters) -> list[dict]:
    """Per week: CSAT, the % of 4-5 answers on the 1-5 satisfaction items.

    Overall satisfaction only: an item naming an AI tool rates the service given
    with that tool's help, answered only by the customers it helped (`tool_csat`).
    """
    _, found = _csat(filters, per_tool=False)
    return weekly_rows(found, People.of(filters), _csat_figure, ["csat"])


def tool_csat(filters: Filters) -> list[dict]:
    """Per AI tool and week: CSAT on the satisfaction items naming the tool, the
    customers' rating of the service they got with its help. Each round and
    tool's customers are a population of their own."""
    rows, found = _csat(filters, per_tool=True)
    names = {row["tool"]: row["tool_name"] for row in rows}
    result = []
    for tool in sorted(names, key=lambda t: (names[t], t)):
        mine = [p for p in found if p.key == tool]
        for row in weekly_rows(mine, People.of(filters), _csat_figure, ["csat"]):
            result.append({"tool": tool, "tool_name": names[tool], **row})
    return result


def nps_trend(filters: Filters) -> list[dict]:
    """Per week: NPS, % promoters (9-10) minus % detractors (0-6)."""
    return nps_rows(filters, CUSTOMERS, "nps")


def comment_sentiment_trend(filters: Filters) -> list[dict]:
    return _comments(filters, audience=CUSTOMERS)
