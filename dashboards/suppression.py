"""The anonymity floor, applied to every figure a dashboard shows (DESIGN.md, 1).

Two rules, both pure functions over counts so every chart, tooltip and CSV row can
go through them:

- **Primary**: a figure computed from fewer respondents than the floor is not shown.
- **Complementary**: among sibling cells whose total is also visible (teams of a
  department, weeks of a range), one hidden cell could be recovered by subtracting
  the shown ones from the total. So when any sibling is hidden, enough others are
  hidden with it that the hidden ones together are at least two cells and at least
  the floor in respondents: their sum can then be learned, but never one of them.

`cut_hidden` guards filters the same way: a filtered view whose difference from the
unfiltered one is a small group (a team of 6 filtered down to 4 leaves 2 to
subtract) is hidden.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping

# Below this many verdicts an AI tool's accuracy shares say more about a few people
# than about the tool, so its page shows only the count.
ACCURACY_MIN_SHOWN = 5


def suppressed_keys(counts: Mapping[Hashable, int], *, floor: int) -> set[Hashable]:
    """The sibling cells to hide, given each cell's respondent count.

    Cells with no respondents at all are empty, not hidden: there is nothing to
    recover from them, and they do not count towards the floor.
    """
    hidden = {key for key, n in counts.items() if 0 < n < floor}
    if not hidden:
        return hidden
    shown = sorted(
        (key for key, n in counts.items() if n >= floor),
        key=lambda key: (counts[key], str(key)),
    )
    while shown and (len(hidden) < 2 or sum(counts[k] for k in hidden) < floor):
        hidden.add(shown.pop(0))
    return hidden


def cut_hidden(n_cut: int, n_whole: int, *, floor: int) -> bool:
    """Whether a filtered figure must be hidden, given the unfiltered group's size.

    Hidden when the cut itself is small, or when what the filter removed is a small
    non-empty group, which the two figures side by side would reveal.
    """
    removed = n_whole - n_cut
    return 0 < n_cut < floor or 0 < removed < floor


def label(floor: int) -> str:
    """What a hidden cell says instead of its figure."""
    return f"fewer than {floor} responses"


def apply(
    rows: Iterable[dict], *, key: str, count: str, floor: int, fields: Iterable[str]
) -> list[dict]:
    """Copy sibling `rows`, blanking `fields` (and the count) of hidden ones and
    marking them `suppressed`; the same rows feed a chart and its CSV."""
    rows = list(rows)
    hidden = suppressed_keys({row[key]: row[count] for row in rows}, floor=floor)
    result = []
    for row in rows:
        row = dict(row)
        row["suppressed"] = row[key] in hidden
        if row["suppressed"]:
            for name in (*fields, count):
                row[name] = None
        result.append(row)
    return result
