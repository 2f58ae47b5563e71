"""The drivers heatmap: per cell of the sentiment index's people and driver, the
mean agreement score (1-5) over the rounds in view.

Rows are cells, not teams: a team below the floor shows inside its cell ("S2 +
S7"), in each round in view whose cells are alike. A team the view asks for that
no shown cell holds is a hidden row that says why. A driver counts a round's
cell only when at least the floor answered it there (`privacy.attached_in`; its
`n` is those people); with no such round it is blank.

A view of everyone takes every shown cell of every round. A summarised round's
cells are stored (`DriverCell`, cut at the floor the round still has), so for
such a view the database adds them up across rounds, per cell and driver, and a
page reads cells x drivers, not rounds x teams; the other rounds (not summarised
yet, or whose floor moved since) and every other view are cut here, from their
units. The same cells, the same rule, and exact sums either way.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.db.models import Count, Max, Q, Sum

from dashboards.filters import Filters
from dashboards.models import DriverCell
from dashboards.privacy import (
    MERGED_AWAY,
    Names,
    People,
    Population,
    RoundInfo,
    Unit,
    attached_in,
    below_floor,
    round_infos,
    round_names,
    units_of,
)
from dashboards.summaries import as_stored, drivers_in_cells
from org.models import Department, Team

NUMBERS = ("people", "answers", "total")


def driver_heatmap(
    filters: Filters, *, rounds: Mapping[int, RoundInfo] | None = None
) -> list[dict]:
    """Per cell and driver: `team` (the cell's team ids), `team_name` ("S2 +
    S7"), `driver`, `n`, `mean`, `suppressed`, `reason` and `rounds` (the rounds
    it counts, or "every round in view"). Three queries; with stored cells in
    view, at most twelve, however many rounds and teams. `rounds`: the rounds in
    view, by id, when the page read them already (the closed ones are taken)."""
    if rounds is None:
        rounds = round_infos(filters)
    else:
        rounds = {pk: info for pk, info in rounds.items() if info.closed}
    people = People.of(filters)
    stored = {
        pk: info for pk, info in rounds.items() if people.everyone and info.cells_stored
    }
    heat = Heat(people)
    found = drivers_in_cells({pk: i for pk, i in rounds.items() if pk not in stored})
    for population in found:
        heat.add_population(population)
    names = Names.of(found)
    if stored:
        names = heat.add_stored(stored, names)
    return heat.rows(names)


@dataclass
class Heat:
    """The cells a view takes, each with its drivers' sums over the rounds."""

    people: People
    shown: dict[frozenset, Counter] = field(
        default_factory=lambda: defaultdict(Counter)
    )
    days: dict[frozenset, set[RoundInfo]] = field(
        default_factory=lambda: defaultdict(set)
    )
    floors: dict[frozenset, int] = field(default_factory=dict)
    # (when, unit, why) of each unit asked for in a cell not taken: the reason
    # of its latest round stands, as rounds are met in order.
    hidden: list[tuple[tuple, Unit, str]] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)  # every driver answered in view
    in_view: set[RoundInfo] = field(default_factory=set)

    def add_population(self, population: Population) -> None:
        """A round's cells, cut from its units."""
        self.in_view.add(population.round)
        for cell in population.cells:
            asked = [u for u in _sorted(cell.units) if self.people.asks_for(u)]
            if not asked:
                continue
            if cell.shown and self.people.may_see(cell):
                self._add(cell.units, {population.round}, cell.floor)
                for driver, numbers in attached_in(population, cell).items():
                    self._add_driver(cell.units, driver, numbers)
            else:
                reason = MERGED_AWAY if cell.shown else below_floor(cell.floor)
                when = _when(population.round)
                self.hidden += [(when, unit, reason) for unit in asked]

    def add_stored(self, rounds: Mapping[int, RoundInfo], names: Names) -> Names:
        """Summarised rounds' stored cells, for a view of everyone (every shown
        cell taken), added up per cell and driver by the database; returns
        `names` with those of their teams."""
        cells = DriverCell.objects.filter(round__in=list(rounds), driver="")
        here = {rounds[pk] for pk in cells.values_list("round", flat=True).distinct()}
        self.in_view |= here
        found = list(
            cells.filter(shown=True)
            .values("units")
            .annotate(rounds=Count("round"), floor=Max("floor"))
            .order_by()
        )
        partly = [row["units"] for row in found if row["rounds"] < len(here)]
        days: dict[str, set[RoundInfo]] = defaultdict(set)
        if partly:
            pairs = cells.filter(shown=True, units__in=partly).values_list
            for units, pk in pairs("units", "round"):
                days[units].add(rounds[pk])
        keys = set()
        for row in found:
            units = units_of(row["units"])
            self._add(units, days.get(row["units"], here), row["floor"])
            keys.add(row["units"])
        for key, floor, pk in cells.filter(shown=False).values_list(
            "units", "floor", "round"
        ):
            when, reason = _when(rounds[pk]), below_floor(floor)
            self.hidden += [(when, unit, reason) for unit in _sorted(units_of(key))]
            keys.add(key)
        counted = Q(counted=True)
        for row in (
            DriverCell.objects.filter(round__in=list(rounds))
            .exclude(driver="")
            .values("units", "driver")
            .annotate(
                counts=Count("pk", filter=counted),
                **{number: Sum(number, filter=counted) for number in NUMBERS},
            )
            .order_by()
        ):
            numbers = Counter({n: as_stored(row)[n] for n in NUMBERS})
            numbers = numbers if row["counts"] else None
            self._add_driver(units_of(row["units"]), row["driver"], numbers)
        return _with_names(names, (u for key in keys for u in units_of(key)))

    def _add(self, units: frozenset, days: Iterable[RoundInfo], floor: int) -> None:
        self.shown.setdefault(units, Counter())  # a row even with no driver
        self.days[units] |= set(days)
        self.floors[units] = max(self.floors.get(units, 0), floor)

    def _add_driver(self, units: frozenset, driver: str, numbers) -> None:
        self.seen.add(driver)
        if numbers is not None:
            for number in NUMBERS:
                self.shown[units][f"{driver}:{number}"] += numbers[number]

    def rows(self, names: Names) -> list[dict]:
        drivers = sorted(self.seen)
        rows = []
        for units, totals in self.shown.items():
            rows += self._cell_rows(units, totals, drivers, names)
        hidden: dict[Unit, str] = {}
        for _, unit, reason in sorted(self.hidden, key=lambda h: h[0]):
            hidden[unit] = reason
        shown_units = {unit for units in self.shown for unit in units}
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
        # Two cells may read alike (teams of one name in two departments): their
        # ids settle the order, whichever way the cells were met.
        rows.sort(key=lambda row: (row["team_name"], row["driver"], row["team"]))
        return rows

    def _cell_rows(
        self, units: frozenset, totals: Counter, drivers: list[str], names: Names
    ) -> list[dict]:
        label = names.units(units)
        key = tuple(sorted(str(team) for _, team in units))
        days = self.days[units]
        rounds = (
            "every round in view"
            if days == self.in_view
            else round_names(days, among=self.in_view)
        )
        rows = []
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
                    "reason": below_floor(self.floors[units], "people answering")
                    if blank
                    else "",
                    "rounds": rounds,
                }
            )
        return rows


def _sorted(units: Iterable[Unit]) -> list[Unit]:
    return sorted(units, key=lambda u: (u[0] or -1, u[1] or -1))


def _when(info: RoundInfo) -> tuple[dt.datetime, int]:
    """Where a round comes in the order populations are met."""
    return (info.starts_at, info.pk)


def _with_names(names: Names, units: Iterable[Unit]) -> Names:
    """`names` and those of `units`' teams and departments: two queries."""
    units = list(units)
    teams = {t for _, t in units if t is not None} - set(names.teams)
    departments = {d for d, _ in units if d is not None} - set(names.departments)
    found_teams = dict(Team.objects.filter(pk__in=teams).values_list("pk", "name"))
    found_departments = dict(
        Department.objects.filter(pk__in=departments).values_list("pk", "name")
    )
    return Names(
        {**names.teams, **found_teams}, {**names.departments, **found_departments}
    )
