"""Employee pulse metrics: sentiment index, eNPS, drivers by team, comment
sentiment and hours saved, each from one grouped query per round and unit.

Every figure goes through the privacy engine (`dashboards.privacy`): each round's
population is split into cells of at least its survey's floor, and a figure sums
whole cells only; a hidden row keeps its key and says why. Only closed rounds
count (`round_infos`). Names follow the design document's metrics section.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping

from django.db.models import Max, QuerySet

from dashboards.filters import Filters
from dashboards.privacy import (
    MERGED_AWAY,
    Names,
    People,
    Population,
    RoundInfo,
    attach,
    below_floor,
    populations,
    ratio,
    round_infos,
    round_names,
    rounds_in,
    weekly_rows,
)
from dashboards.summaries import figure_populations, unit_rows
from surveys.models import Answer, Question, Survey

Kind = Question.Kind
DEFAULT_FLOOR = 5
HOURS_PER_FTE = 40

__all__ = ["rounds_in"]


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


def sentiment_trend(filters: Filters) -> list[dict]:
    """Per week: the sentiment index, the mean of the 1-5 Likert items scaled to
    0-100, and its respondents `n`."""
    rounds = round_infos(filters)
    # Required questions only: everyone counted answered them, so no driver's
    # few answerers (an optional question) can be worked out from the index.
    people = People.of(filters)
    return weekly_rows(
        figure_populations("index", rounds, people),
        people,
        lambda t: {"index": round((float(t["total"]) / t["answers"] - 1) * 25, 1)},
        ["index"],
    )


def enps_trend(filters: Filters) -> list[dict]:
    """Per week: eNPS, % promoters (9-10) minus % detractors (0-6)."""
    return nps_rows(filters, Survey.Audience.EMPLOYEES, "enps")


def nps_rows(filters: Filters, audience: str, field: str) -> list[dict]:
    """eNPS (employees) or NPS (customers) per week, as `field`."""
    rounds, people = round_infos(filters, audience), People.of(filters)
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
    filters: Filters, *, audience: str = Survey.Audience.EMPLOYEES
) -> list[dict]:
    """Per week: the mean VADER compound score of free-text answers, over cells
    of at least the comment threshold of commenters."""
    rounds, people = round_infos(filters, audience), People.of(filters)
    return weekly_rows(
        commenters(rounds, people),
        people,
        lambda t: {"sentiment": ratio(t["tone"], t["scored"], 1, 3)},
        ["sentiment"],
        what="comments",
    )


def driver_heatmap(filters: Filters) -> list[dict]:
    """Per cell and driver: the mean Likert score (1-5).

    Rows are cells, not teams: a team below the floor shows inside its cell
    ("S2 + S7"), in each round in view whose cells are alike. A team the view
    asks for that no shown cell holds is a hidden row that says why. A driver
    counts a round's cell only when at least the floor answered it there (its
    `n` is those people); with no such round it is blank.
    """
    rounds = round_infos(filters)
    # Cells of the people behind the sentiment index: those who answered its
    # required questions (its sums ride along, under names no driver takes).
    found = populations(unit_rows("index", rounds), rounds)
    attach(
        found,
        unit_rows("driver", rounds),
        name=lambda row, number: f"{row['driver']}:{number}",
    )
    people = People.of(filters)
    shown: dict[frozenset, Counter] = defaultdict(Counter)
    days: dict[frozenset, set] = defaultdict(set)
    floors: dict[frozenset, int] = {}
    hidden: dict = {}
    seen: set[str] = set()  # every driver answered in a cell in view
    for population in found:
        for cell in population.cells:
            asked = [u for u in cell.units if people.asks_for(u)]
            if not asked:
                continue
            if cell.shown and people.may_see(cell):
                _add_drivers(shown[cell.units], population, cell, seen=seen)
                days[cell.units].add(population.round)
                floors[cell.units] = max(floors.get(cell.units, 0), cell.floor)
            else:
                reason = MERGED_AWAY if cell.shown else below_floor(cell.floor)
                hidden.update(dict.fromkeys(asked, reason))
    names = Names.of(found)
    in_view = {population.round for population in found}
    drivers = sorted(seen)
    rows = []
    for units, totals in shown.items():
        label = names.units(units)
        key = tuple(sorted(str(team) for _, team in units))
        rounds = (
            "every round in view"
            if days[units] == in_view
            else round_names(days[units], among=in_view)
        )
        for driver in drivers:
            answered = totals[f"{driver}:answers"]
            blank = not answered
            rows.append(
                {
                    "team": key,
                    "team_name": label,
                    "driver": driver,
                    "n": None if blank else totals[f"{driver}:people"],
                    "mean": None
                    if blank
                    else round(float(totals[f"{driver}:total"]) / answered, 2),
                    "suppressed": blank,
                    "reason": below_floor(floors[units], "people answering")
                    if blank
                    else "",
                    "rounds": rounds,
                }
            )
    shown_units = {unit for units in shown for unit in units}
    for unit, reason in hidden.items():
        if unit in shown_units:
            continue
        for driver in drivers or [""]:
            rows.append(
                {
                    "team": (str(unit[1]),),
                    "team_name": names.unit(unit),
                    "driver": driver,
                    "n": None,
                    "mean": None,
                    "suppressed": True,
                    "reason": reason,
                    "rounds": "",
                }
            )
    rows.sort(key=lambda row: (row["team_name"], row["driver"]))
    return rows


def _add_drivers(totals: Counter, population, cell, *, seen: set[str]) -> None:
    """Add a round's cell to a heatmap row, driver by driver: a driver fewer than
    the floor answered in it (an optional question) is left out of the row, as
    the sentiment index leaves optional questions out, so nothing gives it back.
    Counted per round, so one person answering in five rounds is still one."""
    stats = Counter()
    for unit in cell.units:
        stats.update(population.stats[unit])
    for name in [k for k in stats if k.endswith(":people")]:
        driver = name.split(":")[0]
        seen.add(driver)
        if stats[name] >= cell.floor:
            for number in ("people", "answers", "total"):
                totals[f"{driver}:{number}"] += stats[f"{driver}:{number}"]


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
