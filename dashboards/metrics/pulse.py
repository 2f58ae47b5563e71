"""Employee pulse metrics: sentiment index, eNPS, drivers by team, comment
sentiment and hours saved, each from one grouped query per round and unit.

Every figure goes through the privacy engine (`dashboards.privacy`): each round's
population is split into cells of at least its survey's floor, and a figure sums
whole cells only; a hidden row keeps its key and says why. Only closed rounds
count (`round_infos`). Names follow the design document's metrics section.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db.models import Max, QuerySet

from dashboards.filters import Filters
from dashboards.metrics.drivers import driver_heatmap
from dashboards.privacy import (
    People,
    Population,
    RoundInfo,
    ratio,
    round_infos,
    rounds_in,
    weekly_rows,
)
from dashboards.summaries import figure_populations
from surveys.models import Answer, Question, Survey

Kind = Question.Kind
DEFAULT_FLOOR = 5
Rounds = Mapping[int, RoundInfo]
HOURS_PER_FTE = 40

__all__ = ["driver_heatmap", "rounds_in"]


def answers(filters: Filters, *, audience: str = Survey.Audience.EMPLOYEES) -> QuerySet:
    """The answers of the closed rounds a view selects (its people not applied:
    the privacy engine takes whole cells)."""
    return Answer.objects.filter(
        rounds_in(filters, audience, "response__round__"),
        response__round__closed_at__isnull=False,
    )


def floor_for(filters: Filters, *, audience: str = Survey.Audience.EMPLOYEES) -> int:
    """The strictest anonymity floor among the surveys in scope (for page text;
    each round's cells use its own survey's floor)."""
    surveys = Survey.objects.filter(audience=audience)
    if filters.survey:
        surveys = surveys.filter(pk=filters.survey)
    floor = surveys.aggregate(floor=Max("min_group_size"))["floor"]
    return floor or DEFAULT_FLOOR


def closed_rounds(
    filters: Filters,
    audience: str = Survey.Audience.EMPLOYEES,
    rounds: Rounds | None = None,
) -> Rounds:
    """The closed rounds a view selects (`round_infos`): `rounds` when the page
    read them already (every round in view, open ones too, by id: one query a
    page, not one a chart), else read now."""
    if rounds is None:
        return round_infos(filters, audience)
    return {pk: info for pk, info in rounds.items() if info.closed}


def sentiment_trend(filters: Filters, *, rounds: Rounds | None = None) -> list[dict]:
    """Per week: the sentiment index, the mean of the 1-5 Likert items scaled to
    0-100, and its respondents `n`. `rounds`: as `closed_rounds` takes them."""
    rounds = closed_rounds(filters, rounds=rounds)
    # Required questions only: everyone counted answered them, so no driver's
    # few answerers (an optional question) can be worked out from the index.
    people = People.of(filters)
    return weekly_rows(
        figure_populations("index", rounds, people),
        people,
        lambda t: {"index": round((float(t["total"]) / t["answers"] - 1) * 25, 1)},
        ["index"],
    )


def enps_trend(filters: Filters, *, rounds: Rounds | None = None) -> list[dict]:
    """Per week: eNPS, % promoters (9-10) minus % detractors (0-6)."""
    return nps_rows(filters, Survey.Audience.EMPLOYEES, "enps", rounds=rounds)


def nps_rows(
    filters: Filters, audience: str, field: str, *, rounds: Rounds | None = None
) -> list[dict]:
    """eNPS (employees) or NPS (customers) per week, as `field`."""
    rounds = closed_rounds(filters, audience, rounds)
    people = People.of(filters)
    return weekly_rows(
        figure_populations("enps", rounds, people),
        people,
        lambda t: {field: ratio(t["promoters"] - t["detractors"], t["answers"])},
        [field],
    )


def commenters(rounds: Mapping[int, RoundInfo], people: People) -> list[Population]:
    """The commenters of some rounds, in cells of at least the comment threshold,
    with their sentiment sum (`scored`, `tone`): the population of comment
    figures."""
    return figure_populations(
        "comments", rounds, people, floor=lambda info: info.threshold
    )


def comment_sentiment_trend(
    filters: Filters,
    *,
    audience: str = Survey.Audience.EMPLOYEES,
    rounds: Rounds | None = None,
) -> list[dict]:
    """Per week: the mean VADER compound score of free-text answers, over cells
    of at least the comment threshold of commenters."""
    rounds = closed_rounds(filters, audience, rounds)
    people = People.of(filters)
    return weekly_rows(
        commenters(rounds, people),
        people,
        lambda t: {"sentiment": ratio(t["tone"], t["scored"], 1, 3)},
        ["sentiment"],
        what="comments",
    )


def hours_saved(filters: Filters) -> list[dict]:
    """Per AI tool and week: hours saved reported in total, per respondent, and as
    full-time equivalents (total / 40). Each round and tool's respondents are a
    population of their own."""
    rounds, people = round_infos(filters), People.of(filters)
    where = {"tool": filters.tool} if filters.tool else {}
    found = figure_populations(
        "hours",
        rounds,
        people,
        key=lambda row: (row["tool"], row["tool_name"]),
        **where,
    )
    names = {p.key[0]: p.key[1] or "Any AI tool" for p in found}
    result = []
    for tool in sorted(names, key=lambda t: (names[t], t or 0)):
        for row in weekly_rows(
            [p for p in found if p.key[0] == tool],
            people,
            lambda t: {
                "hours": round(float(t["total"]), 1),
                "per_person": round(float(t["total"]) / t["people"], 2),
                "fte": round(float(t["total"]) / HOURS_PER_FTE, 2),
            },
            ["hours", "per_person", "fte"],
        ):
            result.append({"tool": tool, "tool_name": names[tool], **row})
    return result
