"""AI accuracy: the share of correct, mostly correct and incorrect verdicts per tool.

Two sources speak on one scale (`org.models.Accuracy`): the survey's accuracy
questions (an Answer's `choice`, dated by its round's first day) and the board's
two-click output ratings. Both are counted, grouped and unioned in one query; Python
only folds the few grouped rows (at most 3 verdicts x 2 sources per tool).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import CharField, Count, F, QuerySet, Value
from django.db.models.functions import TruncWeek

from dashboards import suppression
from dashboards.filters import Filters
from dashboards.metrics import pulse
from feedback.models import OutputRating
from org.models import Accuracy, AITool
from surveys.models import Answer, Question

SURVEY, BOARD = "survey", "board"


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


def ai_accuracy(
    *,
    tools: Iterable[AITool | int] | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> list[ToolAccuracy]:
    """Per tool with at least one verdict in [since, until] (days, inclusive), by
    tool name: counts per verdict, total, shares and how many came from each source.

    One query whatever the number of tools.
    """
    answers = Answer.objects.filter(
        question__kind=Question.Kind.AI_ACCURACY, choice__in=Accuracy.values
    )
    ratings = OutputRating.objects.all()
    if tools is not None:
        ids = [t if isinstance(t, int) else t.pk for t in tools]
        answers = answers.filter(question__ai_tool__in=ids)
        ratings = ratings.filter(ai_tool__in=ids)
    if since is not None:
        answers = answers.filter(response__round__starts_at__date__gte=since)
        ratings = ratings.filter(rated_on__gte=since)
    if until is not None:
        answers = answers.filter(response__round__starts_at__date__lte=until)
        ratings = ratings.filter(rated_on__lte=until)
    rows = _grouped(answers, "question__ai_tool", "choice", SURVEY).union(
        _grouped(ratings, "ai_tool", "rating", BOARD), all=True
    )
    return _fold(rows)


def _grouped(qs: QuerySet, tool: str, value: str, source: str) -> QuerySet:
    """(tool id, tool name, verdict, source, count) rows, grouped in the database."""
    return (
        qs.order_by()
        .values(t_id=F(tool), t_name=F(f"{tool}__name"), verdict=F(value))
        .annotate(source=Value(source, output_field=CharField()), n=Count("pk"))
        .values_list("t_id", "t_name", "verdict", "source", "n")
    )


def _fold(rows: Iterable[tuple[int, str, str, str, int]]) -> list[ToolAccuracy]:
    counts: dict[tuple[int, str], dict[str, int]] = {}
    for tool_id, name, verdict, source, n in rows:
        tool = counts.setdefault((tool_id, name), {})
        tool[verdict] = tool.get(verdict, 0) + n
        key = "from_surveys" if source == SURVEY else "from_ratings"
        tool[key] = tool.get(key, 0) + n
    return [
        ToolAccuracy(tool_id=tool_id, tool_name=name, **fields)
        for (tool_id, name), fields in sorted(counts.items(), key=lambda i: i[0][::-1])
    ]


# --- For the dashboards: the page's filters, the anonymity floor ---------------------

# The filters that narrow verdicts to a group of people. Board ratings keep no
# person, team or survey, so under any of these only the survey's verdicts count.
PEOPLE_CUTS = ("department", "team", "teams", "survey")


def accuracy_by_tool(filters: Filters, *, floor: int) -> list[dict]:
    """Per AI tool in the dashboard's filters: verdict counts, shares (%) and `n`,
    the number of verdicts. One query.

    A tool with fewer verdicts than the floor is hidden. Tools are not siblings of
    a shown total (no chart adds them up), so one tool's few verdicts never hide
    another's.
    """
    answers, ratings = _in_filters(filters)
    rows = _grouped(answers, "question__ai_tool", "choice", SURVEY)
    if ratings is not None:
        rows = rows.union(_grouped(ratings, "ai_tool", "rating", BOARD), all=True)
    return [_shares(tool, floor=floor) for tool in _fold(rows)]


def accuracy_trend(filters: Filters, *, floor: int) -> list[dict]:
    """Per week, all tools in the filters together (a tool page filters one):
    verdict counts and shares, and `right`, the % correct or mostly correct.

    A survey's verdict is dated by the week its round started, a board rating by
    the week it was given. Two grouped queries, merged here; weeks are siblings.
    """
    answers, ratings = _in_filters(filters)
    weeks: dict[dt.date, dict[str, int]] = {}
    grouped = [
        answers.annotate(week=TruncWeek("response__round__starts_at"))
        .values_list("week", "choice")
        .annotate(n=Count("pk"))
        .order_by()
    ]
    if ratings is not None:
        grouped.append(
            ratings.annotate(week=TruncWeek("rated_on"))
            .values_list("week", "rating")
            .annotate(n=Count("pk"))
            .order_by()
        )
    for query in grouped:
        for week, verdict, n in query:
            counts = weeks.setdefault(_day(week), {})
            counts[verdict] = counts.get(verdict, 0) + n
    rows = []
    for week, counts in sorted(weeks.items()):
        tool = ToolAccuracy(tool_id=0, tool_name="", **counts)
        row = _shares(tool, floor=floor)
        rows.append({"week": week, **{k: row[k] for k in _FIGURES}, "n": tool.total})
    return suppression.apply(rows, key="week", count="n", floor=floor, fields=_FIGURES)


_FIGURES = ("correct", "mostly_correct", "incorrect", "right")


def _in_filters(filters: Filters) -> tuple[QuerySet, QuerySet | None]:
    """The survey's verdicts and the board's ratings in the filters (None when a
    filter narrows to people the ratings cannot be tied to)."""
    answers = pulse.answers(filters).filter(
        question__kind=Question.Kind.AI_ACCURACY, choice__in=Accuracy.values
    )
    if filters.tool:
        answers = answers.filter(question__ai_tool=filters.tool)
    if any(getattr(filters, name) is not None for name in PEOPLE_CUTS):
        return answers, None
    ratings = OutputRating.objects.all()
    if filters.tool:
        ratings = ratings.filter(ai_tool=filters.tool)
    if filters.since:
        ratings = ratings.filter(rated_on__gte=filters.since)
    if filters.until:
        ratings = ratings.filter(rated_on__lte=filters.until)
    return answers, ratings


def _shares(tool: ToolAccuracy, *, floor: int) -> dict:
    hidden = tool.total < floor
    row = {
        "tool": tool.tool_id,
        "tool_name": tool.tool_name,
        "n": None if hidden else tool.total,
        "from_surveys": None if hidden else tool.from_surveys,
        "from_ratings": None if hidden else tool.from_ratings,
        "suppressed": hidden,
    }
    for name in ("correct", "mostly_correct", "incorrect"):
        row[name] = None if hidden else round(100 * getattr(tool, f"{name}_share"), 1)
    row["right"] = (
        None
        if hidden
        else round(100 * (tool.correct + tool.mostly_correct) / tool.total, 1)
    )
    return row


def _day(value: dt.datetime | dt.date) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value
