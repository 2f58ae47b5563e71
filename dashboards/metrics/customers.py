"""Customer metrics: CSAT and NPS per week, CSAT per AI tool, and comment
sentiment, through the privacy engine like every figure (a customer answers from
no team, so a round's customers are one unit: shown when they reach the floor)."""

from __future__ import annotations

from dashboards.filters import Filters
from dashboards.metrics.pulse import Rounds, closed_rounds, nps_rows
from dashboards.metrics.pulse import comment_sentiment_trend as _comments
from dashboards.privacy import (
    People,
    Population,
    ratio,
    weekly_rows,
)
from dashboards.summaries import figure_populations
from surveys.models import Question, Survey

CUSTOMERS = Survey.Audience.CUSTOMERS
Kind = Question.Kind


def _csat(
    filters: Filters, *, per_tool: bool, rounds: Rounds | None = None
) -> list[Population]:
    """Each closed round's customers (and tool's, `per_tool`), in cells.
    `rounds`: as `pulse.closed_rounds` takes them."""
    rounds = closed_rounds(filters, CUSTOMERS, rounds)
    people = People.of(filters)
    if not per_tool:
        return figure_populations("csat", rounds, people)
    where = {"tool": filters.tool} if filters.tool else {}
    return figure_populations(
        "tool_csat",
        rounds,
        people,
        key=lambda row: (row["tool"], row["tool_name"]),
        **where,
    )


def _csat_figure(totals) -> dict:
    return {"csat": ratio(totals["satisfied"], totals["answers"])}


def csat_trend(filters: Filters, *, rounds: Rounds | None = None) -> list[dict]:
    """Per week: CSAT, the % of 4-5 answers on the 1-5 satisfaction items.

    Overall satisfaction only: an item naming an AI tool rates the service given
    with that tool's help, answered only by the customers it helped (`tool_csat`).
    """
    found = _csat(filters, per_tool=False, rounds=rounds)
    return weekly_rows(found, People.of(filters), _csat_figure, ["csat"])


def tool_csat(filters: Filters) -> list[dict]:
    """Per AI tool and week: CSAT on the satisfaction items naming the tool, the
    customers' rating of the service they got with its help. Each round and
    tool's customers are a population of their own."""
    found = _csat(filters, per_tool=True)
    names = {p.key[0]: p.key[1] for p in found}
    result = []
    for tool in sorted(names, key=lambda t: (names[t], t)):
        mine = [p for p in found if p.key[0] == tool]
        for row in weekly_rows(mine, People.of(filters), _csat_figure, ["csat"]):
            result.append({"tool": tool, "tool_name": names[tool], **row})
    return result


def nps_trend(filters: Filters, *, rounds: Rounds | None = None) -> list[dict]:
    """Per week: NPS, % promoters (9-10) minus % detractors (0-6)."""
    return nps_rows(filters, CUSTOMERS, "nps", rounds=rounds)


def comment_sentiment_trend(
    filters: Filters, *, rounds: Rounds | None = None
) -> list[dict]:
    return _comments(filters, audience=CUSTOMERS, rounds=rounds)
