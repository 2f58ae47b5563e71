"""Per-round summaries: each figure's numbers per round and unit, from the raw
answers once, then read back instead of them.

A figure (`FIGURES`) is one grouped query over answers, per round and unit (the
team and department people answered from) and its own keys (a driver, an AI
tool), as `dashboards.privacy.per_unit` runs it. A round is summarised once it
is closed and nothing of it is still sealed (`surveys.services.release` gives
out its last batch at the close): its rows are then written as `UnitFigure`s in
the transaction that marks it summarised, and never change. `unit_rows` reads a
figure for some rounds, from the summary where a round has one and from its
answers where not yet (the few minutes between its close and the next tick):
the same rows either way, so every figure is the same, to the bit.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum

from dashboards.models import RoundSummary, UnitFigure
from dashboards.privacy import RoundInfo, answers_in, per_unit
from surveys.models import Answer, Question, Round, SealedResponse

log = logging.getLogger(__name__)

Kind = Question.Kind
SUMMARISE_PER_PASS = 50  # rounds per tick: each pass stays short


@dataclass(frozen=True)
class Figure:
    """The answers a figure counts (`scope`), its keys beyond the unit as
    name -> (path from an answer, path from a `UnitFigure`), and its numbers
    (aggregates of those answers, stored under the same names)."""

    scope: Callable[[QuerySet[Answer]], QuerySet[Answer]]
    numbers: Mapping[str, object]
    keys: Mapping[str, tuple[str, str]] = field(default_factory=dict)


SCORED = Q(sentiment__isnull=False)

FIGURES: dict[str, Figure] = {
    # Required agreement questions: the sentiment index and the heatmap's cells.
    "index": Figure(
        lambda a: a.filter(question__kind=Kind.LIKERT, question__required=True),
        {"answers": Count("pk"), "total": Sum("number")},
    ),
    # Agreement questions per driver, required or not: the heatmap's means.
    "driver": Figure(
        lambda a: a.filter(question__kind=Kind.LIKERT).exclude(question__driver=""),
        {"answers": Count("pk"), "total": Sum("number")},
        {"driver": ("question__driver", "driver")},
    ),
    # eNPS (employees) and NPS (customers): promoters 9-10, detractors 0-6.
    "enps": Figure(
        lambda a: a.filter(question__kind=Kind.ENPS),
        {
            "promoters": Count("pk", filter=Q(number__gte=9)),
            "detractors": Count("pk", filter=Q(number__lte=6)),
            "answers": Count("pk"),
        },
    ),
    # Comments, with the sum of their sentiment where it was scored.
    "comments": Figure(
        lambda a: a.filter(question__kind=Kind.FREE_TEXT).exclude(text=""),
        {"scored": Count("pk", filter=SCORED), "tone": Sum("sentiment", filter=SCORED)},
    ),
    # Hours saved per AI tool (None: any tool).
    "hours": Figure(
        lambda a: a.filter(question__kind=Kind.HOURS_SAVED),
        {"total": Sum("number")},
        {
            "tool": ("question__ai_tool", "tool"),
            "tool_name": ("question__ai_tool__name", "tool__name"),
        },
    ),
}


def unit_rows(name: str, rounds: Mapping[int, RoundInfo], **where) -> list[dict]:
    """A figure's rows for `rounds`: per round, unit and key, `round`,
    `department`, `team`, `team_name`, `department_name`, its keys, `people` and
    its numbers, as `per_unit` gives them. `where` narrows on the figure's keys
    (`tool=3`). At most one query for the summarised rounds and one for the
    others, none for a side with no round."""
    figure = FIGURES[name]
    summarised = [pk for pk, info in rounds.items() if info.summarised]
    fresh = [pk for pk, info in rounds.items() if not info.summarised]
    rows = list(_raw_rows(figure, fresh, **where)) if fresh else []
    if summarised:
        rows += list(_summary_rows(name, figure, summarised, **where))
    return rows


def _raw_rows(figure: Figure, rounds: list[int], **where) -> QuerySet:
    scope = figure.scope(answers_in(rounds))
    if where:
        scope = scope.filter(**{figure.keys[k][0]: v for k, v in where.items()})
    keys = [f"{name}:{answer}" for name, (answer, _) in figure.keys.items()]
    return per_unit(scope, *keys, **figure.numbers)


def _summary_rows(name: str, figure: Figure, rounds: list[int], **where) -> QuerySet:
    found = UnitFigure.objects.filter(round__in=rounds, figure=name)
    if where:
        found = found.filter(**{figure.keys[k][1]: v for k, v in where.items()})
    # values() takes a model field by its own name, anything else as an alias.
    fields = [k for k, (_, path) in figure.keys.items() if k == path]
    aliases = {k: F(path) for k, (_, path) in figure.keys.items() if k != path}
    return found.order_by().values(
        "round",
        "department",
        "team",
        *fields,
        "people",
        *figure.numbers,
        team_name=F("team__name"),
        department_name=F("department__name"),
        **aliases,
    )


def rounds_to_summarise() -> QuerySet[Round]:
    """Closed rounds with nothing sealed left and no summary yet, oldest first."""
    return (
        Round.objects.filter(closed_at__isnull=False)
        .exclude(Exists(RoundSummary.objects.filter(round=OuterRef("pk"))))
        .exclude(Exists(SealedResponse.objects.filter(round=OuterRef("pk"))))
        .order_by("closed_at", "pk")
    )


def round_summarise(*, round_: Round, now: dt.datetime) -> bool:
    """Summarise one closed, fully released round; True if this call did.

    Safe to run twice and on two workers at once: the round's `RoundSummary` is
    unique, written in the transaction that writes its rows, so a second call
    finds it and writes nothing. A round still open or with sealed answers
    waiting is not summarised (False): its figures could still move.
    """
    with transaction.atomic():
        if not rounds_to_summarise().filter(pk=round_.pk).exists():
            return False
        _, created = RoundSummary.objects.get_or_create(
            round=round_, defaults={"summarised_at": now}
        )
        if not created:
            return False
        UnitFigure.objects.bulk_create(
            [
                _unit_figure(round_, name, figure, row)
                for name, figure in FIGURES.items()
                for row in _raw_rows(figure, [round_.pk])
            ],
            batch_size=2000,
        )
    log.info("Summarised %s", round_)
    return True


def _unit_figure(round_: Round, name: str, figure: Figure, row: dict) -> UnitFigure:
    return UnitFigure(
        round=round_,
        figure=name,
        department_id=row["department"],
        team_id=row["team"],
        driver=row.get("driver") or "",
        tool_id=row.get("tool"),
        people=row["people"],
        **{number: row[number] for number in figure.numbers},
    )


def rounds_summarise_due(*, now: dt.datetime) -> int:
    """Summarise the rounds due (a bounded number per call); returns how many."""
    due = list(rounds_to_summarise()[:SUMMARISE_PER_PASS])
    return sum(round_summarise(round_=round_, now=now) for round_ in due)
