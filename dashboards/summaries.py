"""Per-round summaries: each figure's numbers per round and unit, from the raw
rows once, then read back instead of them.

A figure (`FIGURES`) is one grouped query per round and unit (the team and
department people answered from, or were invited in) and its own keys (a
driver, an AI tool), as `dashboards.privacy.per_unit` runs it over answers. A
round is summarised once it is closed and nothing of it is still sealed
(`surveys.services.release` gives out its last batch at the close): its rows are
then written as `UnitFigure`s (and its comments as `UnitComment`s, which the
comments page ranks) in the transaction that marks it summarised, and never
change. `unit_rows` reads a figure for some rounds, from the summary where
a round has one and from its raw rows where not yet (the few minutes between its
close and the next tick, or an open round's participation): the same rows either
way, so every figure is the same, to the bit.

Every number summed is exact (counts, and sums of answers with one decimal or of
sentiments with four, as decimals), so a sum is the same whatever order it is
added in: per unit, per cell, or per round in the database. `figure_populations`
uses that for a view of everyone: a summarised round's units are added up by the
database, one row per round, and that whole round is one cell, shown exactly
when the engine would show all of its cells (a partition leaves a cell below the
floor only when the whole population is). A page of everyone then reads rounds,
not rounds x teams; any other view takes the cells themselves.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import (
    Count,
    DecimalField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import Cast

from dashboards.models import DriverCell, RoundSummary, UnitComment, UnitFigure
from dashboards.privacy import (
    Expect,
    People,
    Population,
    RoundInfo,
    answers_in,
    attach,
    attached_in,
    expected,
    infos_of,
    per_unit,
    populations,
    tool_audiences,
    units_key,
    whole_populations,
)
from org.models import Accuracy
from surveys.models import Answer, Invitation, Question, Round, SealedResponse

log = logging.getLogger(__name__)

Kind = Question.Kind
SUMMARISE_PER_PASS = 50  # rounds per tick: each pass stays short
VERDICTS = tuple(Accuracy.values)


@dataclass(frozen=True)
class Figure:
    """How a figure's raw rows are read for some rounds (`raw`: per round, unit
    and key, with `people` and its numbers), the names of its numbers (stored
    under the same names), and its keys beyond the unit as name -> path from a
    `UnitFigure`."""

    raw: Callable[[list[int]], QuerySet]
    numbers: tuple[str, ...]
    keys: Mapping[str, str] = field(default_factory=dict)
    # Per AI tool: the kind of question whose tools' populations every round
    # that asked it has, answered or not (`dashboards.privacy.Expect`).
    asks: str | None = None


def _answers(
    scope: Callable[[QuerySet[Answer]], QuerySet[Answer]],
    numbers: Mapping[str, object],
    keys: Mapping[str, tuple[str, str]] | None = None,
    asks: str | None = None,
) -> Figure:
    """A figure over answers: `scope` narrows them, `numbers` aggregate them per
    unit, `keys` are name -> (path from an answer, path from a `UnitFigure`),
    `asks` as `Figure`'s."""
    keys = keys or {}
    paths = [f"{name}:{answer}" for name, (answer, _) in keys.items()]

    def raw(rounds: list[int]) -> QuerySet:
        return per_unit(scope(answers_in(rounds)), *paths, **numbers)

    keys = {name: to for name, (_, to) in keys.items()}
    return Figure(raw, tuple(numbers), keys, asks)


def _invitees(rounds: list[int]) -> QuerySet:
    """Everyone invited, sent or not, bounced or not: the population is fixed
    once the round has fanned out, so a bounce or a send moves no cell. By the
    team and department each was in when invited (kept on the invitation)."""
    return (
        Invitation.objects.filter(round__in=rounds, person__isnull=False)
        .order_by()
        .values(
            "round",
            "department",
            "team",
            team_name=F("team__name"),
            department_name=F("department__name"),
        )
        .annotate(people=Count("pk"), answered=Count("pk", filter=Q(answered=True)))
    )


SCORED = Q(sentiment__isnull=False)
TOOL = {
    "tool": ("question__ai_tool", "tool"),
    "tool_name": ("question__ai_tool__name", "tool__name"),
}
# VADER's compound score is kept to four decimals (`surveys.sentiment`): summed
# as such, a sum of sentiments is exact, like every other number here.
SENTIMENT = Cast("sentiment", DecimalField(max_digits=16, decimal_places=4))

FIGURES: dict[str, Figure] = {
    # Required agreement questions: the sentiment index and the heatmap's cells.
    "index": _answers(
        lambda a: a.filter(question__kind=Kind.LIKERT, question__required=True),
        {"answers": Count("pk"), "total": Sum("number")},
    ),
    # Agreement questions per driver, required or not: the heatmap's means.
    "driver": _answers(
        lambda a: a.filter(question__kind=Kind.LIKERT).exclude(question__driver=""),
        {"answers": Count("pk"), "total": Sum("number")},
        {"driver": ("question__driver", "driver")},
    ),
    # eNPS (employees) and NPS (customers): promoters 9-10, detractors 0-6.
    "enps": _answers(
        lambda a: a.filter(question__kind=Kind.ENPS),
        {
            "promoters": Count("pk", filter=Q(number__gte=9)),
            "detractors": Count("pk", filter=Q(number__lte=6)),
            "answers": Count("pk"),
        },
    ),
    # Comments, with the sum of their sentiment where it was scored.
    "comments": _answers(
        lambda a: a.filter(question__kind=Kind.FREE_TEXT).exclude(text=""),
        {"scored": Count("pk", filter=SCORED), "tone": Sum(SENTIMENT, filter=SCORED)},
    ),
    # Hours saved per AI tool (None: any tool).
    "hours": _answers(
        lambda a: a.filter(question__kind=Kind.HOURS_SAVED),
        {"total": Sum("number")},
        TOOL,
        Kind.HOURS_SAVED,
    ),
    # The verdicts on each AI tool's output.
    "accuracy": _answers(
        lambda a: a.filter(question__kind=Kind.AI_ACCURACY, choice__in=VERDICTS),
        {v: Count("pk", filter=Q(choice=v)) for v in VERDICTS},
        {"tool": ("question__ai_tool", "tool")},
        Kind.AI_ACCURACY,
    ),
    # Customers' satisfaction (4-5 of 5): overall, and with the help of a tool.
    "csat": _answers(
        lambda a: a.filter(question__kind=Kind.CSAT, question__ai_tool__isnull=True),
        {"satisfied": Count("pk", filter=Q(number__gte=4)), "answers": Count("pk")},
    ),
    "tool_csat": _answers(
        lambda a: a.filter(question__kind=Kind.CSAT, question__ai_tool__isnull=False),
        {"satisfied": Count("pk", filter=Q(number__gte=4)), "answers": Count("pk")},
        TOOL,
        Kind.CSAT,
    ),
    # Participation: the people invited, and how many of them answered.
    "invitees": Figure(_invitees, ("answered",)),
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
    rows = (
        [as_stored(row) for row in figure.raw(fresh).filter(**where)] if fresh else []
    )
    if summarised:
        rows += list(_summary_rows(name, figure, summarised, **where))
    return rows


# A sum's decimal places, as a `UnitFigure` keeps it.
PLACES = {
    f.name: Decimal(1).scaleb(-f.decimal_places)
    for f in UnitFigure._meta.get_fields()
    if isinstance(f, DecimalField)
}


def as_stored(row: dict) -> dict:
    """A row's sums to the decimal places a `UnitFigure` keeps: SQLite adds
    decimals as floats, which can be off in the last digits (PostgreSQL's sums
    are exact already), and the two sides must agree to the bit."""
    for name, step in PLACES.items():
        if row.get(name) is not None:
            row[name] = Decimal(row[name]).quantize(step)
    return row


def figure_populations(
    name: str,
    rounds: Mapping[int, RoundInfo],
    people: People,
    *,
    key: Callable[[Mapping], Hashable] = lambda row: None,
    floor: Callable[[RoundInfo], int] = lambda info: info.floor,
    framed: bool = True,
    **where,
) -> list[Population]:
    """A figure's populations in cells for a view (`populations` over
    `unit_rows`; `framed` as there), in the same order; a figure per AI tool
    has one for each tool every round asked about (`Figure.asks`). For a view of
    everyone, a summarised round's units come summed by the database
    (`whole_populations`), unless that whole is below the floor or missing:
    then its units are read, to say whose figure is hidden. One query per side,
    and one more for such rounds."""
    figure = FIGURES[name]
    expect = Expect(figure.asks, where.get("tool")) if figure.asks else None
    if not people.everyone:
        rows = unit_rows(name, rounds, **where)
        return populations(
            rows, rounds, key=key, floor=floor, framed=framed, expect=expect
        )
    summarised = {pk: info for pk, info in rounds.items() if info.summarised}
    fresh = {pk: info for pk, info in rounds.items() if not info.summarised}
    found = populations(
        unit_rows(name, fresh, **where),
        fresh,
        key=key,
        floor=floor,
        framed=framed,
        expect=expect,
    )
    if summarised:
        rows = [as_stored(row) for row in _summary_totals(name, summarised, **where)]
        wholes = [
            p
            for p in whole_populations(rows, summarised, key=key, floor=floor)
            if all(cell.shown for cell in p.cells)
        ]
        found += wholes
        shown = {(p.round.pk, p.tool) for p in wholes}
        asked = tool_audiences(summarised, tool=expect.tool) if expect else {}
        again = {
            pk: summarised[pk]
            for pk, tool in [*_keys(rows), *expected(asked, figure.asks or "")]
            if (pk, tool) not in shown
        }
        if again:
            rows = unit_rows(name, again, **where)
            found += [
                p
                for p in populations(
                    rows,
                    again,
                    key=key,
                    floor=floor,
                    framed=framed,
                    expect=expect,
                    asked=asked or None,
                )
                if (p.round.pk, p.tool) not in shown
            ]
    found.sort(key=lambda p: (p.round.starts_at, p.round.pk, str(p.key)))
    return found


def _keys(rows: list[dict]) -> list[tuple[int, int | None]]:
    return [(row["round"], row.get("tool")) for row in rows]


def drivers_in_cells(rounds: Mapping[int, RoundInfo]) -> list[Population]:
    """The people behind the sentiment index (those who answered its required
    questions) in cells, each unit with its numbers per driver attached
    ("trust:people", "trust:answers", "trust:total"): the drivers heatmap's.
    Two queries a side."""
    found = populations(unit_rows("index", rounds), rounds)
    attach(
        found,
        unit_rows("driver", rounds),
        name=lambda row, number: f"{row['driver']}:{number}",
    )
    return found


def _summary_rows(name: str, figure: Figure, rounds: list[int], **where) -> QuerySet:
    found = _stored(name, figure, rounds, **where)
    return found.values(
        "round",
        "department",
        "team",
        *_key_fields(figure),
        "people",
        *figure.numbers,
        team_name=F("team__name"),
        department_name=F("department__name"),
        **_key_aliases(figure),
    )


def _summary_totals(name: str, rounds: Mapping[int, RoundInfo], **where) -> QuerySet:
    """A figure's whole rounds (per key), as stored: its units' sums."""
    figure = FIGURES[name]
    found = _stored(name, figure, list(rounds), whole=True, **where)
    return found.values(
        "round", *_key_fields(figure), "people", *figure.numbers, **_key_aliases(figure)
    )


def _stored(
    name: str, figure: Figure, rounds: list[int], *, whole: bool = False, **where
) -> QuerySet:
    found = UnitFigure.objects.filter(round__in=rounds, figure=name, whole=whole)
    return found.order_by().filter(**{figure.keys[k]: v for k, v in where.items()})


# values() takes a model field by its own name, anything else as an alias.
def _key_fields(figure: Figure) -> list[str]:
    return [k for k, path in figure.keys.items() if k == path]


def _key_aliases(figure: Figure) -> dict[str, F]:
    return {k: F(path) for k, path in figure.keys.items() if k != path}


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
        info = infos_of(Round.objects.filter(pk=round_.pk))[round_.pk]
        _, created = RoundSummary.objects.get_or_create(
            round=round_, defaults={"summarised_at": now, "floor": info.floor}
        )
        if not created:
            return False
        # Rows of a summary since deleted (by hand) would be counted twice.
        UnitFigure.objects.filter(round=round_).delete()
        DriverCell.objects.filter(round=round_).delete()
        UnitComment.objects.filter(round=round_).delete()
        found = []
        for name, figure in FIGURES.items():
            rows = [as_stored(row) for row in figure.raw([round_.pk])]
            found += [_unit_figure(round_, name, figure, row) for row in rows]
            found += [
                _unit_figure(round_, name, figure, row, whole=True)
                for row in _wholes(figure, rows)
            ]
        UnitFigure.objects.bulk_create(found, batch_size=2000)
        # Cut from the rows just written: the cells any page would cut.
        DriverCell.objects.bulk_create(_driver_cells(round_, info), batch_size=2000)
        UnitComment.objects.bulk_create(_comments(round_), batch_size=2000)
    log.info("Summarised %s", round_)
    return True


def _wholes(figure: Figure, rows: list[dict]) -> list[dict]:
    """The round's units summed per key (driver, tool), as the database's SUM
    would: a sum of none is None. Exact, so the same as any other order."""
    wholes: dict[tuple, dict] = {}
    for row in rows:
        key = tuple(row.get(name) for name in ("driver", "tool"))
        whole = wholes.setdefault(key, {"driver": key[0], "tool": key[1], "people": 0})
        whole["people"] += row["people"]
        for number in figure.numbers:
            if row[number] is not None:
                whole[number] = (whole.get(number) or 0) + row[number]
    return [
        {number: None for number in figure.numbers} | whole for whole in wholes.values()
    ]


def _unit_figure(
    round_: Round, name: str, figure: Figure, row: dict, *, whole: bool = False
) -> UnitFigure:
    return UnitFigure(
        round=round_,
        figure=name,
        whole=whole,
        department_id=None if whole else row["department"],
        team_id=None if whole else row["team"],
        driver=row.get("driver") or "",
        tool_id=row.get("tool"),
        people=row["people"],
        **{number: row[number] for number in figure.numbers},
    )


def _comments(round_: Round) -> list[UnitComment]:
    """The round's comments (as the comments page reads raw ones,
    `metrics.comments`), each with its unit and its question's driver."""
    found = (
        answers_in([round_.pk], question__kind=Kind.FREE_TEXT)
        .exclude(text="")
        .values_list("pk", "response__department", "response__team", "question__driver")
    )
    return [
        UnitComment(
            round=round_,
            answer_id=pk,
            department_id=department,
            team_id=team,
            driver=driver,
        )
        for pk, department, team, driver in found.iterator(chunk_size=2000)
    ]


def _driver_cells(round_: Round, info: RoundInfo) -> list[DriverCell]:
    """The round's cells of the sentiment index's people, at its floor, each
    shown one with its drivers' numbers (`privacy.attached_in`)."""
    info = RoundInfo(**{**vars(info), "summarised": True})
    found = []
    for population in drivers_in_cells({info.pk: info}):
        for cell in population.cells:
            where = {
                "round": round_,
                "units": units_key(cell.units),
                "floor": cell.floor,
                "shown": cell.shown,
            }
            found.append(DriverCell(**where, people=cell.n))
            if not cell.shown:
                continue
            for driver, numbers in attached_in(population, cell).items():
                counted = {} if numbers is None else dict(numbers, counted=True)
                found.append(DriverCell(**where, driver=driver, **counted))
    return found


def rounds_summarise_due(*, now: dt.datetime) -> int:
    """Summarise the rounds due (a bounded number per call); returns how many."""
    due = list(rounds_to_summarise()[:SUMMARISE_PER_PASS])
    return sum(round_summarise(round_=round_, now=now) for round_ in due)
