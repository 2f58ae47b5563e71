"""AI accuracy: the share of correct, mostly correct and incorrect verdicts per tool.

Two sources speak on one scale (`org.models.Accuracy`), and both go through the
privacy engine:

- the survey's accuracy questions: each closed round and tool's answerers are a
  population, in cells of at least the survey's floor (`dashboards.privacy`);
- the board's two-click output ratings, which keep no person and no round: their
  time cells are whole ISO weeks, consecutive weeks joined from the first until
  they hold at least the floor of distinct raters (a keyed hash of each rater is
  kept, naming no one), only weeks that are over. A cell, once formed,
  never changes (a later week never joins an earlier cell), and a trailing run
  below the floor waits, hidden, for more ratings. Dates select whole cells.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Q
from django.db.models.functions import TruncWeek
from django.utils import timezone

from dashboards.filters import Filters
from dashboards.privacy import (
    Choice,
    Names,
    People,
    by_week,
    round_infos,
)
from dashboards.summaries import figure_populations
from feedback.models import OutputRating
from org.models import Accuracy, AITool

SURVEY, BOARD = "survey", "board"
VERDICTS = tuple(Accuracy.values)
_FIGURES = ("correct", "mostly_correct", "incorrect", "right")
# The board's ratings keep no survey, so no survey's floor: a fixed one, the
# default minimum group size (a floor that moved with the surveys in use would
# re-form the time cells, and two looks would isolate a few ratings).
BOARD_FLOOR = 5
_WEEK = dt.timedelta(days=7)
# The filters that narrow verdicts to a group of people. Board ratings keep no
# person, team or survey, so under any of these only the survey's verdicts count.
PEOPLE_CUTS = ("department", "team", "teams", "survey")


@dataclass(frozen=True)
class ToolAccuracy:
    tool_id: int
    tool_name: str
    correct: int = 0
    mostly_correct: int = 0
    incorrect: int = 0
    from_surveys: int = 0
    from_ratings: int = 0

    @property
    def total(self) -> int:
        return self.correct + self.mostly_correct + self.incorrect

    @property
    def correct_share(self) -> float:
        return self._share(self.correct)

    @property
    def mostly_correct_share(self) -> float:
        return self._share(self.mostly_correct)

    @property
    def incorrect_share(self) -> float:
        return self._share(self.incorrect)

    @property
    def correct_percent(self) -> int:
        return round(100 * self.correct_share)

    @property
    def mostly_correct_percent(self) -> int:
        return round(100 * self.mostly_correct_share)

    @property
    def incorrect_percent(self) -> int:
        return round(100 * self.incorrect_share)

    def _share(self, count: int) -> float:
        return count / self.total if self.total else 0.0


@dataclass(frozen=True)
class RatingCell:
    """Consecutive whole weeks of one tool's board ratings, at least the floor."""

    tool: int
    first: dt.date  # Monday of its first week
    last: dt.date  # Monday of its last week
    counts: Counter

    @property
    def n(self) -> int:
        return sum(self.counts[v] for v in VERDICTS)


def rating_cells(
    *, tools: Iterable[int] | None = None, floor: int, today: dt.date | None = None
) -> dict[int, list[RatingCell]]:
    """Per tool, its board ratings in time cells of at least `floor` (see the
    module's docstring). Three grouped queries, none per rating."""
    today = today or timezone.localdate()
    this_week = today - dt.timedelta(days=today.weekday())
    ratings = OutputRating.objects.filter(rated_on__lt=this_week)
    if tools is not None:
        ratings = ratings.filter(ai_tool__in=list(tools))
    weekly = ratings.annotate(week=TruncWeek("rated_on")).order_by()
    weeks: dict[int, dict[dt.date, Counter]] = defaultdict(dict)
    for tool, week, verdict, n in weekly.values_list(
        "ai_tool", "week", "rating"
    ).annotate(n=Count("pk")):
        weeks[tool].setdefault(_day(week), Counter())[verdict] += n
    # Distinct raters, not ratings: one person's many ratings beside a
    # colleague's one would give the colleague's verdict away. A rating kept no
    # rater before raters were kept: each such counts as one.
    raters = {
        (tool, _day(week)): named + unnamed
        for tool, week, named, unnamed in weekly.values_list(
            "ai_tool", "week"
        ).annotate(
            named=Count("rater", distinct=True, filter=~Q(rater="")),
            unnamed=Count("pk", filter=Q(rater="")),
        )
    }
    who = _raters_of_small_weeks(weekly, raters, floor)
    cells: dict[int, list[RatingCell]] = {}
    for tool, by_week_ in weeks.items():
        found, run, first, together = [], Counter(), None, Counter()
        for week, counts in sorted(by_week_.items()):
            first = first or week
            run.update(counts)
            # A week that reaches the floor alone closes the run whoever came
            # before (they only add raters); below it, its raters are known.
            alone = raters[(tool, week)] >= floor
            together.update(who.get((tool, week), Counter()))
            named = len(set(together) - {""}) + together[""]
            if alone or named >= floor:
                found.append(RatingCell(tool, first, week, run))
                run, first, together = Counter(), None, Counter()
        cells[tool] = found
    return cells


def _raters_of_small_weeks(weekly, raters: dict, floor: int) -> dict:
    """(tool, week) -> its raters ("" once per rating that kept none), for the
    weeks below the floor on their own: the only ones whose raters a run joins."""
    small = [key for key, n in raters.items() if n < floor]
    if not small:
        return {}
    pick = Q(pk__in=[])
    for tool, week in small:
        pick |= Q(ai_tool=tool, rated_on__gte=week, rated_on__lt=week + _WEEK)
    who: dict[tuple[int, dt.date], Counter] = defaultdict(Counter)
    for tool, week, rater, n in (
        weekly.filter(pick)
        .values_list("ai_tool", "week", "rater")
        .annotate(n=Count("pk"))
    ):
        key = (tool, _day(week))
        if rater:
            who[key][rater] = 1
        else:
            who[key][""] += n
    return who


def _ratings_in(cells: list[RatingCell], filters: Filters) -> list[RatingCell]:
    """The whole cells a date range touches."""
    return [
        cell
        for cell in cells
        if (filters.since is None or cell.last + dt.timedelta(days=6) >= filters.since)
        and (filters.until is None or cell.first <= filters.until)
    ]


def _survey_populations(filters: Filters):
    """Each closed round and tool's answerers, in cells (`summaries.FIGURES`)."""
    where = {"tool": filters.tool} if filters.tool else {}
    return figure_populations(
        "accuracy",
        round_infos(filters),
        People.of(filters),
        key=lambda row: row["tool"],
        **where,
    )


def _with_ratings(filters: Filters) -> bool:
    return not any(getattr(filters, name) is not None for name in PEOPLE_CUTS)


def accuracy_by_tool(filters: Filters) -> list[dict]:
    """Per AI tool in the dashboard's filters: verdict counts, shares (%) and `n`,
    the number of verdicts counted (whole cells only). A tool none of whose cells
    may be shown is a hidden row. Two queries."""
    people = People.of(filters)
    totals: dict[int, Choice] = defaultdict(Choice)
    from_ratings: Counter = Counter()
    found = _survey_populations(filters)
    for population in found:
        totals[population.key].add(population.choose(people, what="verdicts"))
    if _with_ratings(filters):
        tools = [filters.tool] if filters.tool else None
        for tool, cells in rating_cells(tools=tools, floor=BOARD_FLOOR).items():
            for cell in _ratings_in(cells, filters):
                totals[tool].totals.update(cell.counts)
                totals[tool].asked = True
                from_ratings[tool] += cell.n
    names = dict(AITool.objects.filter(pk__in=list(totals)).values_list("pk", "name"))
    label = Names.of(found)
    rows = []
    for tool, choice in totals.items():
        counts = choice.totals
        tool_accuracy = ToolAccuracy(
            tool,
            names.get(tool, ""),
            *(int(counts[v]) for v in VERDICTS),
            from_surveys=int(sum(counts[v] for v in VERDICTS) - from_ratings[tool]),
            from_ratings=from_ratings[tool],
        )
        row = _shares(tool_accuracy)
        if not tool_accuracy.total:
            row = _hidden(row, choice.reason)
        row["covers"] = label.say(choice) if tool_accuracy.total else ""
        rows.append(row)
    return sorted(rows, key=lambda row: (row["tool_name"], row["tool"]))


def accuracy_trend(filters: Filters) -> list[dict]:
    """Per week, all tools in the filters together (a tool page filters one):
    verdict counts and shares, and `right`, the % correct or mostly correct.

    A survey's verdicts are dated by the week their round started; a cell of
    board ratings by its last week."""
    people = People.of(filters)
    found = _survey_populations(filters)
    weeks = by_week(found, people, what="verdicts")
    if _with_ratings(filters):
        tools = [filters.tool] if filters.tool else None
        for cells in rating_cells(tools=tools, floor=BOARD_FLOOR).values():
            for cell in _ratings_in(cells, filters):
                week = weeks.setdefault(cell.last, Choice())
                week.totals.update(cell.counts)
                week.asked = True
    label = Names.of(found)
    rows = []
    for week, choice in sorted(weeks.items()):
        counts = choice.totals
        tool = ToolAccuracy(0, "", *(int(counts[v]) for v in VERDICTS))
        row = {k: v for k, v in _shares(tool).items() if k in _FIGURES}
        row = {"week": week, **row, "n": tool.total, "suppressed": False}
        if not tool.total:
            row = _hidden(row, choice.reason)
        row["covers"] = label.say(choice) if tool.total else ""
        rows.append(row)
    return rows


def ai_accuracy(*, tools: Iterable[AITool | int] | None = None) -> list[ToolAccuracy]:
    """Per tool, over all time and everyone: the verdicts of every cell that may be
    shown (survey cells and board rating cells), for an AI tool's own page."""
    ids = None if tools is None else [t if isinstance(t, int) else t.pk for t in tools]
    found = []
    for row in accuracy_by_tool(Filters()):
        if (ids is None or row["tool"] in ids) and not row["suppressed"]:
            found.append(
                ToolAccuracy(
                    row["tool"],
                    row["tool_name"],
                    row["_counts"][0],
                    row["_counts"][1],
                    row["_counts"][2],
                    row["from_surveys"],
                    row["from_ratings"],
                )
            )
    return found


def _shares(tool: ToolAccuracy) -> dict:
    total = tool.total
    row = {
        "tool": tool.tool_id,
        "tool_name": tool.tool_name,
        "n": total,
        "from_surveys": tool.from_surveys,
        "from_ratings": tool.from_ratings,
        "suppressed": False,
        "reason": "",
        "_counts": (tool.correct, tool.mostly_correct, tool.incorrect),
    }
    for name in ("correct", "mostly_correct", "incorrect"):
        row[name] = round(100 * getattr(tool, f"{name}_share"), 1) if total else None
    right = tool.correct + tool.mostly_correct
    row["right"] = round(100 * right / total, 1) if total else None
    return row


def _hidden(row: dict, reason: str) -> dict:
    blank = ("n", "from_surveys", "from_ratings", *_FIGURES)
    return {
        **row,
        **dict.fromkeys(name for name in blank if name in row),
        "suppressed": True,
        "reason": reason or "fewer verdicts than the floor",
    }


def _day(value: dt.datetime | dt.date) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value
