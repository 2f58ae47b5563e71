"""AI accuracy: the share of correct, mostly correct and incorrect verdicts per tool.

Two sources speak on one scale (`org.models.Accuracy`): the survey's accuracy
questions (an Answer's `choice`, dated by its response's day) and the board's
two-click output ratings. Both are counted, grouped and unioned in one query; Python
only folds the few grouped rows (at most 3 verdicts x 2 sources per tool).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import CharField, Count, F, QuerySet, Value

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
        answers = answers.filter(response__submitted_on__gte=since)
        ratings = ratings.filter(rated_on__gte=since)
    if until is not None:
        answers = answers.filter(response__submitted_on__lte=until)
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
