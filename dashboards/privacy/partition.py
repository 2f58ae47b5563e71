"""Splitting one round's population into cells of at least the floor.

A population is the people behind one kind of figure in one round (those who
answered its agreement questions, those who commented, those who answered one AI
tool's questions, those invited). Its units are the (department, team) pairs the
people answered from, and every pair the round invited, where no one may have
answered (`cells.invited_units`); `partition` groups the units into disjoint
cells of at least `floor` people, the same way whoever looks:

1. Within a department, the smallest group below the floor merges with the next
   smallest, until every group reaches the floor or the department is one group.
2. A department still below the floor (one group) merges into the smallest group
   of the next smallest department, and so on up.
3. What is left below the floor is the whole population: no figure shows it.

Teams of 2, 7 (Sales), 3, 4, 12 (Ops) and 4 (Eng) at floor 5 give the cells
{S2, S7, E6}, {O3, O4} and {O12}. Ties are broken by the units' ids, so the same
sizes always give the same cells.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

# (department id, team id) the people answered from; None where they had none.
Unit = tuple[int | None, int | None]


@dataclass(frozen=True)
class Cell:
    """A set of units holding `n` people; shown only when `n` reaches `floor`."""

    units: frozenset[Unit]
    n: int
    floor: int

    @property
    def shown(self) -> bool:
        return self.n >= self.floor

    @property
    def teams(self) -> frozenset[int | None]:
        return frozenset(team for _, team in self.units)


def partition(
    sizes: Mapping[Unit, int], *, floor: int, invited: Iterable[Unit] = ()
) -> list[Cell]:
    """The cells of one population, given the people in each unit.

    Units with nobody are left out, except those `invited` (the units the round
    asked, known before anyone answered): they are cells' members with no one
    in them, so that whether a small team answered at all never decides whether
    a view of it has a row. Every returned cell reaches the floor, except a
    single cell holding the whole population when that is below it.
    """
    invited = frozenset(invited)
    departments: dict[int | None, list[_Group]] = defaultdict(list)
    for unit, n in {**dict.fromkeys(invited, 0), **sizes}.items():
        if n > 0 or unit in invited:
            departments[unit[0]].append(_Group([unit], n))
    collapsed = {
        department: _collapse(groups, floor)
        for department, groups in departments.items()
    }
    _merge_departments(collapsed, floor)
    cells = [
        Cell(frozenset(group.units), group.n, floor)
        for groups in collapsed.values()
        for group in groups
    ]
    return sorted(cells, key=lambda cell: _order(cell.units))


@dataclass
class _Group:
    units: list[Unit]
    n: int

    def key(self) -> tuple:
        return (self.n, _order(self.units))


def _collapse(groups: list[_Group], floor: int) -> list[_Group]:
    """Merge the smallest group with the next smallest while one is below the
    floor and there are two to merge.

    A heap keyed as the groups sort (size, then units): each merge costs a log,
    not a sort, so a round of a thousand small teams is cut in milliseconds. No
    two groups share units, so no two keys tie."""
    heap = [(group.key(), group) for group in groups]
    heapq.heapify(heap)
    while len(heap) > 1 and heap[0][1].n < floor:
        smallest, next_smallest = heapq.heappop(heap)[1], heapq.heappop(heap)[1]
        merged = _Group(
            smallest.units + next_smallest.units, smallest.n + next_smallest.n
        )
        heapq.heappush(heap, (merged.key(), merged))
    return [group for _, group in sorted(heap, key=lambda item: item[0])]


def _merge_departments(departments: dict[int | None, list[_Group]], floor: int) -> None:
    """A department below the floor (one group) joins the smallest group of the
    next smallest department, until none is below or only one is left."""

    def total(department) -> tuple:
        groups = departments[department]
        return (sum(g.n for g in groups), _order(u for g in groups for u in g.units))

    while len(departments) > 1:
        short = sorted(
            (
                d
                for d, groups in departments.items()
                if sum(g.n for g in groups) < floor
            ),
            key=total,
        )
        if not short:
            return
        department = short[0]
        (group,) = departments.pop(department)
        into = min(departments, key=total)
        target = min(departments[into], key=_Group.key)
        target.units += group.units
        target.n += group.n
        departments[into] = sorted(departments[into], key=_Group.key)


def _order(units: Iterable[Unit]) -> tuple:
    """A stable order for units whose ids may be None."""
    return tuple(
        sorted((-1 if d is None else d, -1 if t is None else t) for d, t in units)
    )
