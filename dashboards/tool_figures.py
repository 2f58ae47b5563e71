"""The AI tools' figures and tables: hours saved (per week and in total, also as
FTE), accuracy (stacked shares with their number of verdicts) and open concerns.

Pure functions over metric rows, like `dashboards.figures`: a chart, its table and
its CSV come from the same rows, and a hidden row shows the floor's label instead
of its figure in all three.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from dashboards import suppression
from dashboards.events import Event
from dashboards.figures import (
    BAR_COLOUR,
    Figure,
    Table,
    _axes,
    _day,
    _draw_events,
    _figure,
    _gap_bars,
    _hidden_marks,
    _text,
    _unique,
    hidden_label,
    with_covers,
)
from dashboards.metrics.pulse import HOURS_PER_FTE

# Each at 3:1 or more on white; stacked segments are parted by a white line.
VERDICTS = (
    ("correct", "Correct", "#198754"),
    ("mostly_correct", "Mostly correct", "#b07a00"),
    ("incorrect", "Incorrect", "#b02a37"),
)
SEGMENT_LINE = {"color": "#fff", "width": 1}

# --- Hours saved --------------------------------------------------------------------


def hours_table(rows: Sequence[dict], *, floor: int) -> Table:
    """Rows of `pulse.hours_saved`: one per tool and week."""
    return with_covers(_hours_table(rows, floor=floor), rows)


def _hours_table(rows: Sequence[dict], *, floor: int) -> Table:
    return Table(
        [
            "Week",
            "AI tool",
            "Respondents",
            "Hours saved",
            "Hours per respondent",
            "FTE",
        ],
        [
            [row["week"].isoformat(), row["tool_name"]]
            + (
                [None, *[hidden_label(row, floor)] * 3]
                if row["suppressed"]
                else [row["n"], row["hours"], row["per_person"], row["fte"]]
            )
            for row in rows
        ],
    )


def hours_figure(
    rows: Sequence[dict], *, events: Iterable[Event], floor: int
) -> Figure:
    """A line per tool of the hours saved each week; FTE in the hover text."""
    figure = _figure()
    for tool_rows in _by_tool(rows):
        name = tool_rows[0]["tool_name"]
        shown = [row for row in tool_rows if not row["suppressed"]]
        figure["data"].append(
            {
                "type": "scatter",
                "x": [row["week"].isoformat() for row in tool_rows],
                "y": [row["hours"] for row in tool_rows],
                "customdata": [[row["fte"], row["n"]] for row in tool_rows],
                "name": _text(name),
                "mode": "lines+markers" if shown else "markers",
                "connectgaps": False,
                "hovertemplate": (
                    f"{_text(name)}<br>Week of %{{x|%-d %b %Y}}<br>%{{y}} hours saved"
                    " (%{customdata[0]} FTE)<br>%{customdata[1]} respondents"
                    "<extra></extra>"
                ),
            }
        )
    hidden = [row for row in rows if row["suppressed"]]
    _hidden_marks(
        figure,
        [row["week"].isoformat() for row in hidden],
        [
            f"{row['tool_name']}, week of {_day(row['week'])}: "
            f"{hidden_label(row, floor)}"
            for row in hidden
        ],
        floor,
    )
    _draw_events(figure, events)
    _axes(figure, "xaxis", type="date", title={"text": "Week"})
    _axes(figure, "yaxis", title={"text": "Hours saved per week"}, rangemode="tozero")
    return figure


def hours_totals(rows: Sequence[dict]) -> list[dict]:
    """Per tool, over the weeks shown: total hours, the mean per week and that mean
    as FTE. Hidden weeks are counted, never added in: a total that included them
    would give their sum away beside the shown weeks."""
    totals = []
    for tool_rows in _by_tool(rows):
        shown = [row for row in tool_rows if not row["suppressed"]]
        hours = round(sum(row["hours"] for row in shown), 1)
        mean = round(hours / len(shown), 1) if shown else None
        totals.append(
            {
                "tool": tool_rows[0]["tool"],
                "tool_name": tool_rows[0]["tool_name"],
                "weeks": len(shown),
                "hidden_weeks": len(tool_rows) - len(shown),
                "hours": hours if shown else None,
                "per_week": mean,
                "fte": None if mean is None else round(mean / HOURS_PER_FTE, 2),
            }
        )
    return totals


def totals_table(totals: Sequence[dict]) -> Table:
    return Table(
        [
            "AI tool",
            "Weeks shown",
            "Weeks hidden",
            "Hours saved in total",
            "Hours saved per week",
            "FTE per week",
        ],
        [
            [
                row["tool_name"],
                row["weeks"],
                row["hidden_weeks"],
                row["hours"],
                row["per_week"],
                row["fte"],
            ]
            for row in totals
        ],
    )


def totals_figure(totals: Sequence[dict]) -> Figure:
    shown = [row for row in totals if row["hours"] is not None]
    figure = _figure()
    figure["data"].append(
        {
            "type": "bar",
            "x": [_text(label) for label in _unique(row["tool_name"] for row in shown)],
            "y": [row["fte"] for row in shown],
            "customdata": [
                [row["hours"], row["per_week"], row["weeks"]] for row in shown
            ],
            "name": "FTE per week",
            "marker": {"color": BAR_COLOUR},
            "text": [f"{row['hours']:g} h" for row in shown],
            "textposition": "outside",
            "hovertemplate": (
                "%{x}<br>%{y} FTE: %{customdata[1]} hours a week"
                "<br>%{customdata[0]} hours over %{customdata[2]} weeks<extra></extra>"
            ),
        }
    )
    _axes(
        figure,
        "yaxis",
        title={"text": f"FTE ({HOURS_PER_FTE} h a week)"},
        rangemode="tozero",
    )
    _axes(figure, "xaxis", type="category", title={"text": "AI tool"}, automargin=True)
    return figure


# --- Accuracy -----------------------------------------------------------------------


def accuracy_table(rows: Sequence[dict], *, floor: int, key: str = "tool") -> Table:
    """Per tool (`accuracy_by_tool`) or per week (`accuracy_trend`)."""
    return with_covers(_accuracy_table(rows, floor=floor, key=key), rows)


def _accuracy_table(rows: Sequence[dict], *, floor: int, key: str) -> Table:
    heading = "AI tool" if key == "tool" else "Week"
    return Table(
        [
            heading,
            "Verdicts",
            *(f"{name} (%)" for _, name, _ in VERDICTS),
            "From surveys",
            "From the board",
        ]
        if key == "tool"
        else [heading, "Verdicts", *(f"{name} (%)" for _, name, _ in VERDICTS)],
        [
            [_key_cell(row, key)]
            + (
                [None, *[_verdicts_hidden(row, floor)] * 3]
                if row["suppressed"]
                else [row["n"], *(row[field] for field, _, _ in VERDICTS)]
            )
            + (
                (
                    [None, None]
                    if row["suppressed"]
                    else [row["from_surveys"], row["from_ratings"]]
                )
                if key == "tool"
                else []
            )
            for row in rows
        ],
    )


def accuracy_figure(rows: Sequence[dict], *, floor: int) -> Figure:
    """Per tool, one bar of 100%: correct, mostly correct, incorrect; the number of
    verdicts in the tool's label. A hidden tool keeps its label and no bar."""
    names = _unique(
        f"{row['tool_name']} ({_verdicts_hidden(row, floor)})"
        if row["suppressed"]
        else f"{row['tool_name']} (N={row['n']})"
        for row in rows
    )
    figure = _figure(barmode="stack", height=max(240, 110 + 40 * len(rows)))
    figure["layout"]["legend"]["traceorder"] = "normal"  # correct first, as read
    for field, name, colour in VERDICTS:
        figure["data"].append(
            {
                "type": "bar",
                "y": [_text(n) for n in names],
                "x": [row[field] for row in rows],
                "name": name,
                "orientation": "h",
                "marker": {"color": colour, "line": SEGMENT_LINE},
                "hovertemplate": f"%{{y}}<br>{name}: %{{x}}%<extra></extra>",
            }
        )
    hidden = [
        (label, row)
        for label, row in zip(names, rows, strict=True)
        if row["suppressed"]
    ]
    _gap_bars(
        figure,
        [_text(label) for label, _ in hidden],
        [f"{row['tool_name']}: {_verdicts_hidden(row, floor)}" for _, row in hidden],
        top=100,
        text="hidden",
        name="Hidden to protect anonymity (hover for why)",
        horizontal=True,
    )
    _axes(figure, "xaxis", title={"text": "Share of verdicts (%)"}, range=[0, 100])
    _axes(figure, "yaxis", type="category", autorange="reversed", automargin=True)
    return figure


def accuracy_trend_figure(
    rows: Sequence[dict], *, events: Iterable[Event], floor: int
) -> Figure:
    """Per week, the verdicts' shares stacked to 100%."""
    figure = _figure(barmode="stack")
    for field, name, colour in VERDICTS:
        figure["data"].append(
            {
                "type": "bar",
                "x": [row["week"].isoformat() for row in rows],
                "y": [row[field] for row in rows],
                "customdata": [row["n"] for row in rows],
                "name": name,
                "marker": {"color": colour, "line": SEGMENT_LINE},
                "hovertemplate": (
                    f"Week of %{{x|%-d %b %Y}}<br>{name}: %{{y}}%"
                    "<br>of %{customdata} verdicts<extra></extra>"
                ),
            }
        )
    hidden = [row for row in rows if row["suppressed"]]
    _hidden_marks(
        figure,
        [row["week"].isoformat() for row in hidden],
        [f"Week of {_day(row['week'])}: {hidden_label(row, floor)}" for row in hidden],
        floor,
    )
    _draw_events(figure, events)
    _axes(figure, "xaxis", type="date", title={"text": "Week"})
    _axes(figure, "yaxis", title={"text": "Share of verdicts (%)"}, range=[0, 100])
    return figure


# --- Open concerns ------------------------------------------------------------------


def open_concerns_table(rows: Sequence[dict]) -> Table:
    return Table(
        ["AI tool", "Open concerns", "Of which overdue", "Concerns in all"],
        [[row["tool_name"], row["open"], row["overdue"], row["total"]] for row in rows],
    )


def open_concerns_figure(rows: Sequence[dict]) -> Figure:
    labels = [_text(label) for label in _unique(row["tool_name"] for row in rows)]
    figure = _figure(barmode="group")
    for field, name, colour in (
        ("open", "Open", BAR_COLOUR),
        ("overdue", "Of which overdue", "#b02a37"),
    ):
        figure["data"].append(
            {
                "type": "bar",
                "x": labels,
                "y": [row[field] for row in rows],
                "name": name,
                "marker": {"color": colour},
                "hovertemplate": f"%{{x}}<br>{name}: %{{y}}<extra></extra>",
            }
        )
    _axes(figure, "yaxis", title={"text": "Concerns"}, rangemode="tozero")
    _axes(figure, "xaxis", type="category", title={"text": "AI tool"}, automargin=True)
    return figure


def _by_tool(rows: Iterable[dict]) -> list[list[dict]]:
    """Rows grouped by tool (by id: two tools may share a name), in order."""
    by_tool: dict[object, list[dict]] = {}
    for row in rows:
        by_tool.setdefault(row["tool"], []).append(row)
    return list(by_tool.values())


def _key_cell(row: dict, key: str) -> str:
    value = row["tool_name"] if key == "tool" else row["week"]
    return value.isoformat() if isinstance(value, dt.date) else value


def _verdicts_hidden(row: dict, floor: int) -> str:
    return row.get("reason") or suppression.label(floor).replace(
        "responses", "verdicts"
    )
