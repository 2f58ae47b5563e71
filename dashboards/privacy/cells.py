"""Populations in cells, and which cells a view shows.

A metric asks the database for its numbers per round and unit (the team and
department people answered from), in one grouped query. `populations` partitions
each round's units, with every unit the round invited (`invited_units`: a team
where no one answered is a unit of nobody, not missing), into cells
(`partition`), the same for every viewer; a view (`People`) then takes the cells
it asks for whole:

- a cell is taken when it holds a unit the view asks for: `?team=S2` shows the
  cell {S2, S7} and says so ("S2 + S7"), never S2 alone, whether anyone of S2
  answered or not (else a row there or not would say it);
- a leader, who may see only the teams they lead, is shown only the cells made of
  those teams: a team of theirs merged with another team is hidden, and says why;
- a cell below the floor (a whole round's population below it) is never taken.

Every figure is then a sum over whole cells, so any difference of two figures is
too: never fewer people than the floor.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from dashboards.filters import Filters
from dashboards.privacy.partition import Cell, Unit, partition
from org.models import AITool
from surveys.audiences import Asked, audiences
from surveys.models import Invitation

KEYS = ("round", "department", "team", "tool", "driver", "team_name", "department_name")
MERGED_AWAY = "hidden: merged with a team you do not lead"


def below_floor(floor: int, what: str = "responses") -> str:
    """What a figure from fewer people than the floor says instead."""
    return f"fewer than {floor} {what}"


@dataclass(frozen=True)
class RoundInfo:
    pk: int
    survey: int
    survey_title: str
    starts_at: dt.datetime
    floor: int  # the survey's minimum group size
    threshold: int  # its comment threshold
    closed: bool
    published: bool
    # Its figures are read from its summary (`dashboards.summaries`), not its
    # answers.
    summarised: bool = False
    # The floor its stored cells were cut at (`DriverCell`), if any.
    cells_floor: int | None = None
    # Of whom it asked about each AI tool (`Round.tools_asked`, read by
    # `surveys.audiences`), and whether it went to customers.
    tools_asked: Mapping | None = field(default=None, compare=False)
    customers: bool = False

    @property
    def cells_stored(self) -> bool:
        """Whether its stored cells are the ones its floor cuts now."""
        return self.summarised and self.cells_floor == self.floor

    @property
    def day(self) -> dt.date:
        """The day the round started, in the organisation's time: its name."""
        return timezone.localtime(self.starts_at).date()

    @property
    def week(self) -> dt.date:
        """The Monday of the week the round started, in the organisation's time."""
        day = timezone.localtime(self.starts_at).date()
        return day - dt.timedelta(days=day.weekday())


@dataclass(frozen=True)
class People:
    """Whose figures a view asks for: everyone, a department or a team, within
    the teams a leader may see (`within`; None: every team)."""

    department: int | None = None
    team: int | None = None
    within: frozenset[int | None] | None = None

    @classmethod
    def of(cls, filters: Filters) -> People:
        within = None if filters.teams is None else frozenset(filters.teams)
        return cls(filters.department, filters.team, within)

    @property
    def everyone(self) -> bool:
        """Whether the view asks for everyone: every unit, every cell shown."""
        return self.department is None and self.team is None and self.within is None

    def asks_for(self, unit: Unit) -> bool:
        department, team = unit
        if self.team is not None and team != self.team:
            return False
        if self.department is not None and department != self.department:
            return False
        return self.within is None or team in self.within

    def may_see(self, cell: Cell) -> bool:
        return self.within is None or cell.teams <= self.within


@dataclass
class Choice:
    """The cells of one or more populations a view takes, their summed numbers,
    and, per round (its start day), who was merged in and who was left out."""

    totals: Counter = field(default_factory=Counter)
    cells: list[Cell] = field(default_factory=list)
    asked: bool = False  # the view asks for someone in these populations
    days: set[RoundInfo] = field(default_factory=set)  # the rounds counted
    # Units counted beyond what the view asked for, with the rounds they were in.
    extra: dict[Unit, set[RoundInfo]] = field(default_factory=dict)
    # Units the view asked for but could not be shown: (reason, unit) -> rounds.
    missing: dict[tuple[str, Unit], set[RoundInfo]] = field(default_factory=dict)

    @property
    def shown(self) -> bool:
        return bool(self.cells)

    @property
    def n(self) -> int:
        return self.totals["people"]

    @property
    def reason(self) -> str:
        """Why nothing (or not everyone asked for) is shown: the first reason."""
        return next(iter(self.missing), ("", None))[0]

    def add(self, other: Choice) -> None:
        self.totals.update(other.totals)
        self.cells += other.cells
        self.asked = self.asked or other.asked
        self.days |= other.days
        for unit, days in other.extra.items():
            self.extra.setdefault(unit, set()).update(days)
        for key, days in other.missing.items():
            self.missing.setdefault(key, set()).update(days)


@dataclass
class Population:
    """One round's population (or one round's and one AI tool's), in cells, with
    each unit's numbers."""

    round: RoundInfo
    cells: list[Cell]
    stats: dict[Unit, Counter]
    key: Hashable = None  # what else sets it apart: the AI tool
    # Each unit's team and department names, read with its numbers.
    names: Mapping[Unit, tuple[str | None, str | None]] = field(default_factory=dict)
    tool: int | None = None  # the AI tool whose population it is, if one

    def choose(self, people: People, *, what: str = "responses") -> Choice:
        choice, day = Choice(), self.round
        for cell in self.cells:
            asked = [unit for unit in cell.units if people.asks_for(unit)]
            if not asked:
                continue
            choice.asked = True
            if not cell.shown or not people.may_see(cell):
                reason = MERGED_AWAY if cell.shown else below_floor(cell.floor, what)
                for unit in asked:
                    choice.missing.setdefault((reason, unit), set()).add(day)
                continue
            choice.cells.append(cell)
            choice.days.add(day)
            for unit in cell.units:
                choice.totals.update(self.stats[unit])
                if not people.asks_for(unit):
                    choice.extra.setdefault(unit, set()).add(day)
        return choice


@dataclass(frozen=True)
class Expect:
    """Populations of one AI tool each that a round has whether or not anyone
    answered: one per tool the round asked a question of `kind` about (`tool`:
    only that one), so that whether a week is listed for a tool never says
    whether its few users answered."""

    kind: str
    tool: int | None = None


def populations(
    rows: Iterable[Mapping],
    rounds: Mapping[int, RoundInfo],
    *,
    key: Callable[[Mapping], Hashable] = lambda row: None,
    floor: Callable[[RoundInfo], int] = lambda info: info.floor,
    framed: bool = True,
    expect: Expect | None = None,
    asked: Mapping[int, Mapping[int, Asked]] | None = None,
) -> list[Population]:
    """Group rows of numbers per round, unit (`department`, `team`) and `key`
    into populations in cells. Each row has `round`, `department`, `team`,
    `people` (how many people it counts) and any other numbers, which are summed
    per unit; a row of one AI tool's population has its id as `tool`.

    Every unit a round asked is in its populations, with nobody where nobody of
    it is counted: every unit it invited (`invited_units`, one query), and for
    an AI tool's population those of them the round asked about the tool
    (`surveys.audiences`; `asked`, if the caller read it already). Whether a
    view of a small team has a row, hidden or shown, then never says whether
    anyone of it answered, commented or skipped a question. `expect` adds the
    tools' populations nobody answered in (`Expect`). `framed=False` for rows
    that are the invitations themselves."""
    grouped: dict[tuple[int, Hashable], dict[Unit, Counter]] = {}
    tools: dict[tuple[int, Hashable], int | None] = {}
    names: dict[Unit, tuple[str | None, str | None]] = {}
    for row in rows:
        unit = (row["department"], row["team"])
        group = (row["round"], key(row))
        stats = grouped.setdefault(group, {})
        tools[group] = row.get("tool")
        stats.setdefault(unit, Counter()).update(_numbers(row))
        names[unit] = (row.get("team_name"), row.get("department_name"))
    if asked is None and (expect or any(t is not None for t in tools.values())):
        asked = tool_audiences(rounds, tool=expect.tool if expect else None)
    if expect is not None:
        wanted = {pair for pair in expected(asked, expect.kind) if pair[0] in rounds}
        missing = wanted - {(round_id, tool) for (round_id, _), tool in tools.items()}
        for round_id, tool, name in _named(missing):
            group = (
                round_id,
                key({"round": round_id, "tool": tool, "tool_name": name}),
            )
            grouped.setdefault(group, {})
            tools[group] = tool
    # A round where no one at all is counted, nor expected, has no population:
    # that says nothing of a group smaller than the round's whole.
    invited = invited_units(rounds) if framed and grouped else {}
    for units in invited.values():
        for unit, unit_names in units.items():
            names.setdefault(unit, unit_names)
    found = []
    for (round_id, extra), stats in grouped.items():
        info, tool = rounds[round_id], tools[(round_id, extra)]
        frame = invited.get(round_id, {})
        if tool is not None:
            # An AI tool's questions go to the teams the round asked about it
            # only: the others are not its population's, empty or not (their
            # zeros would merge a leader's teams with teams never asked).
            audience = (asked or {}).get(round_id, {}).get(tool)
            frame = (
                {}
                if audience is None
                else {unit: n for unit, n in frame.items() if audience.asks(unit[1])}
            )
        for unit in frame:
            stats.setdefault(unit, Counter())
        sizes = {unit: numbers["people"] for unit, numbers in stats.items()}
        cells = partition(sizes, floor=floor(info), invited=frame)
        found.append(Population(info, cells, stats, extra, names, tool))
    found.sort(key=lambda p: (p.round.starts_at, p.round.pk, str(p.key)))
    return found


def tool_audiences(
    rounds: Mapping[int, RoundInfo], *, tool: int | None = None
) -> dict[int, dict[int, Asked]]:
    """Per round, of whom it asked about each AI tool (only `tool`, if given):
    no query for rounds that kept it (`surveys.audiences`)."""
    return audiences(
        (
            (pk, info.survey, info.tools_asked, info.customers)
            for pk, info in rounds.items()
        ),
        tools=None if tool is None else [tool],
    )


def expected(
    asked: Mapping[int, Mapping[int, Asked]], kind: str
) -> set[tuple[int, int]]:
    """(round, tool) for each tool a round asked a question of `kind` about."""
    return {
        (round_id, tool)
        for round_id, per_tool in asked.items()
        for tool, audience in per_tool.items()
        if kind in audience.kinds
    }


def _named(pairs: set[tuple[int, int]]) -> list[tuple[int, int, str]]:
    """(round, tool, the tool's name): one query, none for no pair."""
    if not pairs:
        return []
    names = dict(
        AITool.objects.filter(pk__in={tool for _, tool in pairs}).values_list(
            "pk", "name"
        )
    )
    return [(r, t, names[t]) for r, t in sorted(pairs) if t in names]


def invited_units(
    rounds: Mapping[int, RoundInfo],
) -> dict[int, dict[Unit, tuple[str | None, str | None]]]:
    """Per round, the units its invitations went to (the team and department
    each person was in when invited; customers' none), with their names: the
    frame of every population of the round, fixed once it has fanned out and
    known before anyone answered. One query."""
    found: dict[int, dict[Unit, tuple[str | None, str | None]]] = {}
    if not rounds:
        return found
    rows = (
        Invitation.objects.filter(round__in=list(rounds))
        .order_by()
        .values_list("round", "department", "team", "team__name", "department__name")
        .distinct()
    )
    for round_id, department, team, team_name, department_name in rows:
        found.setdefault(round_id, {})[(department, team)] = (
            team_name,
            department_name,
        )
    return found


# Not a unit people answer from: a whole round's units, summed (`Whole`).
EVERYONE: Unit = (-1, -1)


@dataclass
class Whole(Population):
    """A round's whole population (or one tool's), summed, for a view of
    everyone: one cell, shown exactly when the engine shows every cell of the
    round (`partition` leaves a cell below the floor only when the whole
    population is), so the cells such a view takes add up to it."""

    def choose(self, people: People, *, what: str = "responses") -> Choice:
        if not people.everyone:
            raise ValueError("A whole round is for a view of everyone only.")
        return super().choose(people, what=what)


def whole_populations(
    rows: Iterable[Mapping],
    rounds: Mapping[int, RoundInfo],
    *,
    key: Callable[[Mapping], Hashable] = lambda row: None,
    floor: Callable[[RoundInfo], int] = lambda info: info.floor,
) -> list[Whole]:
    """One `Whole` per row: `round`, `people` and the numbers of a round (and
    `key`) summed over all its units."""
    found = []
    for row in rows:
        info, numbers = rounds[row["round"]], Counter(_numbers(row))
        cells = partition({EVERYONE: numbers["people"]}, floor=floor(info))
        found.append(
            Whole(info, cells, {EVERYONE: numbers}, key(row), tool=row.get("tool"))
        )
    return found


def attach(
    found: Iterable[Population],
    rows: Iterable[Mapping],
    *,
    name: Callable[[Mapping, str], str],
    key: Callable[[Mapping], Hashable] = lambda row: None,
) -> None:
    """Add finer numbers (per driver, say) to populations already in cells: each
    row's numbers go to its unit under `name(row, number)`."""
    by_key = {(p.round.pk, p.key): p for p in found}
    for row in rows:
        population = by_key.get((row["round"], key(row)))
        if population is None:
            continue
        unit = (row["department"], row["team"])
        stats = population.stats.setdefault(unit, Counter())
        for number, value in _numbers(row).items():
            stats[name(row, number)] += value


def attached_in(population: Population, cell: Cell) -> dict[str, Counter | None]:
    """The finer numbers `attach` added (per driver, say), summed over a cell's
    units: per name, its numbers (`people`, and the rest), or None where fewer
    people than the cell's floor are behind them (an optional question), so that
    nothing gives them back. Counted per round, so one person answering in five
    rounds is still one."""
    stats: Counter = Counter()
    for unit in cell.units:
        stats.update(population.stats[unit])
    found: dict[str, Counter | None] = {}
    for key in [k for k in stats if k.endswith(":people")]:
        name = key.split(":")[0]
        numbers = Counter(
            {
                number.split(":")[1]: value
                for number, value in stats.items()
                if number.startswith(f"{name}:")
            }
        )
        found[name] = numbers if numbers["people"] >= cell.floor else None
    return found


def units_key(units: Iterable[Unit]) -> str:
    """A cell's units as text, the same for the same units: "3:12,3:17" (no
    team or no department: nothing after or before the colon)."""
    return ",".join(
        f"{'' if d is None else d}:{'' if t is None else t}"
        for d, t in sorted(units, key=lambda u: (u[0] or -1, u[1] or -1))
    )


def units_of(key: str) -> frozenset[Unit]:
    """The units `units_key` wrote."""
    found = set()
    for pair in key.split(","):
        department, team = pair.split(":")
        found.add(
            (int(department) if department else None, int(team) if team else None)
        )
    return frozenset(found)


def _numbers(row: Mapping) -> dict[str, int | Decimal]:
    """A row's numbers (counts and sums), without its keys. Sums stay decimals:
    exact, so the same whatever order they are added in (a figure turns them
    into a float when it divides)."""
    return {
        name: value
        for name, value in row.items()
        if name not in KEYS
        and isinstance(value, int | float | Decimal)
        and not isinstance(value, bool)
    }


@dataclass(frozen=True)
class Names:
    """Team and department names, for saying what a cell holds."""

    teams: Mapping[int, str]
    departments: Mapping[int, str]

    @classmethod
    def of(cls, found: Iterable[Population]) -> Names:
        """The names the populations read with their numbers: no query."""
        teams, departments = {}, {}
        for population in found:
            for (department, team), (
                team_name,
                department_name,
            ) in population.names.items():
                if team is not None and team_name is not None:
                    teams[team] = team_name
                if department is not None and department_name is not None:
                    departments[department] = department_name
        return cls(teams, departments)

    def unit(self, unit: Unit) -> str:
        _, team = unit
        return "No team" if team is None else self.teams.get(team, f"Team {team}")

    def units(self, units: Iterable[Unit]) -> str:
        """ "S2 + S7", or "Sales: S2 + S7; Eng: E6" across departments."""
        by_department: dict[int | None, list[str]] = {}
        for unit in sorted(units, key=lambda u: self.unit(u)):
            by_department.setdefault(unit[0], []).append(self.unit(unit))
        if len(by_department) == 1:
            return " + ".join(next(iter(by_department.values())))
        return "; ".join(
            f"{self.departments.get(d, 'No department')}: {' + '.join(teams)}"
            for d, teams in sorted(
                by_department.items(),
                key=lambda item: self.departments.get(item[0], ""),
            )
        )

    def say(self, choice: Choice) -> str:
        """What a shown figure counts beyond its view's own people, and which of
        them it leaves out and why, or "". A merge or an omission true of only
        some of the figure's rounds names them."""
        parts = []
        for days, units in _grouped(choice.extra).items():
            parts.append(
                f"with {self.units(units)}{_rounds(days, choice.days)}, "
                "merged in to reach the floor"
            )
        reasons: dict[tuple[str, frozenset], list[Unit]] = {}
        for (reason, unit), days in choice.missing.items():
            reasons.setdefault((reason, frozenset(days)), []).append(unit)
        for (reason, days), units in reasons.items():
            parts.append(
                f"without {self.units(units)}{_rounds(days, choice.days)}: {reason}"
            )
        return ". ".join(parts)


def _grouped(by_unit: Mapping[Unit, set[RoundInfo]]) -> dict[frozenset, list[Unit]]:
    grouped: dict[frozenset, list[Unit]] = {}
    for unit, days in by_unit.items():
        grouped.setdefault(frozenset(days), []).append(unit)
    return grouped


def _rounds(rounds: Iterable[RoundInfo], counted: set[RoundInfo]) -> str:
    """ " in the rounds of 2 Mar 2026, 9 Mar 2026" unless `rounds` are all the
    rounds the figure counts."""
    rounds = set(rounds)
    if rounds == counted or len(counted | rounds) <= 1:
        return ""
    word = "round" if len(rounds) == 1 else "rounds"
    return f" in the {word} of " + round_names(rounds, among=counted | rounds)


def round_names(rounds: Iterable[RoundInfo], *, among: Iterable[RoundInfo]) -> str:
    """Rounds by their start day, with the survey's title where another round
    among `among` starts the same day: "9 Mar 2026 · AI check"."""
    days = Counter(info.day for info in set(among))
    return ", ".join(
        day_label(info.day) + (f" · {info.survey_title}" if days[info.day] > 1 else "")
        for info in sorted(set(rounds), key=lambda i: (i.starts_at, i.pk))
    )


def day_label(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"
