"""The privacy engine: every figure a dashboard, CSV, API response or email shows
is a sum over whole cells of a fixed partition, so no difference of figures,
however many views, pages or people are combined, isolates fewer people than the
floor.

Why it holds. Take one round and one population (the people behind one kind of
figure: those who answered its agreement questions, its commenters, those who
answered one AI tool's questions, those invited). `partition` splits it into
disjoint cells of at least the floor, from the population's sizes alone, so every
viewer, page and export gets the same cells. A figure is a count, a sum or a mean
with its n (n x mean is a sum) over a union of whole cells. Whatever a reader
computes by adding and subtracting figures is a signed combination of cell sums,
and the finest such combination is one cell: at least the floor. Filters never
cut a cell: a team filter shows the team's whole cell and says what else it holds
("S2 + S7"); dates select whole rounds; a leader sees only cells made of their own
teams. In statistical disclosure control this is table redesign (collapsing
categories until every cell passes a frequency rule), the alternative to
secondary cell suppression in tau-Argus and sdcTable, which the ESSnet Handbook
on SDC shows failing on linked, hierarchical tables such as our filters.

- `partition`: the cells of one population.
- `cells`: populations in cells, and which cells a view (`People`) takes.
- `rows`: the rounds a view selects, the numbers per unit, and rows per week.
"""

from dashboards.privacy.cells import (
    EVERYONE,
    MERGED_AWAY,
    Choice,
    Expect,
    Names,
    People,
    Population,
    RoundInfo,
    Whole,
    attach,
    attached_in,
    below_floor,
    day_label,
    expected,
    populations,
    round_names,
    tool_audiences,
    units_key,
    units_of,
    whole_populations,
)
from dashboards.privacy.partition import Cell, Unit, partition
from dashboards.privacy.rows import (
    answers_in,
    by,
    by_week,
    infos_of,
    per_unit,
    ratio,
    round_infos,
    rounds_in,
    weekly_rows,
)

__all__ = [
    "EVERYONE",
    "MERGED_AWAY",
    "Cell",
    "Choice",
    "Expect",
    "Names",
    "People",
    "Population",
    "RoundInfo",
    "Unit",
    "Whole",
    "answers_in",
    "attach",
    "attached_in",
    "below_floor",
    "day_label",
    "expected",
    "by",
    "by_week",
    "infos_of",
    "partition",
    "per_unit",
    "populations",
    "ratio",
    "round_names",
    "round_infos",
    "rounds_in",
    "tool_audiences",
    "units_key",
    "units_of",
    "weekly_rows",
    "whole_populations",
]
