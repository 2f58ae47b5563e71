"""`partition`: one round's population split into cells of at least the floor.

The worked example of docs/PRIVACY.md, the edge cases, and properties checked on
random organisations with hypothesis. No database: `partition` is a pure function
of the sizes of the units (department, team) people answered from.
"""

from __future__ import annotations

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from dashboards.privacy.partition import Unit, _collapse, _Group, partition

# The worked example: Sales (1) has S2 and S7, Ops (2) has O3, O4 and O12, Eng (3)
# has E6, of whom 4 answered this round.
SALES, OPS, ENG = 1, 2, 3
S2, S7 = (SALES, 12), (SALES, 17)
O3, O4, O12 = (OPS, 23), (OPS, 24), (OPS, 212)
E6 = (ENG, 36)
EXAMPLE = {S2: 2, S7: 7, O3: 3, O4: 4, O12: 12, E6: 4}


def cells_of(sizes: dict[Unit, int], floor: int = 5) -> set[frozenset[Unit]]:
    return {cell.units for cell in partition(sizes, floor=floor)}


# --- The worked example -------------------------------------------------------------


def test_the_worked_example_gives_the_three_cells_of_the_privacy_note():
    cells = partition(EXAMPLE, floor=5)

    assert {cell.units: cell.n for cell in cells} == {
        frozenset({S2, S7, E6}): 13,
        frozenset({O3, O4}): 7,
        frozenset({O12}): 12,
    }
    assert all(cell.shown and cell.floor == 5 for cell in cells)


def test_the_worked_example_says_which_teams_each_cell_holds():
    teams = {cell.teams for cell in partition(EXAMPLE, floor=5)}

    assert teams == {frozenset({12, 17, 36}), frozenset({23, 24}), frozenset({212})}


def test_with_eng_at_full_strength_eng_stands_alone_and_sales_merges_inside():
    cells = cells_of({**EXAMPLE, E6: 6})

    assert cells == {
        frozenset({S2, S7}),
        frozenset({O3, O4}),
        frozenset({O12}),
        frozenset({E6}),
    }


# --- Edge cases ---------------------------------------------------------------------


def test_no_one_gives_no_cell():
    assert partition({}, floor=5) == []
    assert partition({S2: 0, O12: 0}, floor=5) == []


def test_a_unit_where_no_one_answered_is_left_out():
    cells = partition({S2: 0, S7: 7}, floor=5)

    assert [(cell.units, cell.n) for cell in cells] == [(frozenset({S7}), 7)]


def test_an_invited_unit_where_no_one_answered_is_in_the_cell_a_small_one_is_in():
    # Whether S2's two answered or not, S2 is in S7's cell: a view of S2 has the
    # same row either way.
    for answered in (0, 1, 2):
        cells = partition({S2: answered, S7: 7}, floor=5, invited=[S2, S7])

        assert [(cell.units, cell.n) for cell in cells] == [
            (frozenset({S2, S7}), 7 + answered)
        ]


def test_an_invited_department_where_no_one_answered_joins_the_next_smallest():
    cells = partition({S7: 7, O12: 12}, floor=5, invited=[E6, S7, O12])

    assert cells_of({S7: 7, O12: 12}) == {frozenset({S7}), frozenset({O12})}
    assert {cell.units for cell in cells} == {frozenset({S7, E6}), frozenset({O12})}


def test_a_round_no_one_answered_is_one_hidden_cell_of_its_invited_units():
    (cell,) = partition({}, floor=5, invited=[S2, S7])

    assert (cell.units, cell.n, cell.shown) == (frozenset({S2, S7}), 0, False)


def test_one_small_unit_is_one_cell_that_is_never_shown():
    (cell,) = partition({S2: 2}, floor=5)

    assert (cell.units, cell.n, cell.shown) == (frozenset({S2}), 2, False)


def test_when_everyone_together_is_below_the_floor_it_is_one_hidden_cell():
    (cell,) = partition({S2: 1, O3: 1, E6: 2}, floor=5)

    assert (cell.units, cell.n, cell.shown) == (frozenset({S2, O3, E6}), 4, False)


def test_a_unit_exactly_at_the_floor_stands_alone():
    assert cells_of({S2: 5, S7: 5}) == {frozenset({S2}), frozenset({S7})}


def test_a_tie_between_siblings_is_broken_by_their_ids_not_by_order():
    first, second, small = (SALES, 1), (SALES, 2), (SALES, 3)

    forwards = cells_of({first: 5, second: 5, small: 1})
    backwards = cells_of({small: 1, second: 5, first: 5})

    assert forwards == backwards == {frozenset({first, small}), frozenset({second})}


def test_a_tie_between_departments_is_broken_by_their_ids_not_by_order():
    a, b, short = (1, 10), (2, 20), (3, 30)

    forwards = cells_of({a: 6, b: 6, short: 2})
    backwards = cells_of({short: 2, b: 6, a: 6})

    assert forwards == backwards == {frozenset({a, short}), frozenset({b})}


def test_short_departments_merge_with_each_other_before_a_large_one():
    x, y, big = (1, 10), (2, 20), (3, 30)

    assert cells_of({x: 2, y: 3, big: 20}) == {frozenset({x, y}), frozenset({big})}


def test_people_with_no_team_are_a_unit_of_their_department():
    no_team = (SALES, None)

    cells = partition({no_team: 2, S7: 7}, floor=5)

    assert [(cell.units, cell.n) for cell in cells] == [(frozenset({no_team, S7}), 9)]
    assert cells[0].teams == frozenset({None, 17})


def test_people_with_no_department_are_a_department_of_their_own():
    nowhere = (None, None)

    assert cells_of({nowhere: 3, S7: 7, O12: 12}) == {
        frozenset({nowhere, S7}),
        frozenset({O12}),
    }
    assert cells_of({nowhere: 6, S2: 2}) == {frozenset({nowhere, S2})}
    assert cells_of({nowhere: 6, S7: 7}) == {frozenset({nowhere}), frozenset({S7})}


def test_the_cells_come_in_a_stable_order():
    cells = partition(EXAMPLE, floor=5)

    assert [sorted(cell.units)[0] for cell in cells] == [S2, O3, O12]


# --- Properties on random organisations --------------------------------------------


@st.composite
def organisations(draw) -> tuple[dict[Unit, int], int]:
    """Up to 12 teams spread over up to 4 departments (None among them: people
    whose department is unknown), maybe people with no team in a department, and
    how many of each answered (0 to 15); a floor from 3 to 10."""
    departments = [None, *range(1, draw(st.integers(1, 4)) + 1)]
    teams = draw(st.integers(0, 12))
    sizes: dict[Unit, int] = {}
    for team in range(1, teams + 1):
        sizes[(draw(st.sampled_from(departments)), team)] = draw(st.integers(0, 15))
    for department in draw(st.sets(st.sampled_from(departments), max_size=2)):
        sizes[(department, None)] = draw(st.integers(0, 15))
    return sizes, draw(st.integers(3, 10))


def total_of(sizes: dict[Unit, int]) -> int:
    return sum(sizes.values())


def departments_of(units) -> set[int | None]:
    return {department for department, _ in units}


def department_totals(sizes: dict[Unit, int]) -> Counter:
    totals: Counter = Counter()
    for (department, _), n in sizes.items():
        totals[department] += n
    return totals


@settings(max_examples=200, deadline=None)
@given(organisations())
def test_cells_are_disjoint_and_cover_every_unit_where_someone_answered(org):
    sizes, floor = org

    cells = partition(sizes, floor=floor)

    units = [unit for cell in cells for unit in cell.units]
    assert len(units) == len(set(units)), "a unit is in two cells"
    assert set(units) == {unit for unit, n in sizes.items() if n > 0}
    for cell in cells:
        assert cell.n == sum(sizes[unit] for unit in cell.units)
        assert cell.floor == floor


@settings(max_examples=200, deadline=None)
@given(organisations())
def test_every_cell_reaches_the_floor_unless_there_is_exactly_one(org):
    sizes, floor = org

    cells = partition(sizes, floor=floor)

    if len(cells) > 1:
        assert all(cell.n >= floor and cell.shown for cell in cells)
    if len(cells) == 1:
        # The whole population: shown exactly when it reaches the floor.
        assert cells[0].n == total_of(sizes)
        assert cells[0].shown == (total_of(sizes) >= floor)
    if total_of(sizes) >= floor:
        assert all(cell.shown for cell in cells)


@settings(max_examples=200, deadline=None)
@given(organisations(), st.randoms(use_true_random=False))
def test_the_cells_depend_only_on_the_sizes_not_on_the_order_given(org, rng):
    sizes, floor = org
    items = list(sizes.items())
    rng.shuffle(items)

    once = partition(sizes, floor=floor)
    again = partition(sizes, floor=floor)
    shuffled = partition(dict(items), floor=floor)
    backwards = partition(dict(reversed(list(sizes.items()))), floor=floor)

    assert once == again == shuffled == backwards


@settings(max_examples=200, deadline=None)
@given(organisations())
def test_a_department_below_the_floor_is_never_split(org):
    """A department whose people together are below the floor lies whole in one
    cell: its teams are merged with each other first, then all together into
    one other group."""
    sizes, floor = org
    cells = partition(sizes, floor=floor)

    for department, total in department_totals(sizes).items():
        if 0 < total < floor:
            holding = [c for c in cells if department in departments_of(c.units)]
            assert len(holding) == 1, (department, holding)


@settings(max_examples=200, deadline=None)
@given(organisations())
def test_departments_are_mixed_only_when_needed(org):
    """What "mix in other departments more than needed" means here, precisely:

    1. a cell holding several departments holds at most one that reaches the
       floor on its own; every other department in it is below the floor on its
       own and lies wholly in that cell (it could not have stood alone);
    2. so a department that reaches the floor on its own is never merged with
       another department that also does.

    Several cells may mix departments: four one-team departments of 3, 3, 4
    and 4 at floor 6 give {3, 3} and {4, 4}, finer than one cell of all four.
    """
    sizes, floor = org
    cells = partition(sizes, floor=floor)
    totals = department_totals(sizes)

    mixed = [cell for cell in cells if len(departments_of(cell.units)) > 1]
    for cell in mixed:
        departments = departments_of(cell.units)
        standing = [d for d in departments if totals[d] >= floor]
        assert len(standing) <= 1, (cell, standing)
        for department in departments - set(standing):
            units = {unit for unit in sizes if unit[0] == department and sizes[unit]}
            assert units <= cell.units, (department, cell)


@settings(max_examples=200, deadline=None)
@given(organisations())
def test_units_that_each_reach_the_floor_are_never_merged_with_each_other_alone(org):
    """Every merge takes a group below the floor, whose units are all below it: so
    a cell of several units holds at least one unit below the floor. (The greedy
    merge is not the finest partition possible: 2, 2, 3 and 4 at floor 5 give one
    cell of 11, where {2, 3} and {2, 4} would do; it is never finer than safe.)"""
    sizes, floor = org

    for cell in partition(sizes, floor=floor):
        if len(cell.units) > 1:
            assert min(sizes[unit] for unit in cell.units) < floor, cell


def test_the_greedy_merge_can_be_coarser_than_needed_but_never_finer():
    a, b, c, d = (SALES, 1), (SALES, 2), (SALES, 3), (SALES, 4)

    assert cells_of({a: 2, b: 2, c: 3, d: 4}) == {frozenset({a, b, c, d})}


def _collapse_by_sorting(groups, floor):
    """`_collapse` as first written (a sort after each merge): the reference the
    heap must match, merge for merge."""
    groups = sorted(groups, key=_Group.key)
    while len(groups) > 1 and groups[0].n < floor:
        smallest, next_smallest = groups.pop(0), groups.pop(0)
        merged = _Group(
            smallest.units + next_smallest.units, smallest.n + next_smallest.n
        )
        groups = sorted([merged, *groups], key=_Group.key)
    return groups


@st.composite
def large_departments(draw) -> tuple[list[_Group], int]:
    """Up to 80 teams of one department (some with no team), 0 to 12 each."""
    department = draw(st.sampled_from([None, 1]))
    teams = draw(st.lists(st.integers(1, 12), max_size=80))
    groups = [_Group([(department, team)], n) for team, n in enumerate(teams, 1)]
    if draw(st.booleans()):
        groups.append(_Group([(department, None)], draw(st.integers(1, 12))))
    return groups, draw(st.integers(3, 10))


@settings(max_examples=300, deadline=None)
@given(large_departments())
def test_merging_through_a_heap_gives_the_groups_sorting_gave(case):
    groups, floor = case
    copies = [_Group(list(g.units), g.n) for g in groups]

    assert _collapse(groups, floor) == _collapse_by_sorting(copies, floor)
