"""Plotly figures and their tables, built from metric rows: pure functions, no
database. A chart, its accessible table and its CSV come from the same rows, so
they cannot disagree, and a row hidden by the anonymity floor shows its label in
all three and its figure in none (the metric has already blanked it).

A figure is plain data, `{"data": [traces], "layout": {...}}`, written as
plotly.js reads it (what plotly.py's `to_json` would give, and
`tests/dashboards/test_figures_plain.py` checks plotly.py accepts each one
unchanged): no object per trace to validate, and the page serialises it once.

User-written text (team names, update titles) is escaped before it reaches
Plotly, whose labels understand a few HTML tags.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils import timezone

from dashboards import suppression
from dashboards.events import Event
from surveys.models import Question

# Each colour reads on white (tests/dashboards/test_contrast.py): text at 4.5:1,
# bars and lines at 3:1.
BAR_COLOUR = "#0a58ca"
HIDDEN_COLOUR = "#5c636a"
EVENT_COLOUR = "#b35c00"
NO_DATA_TEXT = "#555b62"
NO_DATA_FILL = "#e9ecef"
NO_DATA_HATCH = "#9aa1a8"
# An invisible overlay axis from 0 to 1: a hidden week's mark and an event's marker
# are placed on it, since their height means nothing.
HIDDEN_AXIS = "y3"
EVENTS = "Rollout events (hover for what)"
NO_DATA = "no data"
# plotly's "Blues" and "RdBu" as plotly.py spells them out for plotly.js (whose
# own scales of those names differ).
BLUES = [
    [0.0, "rgb(247,251,255)"],
    [0.125, "rgb(222,235,247)"],
    [0.25, "rgb(198,219,239)"],
    [0.375, "rgb(158,202,225)"],
    [0.5, "rgb(107,174,214)"],
    [0.625, "rgb(66,146,198)"],
    [0.75, "rgb(33,113,181)"],
    [0.875, "rgb(8,81,156)"],
    [1.0, "rgb(8,48,107)"],
]
RED_BLUE = [
    [0.0, "rgb(103,0,31)"],
    [0.1, "rgb(178,24,43)"],
    [0.2, "rgb(214,96,77)"],
    [0.3, "rgb(244,165,130)"],
    [0.4, "rgb(253,219,199)"],
    [0.5, "rgb(247,247,247)"],
    [0.6, "rgb(209,229,240)"],
    [0.7, "rgb(146,197,222)"],
    [0.8, "rgb(67,147,195)"],
    [0.9, "rgb(33,102,172)"],
    [1.0, "rgb(5,48,97)"],
]

# A figure as plotly.js reads it: {"data": [traces], "layout": {...}}.
Figure = dict


@dataclass(frozen=True)
class Table:
    """The numbers a chart shows, as rows of cells (the HTML table and the CSV)."""

    columns: list[str]
    rows: list[list[object]]

    @property
    def has_gaps(self) -> bool:
        """Whether a cell has no figure (None): shown as "—", never as 0."""
        return any(cell is None for row in self.rows for cell in row)


@dataclass(frozen=True)
class Series:
    """One line of a weekly trend: metric rows with `week`, `n`, `suppressed` and
    the figure in `field`."""

    name: str
    field: str
    rows: list[dict]
    low: float
    high: float
    unit: str = ""


# --- Weekly trends ------------------------------------------------------------------


def trend_table(series: Sequence[Series], *, floor: int) -> Table:
    by_week = [{row["week"]: row for row in one.rows} for one in series]
    # Each series has its own cells (its own people), so its own "also counts".
    merged = [any(row.get("covers") for row in one.rows) for one in series]
    columns = ["Week"]
    for one, says in zip(series, merged, strict=True):
        columns += [f"{one.name}: respondents", one.name]
        if says:
            columns.append(f"{one.name}: also counts")
    rows = []
    for week in _weeks(series):
        cells: list[object] = [week.isoformat()]
        for one, rows_of, says in zip(series, by_week, merged, strict=True):
            row = rows_of.get(week)
            cells += _cells(row, one.field, floor)
            if says:
                cells.append((row or {}).get("covers", ""))
        rows.append(cells)
    return Table(columns, rows)


def with_covers(table: Table, rows: Sequence[dict]) -> Table:
    """The table with an "Also counts" column when a row counts teams merged in
    beyond its view's own (a table row per metric row)."""
    if not any(row.get("covers") for row in rows):
        return table
    return Table(
        [*table.columns, "Also counts"],
        [
            [*cells, row.get("covers", "")]
            for cells, row in zip(table.rows, rows, strict=True)
        ],
    )


def hidden_label(row: dict, floor: int) -> str:
    """Why a row is hidden: its own reason, or the floor."""
    return row.get("reason") or suppression.label(floor)


def trend_figure(
    series: Sequence[Series], *, events: Iterable[Event], floor: int
) -> Figure:
    """Up to two lines on one week axis (the second on its own right-hand axis,
    with its own zero line where it spans zero), hidden weeks as grey marks, and
    the rollout events as dotted lines with a marker each (their text on hover)."""
    figure = _figure()
    layout = figure["layout"]
    for index, one in enumerate(series[:2]):
        axis = "y" if index == 0 else "y2"
        shown = [row for row in one.rows if not row["suppressed"]]
        figure["data"].append(
            {
                "type": "scatter",
                "x": [row["week"].isoformat() for row in one.rows],
                "y": [row[one.field] for row in one.rows],
                "customdata": [row["n"] for row in one.rows],
                "name": one.name,
                "yaxis": axis,
                "mode": "lines+markers" if shown else "markers",
                "connectgaps": False,
                "hovertemplate": (
                    f"Week of %{{x|%-d %b %Y}}<br>{one.name}: %{{y}}{one.unit}"
                    "<br>%{customdata} respondents<extra></extra>"
                ),
            }
        )
        settings = _axis(one, colour=_colourway()[index], second=bool(index))
        layout["yaxis2" if index else "yaxis"] = settings
        if index and one.low < 0 < one.high:
            # Zero on the right-hand axis is not zero (nor 50) on the left one:
            # a line and a label say where this series' zero is.
            layout.setdefault("annotations", []).append(
                {
                    "text": f"{_text(one.name)} 0",
                    "xref": "paper",
                    "x": 1,
                    "xanchor": "right",
                    "yref": "y2",
                    "y": 0,
                    "yanchor": "bottom",
                    "showarrow": False,
                    "font": {"size": 11, "color": _colourway()[index]},
                }
            )
    hidden = sorted(
        {row["week"] for one in series for row in one.rows if row["suppressed"]}
    )
    _hidden_marks(
        figure,
        [week.isoformat() for week in hidden],
        [
            f"Week of {_day(week)}: "
            + "; ".join(
                f"{name}: {reason}" for name, reason in _hidden(series, week, floor)
            )
            for week in hidden
        ],
        floor,
    )
    _draw_events(figure, events)
    _axes(figure, "xaxis", type="date", title={"text": "Week"})
    return figure


def _axis(one: Series, *, colour: str, second: bool) -> dict:
    """A series' value axis, its title and numbers in the series' colour so each
    line is read against its own axis."""
    settings: dict = {
        "title": {"text": one.name, "font": {"color": colour}},
        "tickfont": {"color": colour},
        "range": [one.low, one.high],
        # Four steps from a tick at 0: zero is always labelled where it is.
        "tick0": 0,
        "dtick": (one.high - one.low) / 4,
        "zeroline": one.low < 0 < one.high,
        "zerolinecolor": colour,
        "zerolinewidth": 2,
    }
    if second:
        settings.update(overlaying="y", side="right", showgrid=False)
    return settings


def _hidden(
    series: Sequence[Series], week: dt.date, floor: int
) -> Iterable[tuple[str, str]]:
    """(series name, why) for each series hidden in a week."""
    for one in series:
        for row in one.rows:
            if row["week"] == week and row["suppressed"]:
                yield one.name, hidden_label(row, floor)


def _weeks(series: Sequence[Series]) -> list[dt.date]:
    return sorted({row["week"] for one in series for row in one.rows})


def _cells(row: dict | None, field: str, floor: int) -> list[object]:
    if row is None:
        return [None, None]
    if row["suppressed"]:
        return [None, hidden_label(row, floor)]
    return [row["n"], row[field]]


# --- Participation per round --------------------------------------------------------


def participation_table(rows: Sequence[dict]) -> Table:
    return with_covers(_participation_table(rows), rows)


def _participation_table(rows: Sequence[dict]) -> Table:
    return Table(
        ["Round", "Survey", "Starts", "Invited", "Answered", "Participation (%)"],
        [
            [
                row["label"],
                row["survey"],
                row["starts"].isoformat(),
                row["sent"],
                row["answered"],
                hidden_label(row, row["floor"]) if row["suppressed"] else row["rate"],
            ]
            for row in rows
        ],
    )


def participation_figure(rows: Sequence[dict]) -> Figure:
    labels = [_text(row["label"]) for row in rows]
    figure = _figure()
    figure["data"].append(
        {
            "type": "bar",
            "x": labels,
            "y": [row["rate"] for row in rows],
            "customdata": [[row["sent"], row["answered"]] for row in rows],
            "name": "Participation",
            "marker": {"color": BAR_COLOUR},
            "hovertemplate": (
                "%{x}<br>%{y}% answered (%{customdata[1]} of %{customdata[0]} invited)"
                "<extra></extra>"
            ),
        }
    )
    hidden = [
        (label, row)
        for label, row in zip(labels, rows, strict=True)
        if row["suppressed"]
    ]
    _gap_bars(
        figure,
        [label for label, _ in hidden],
        [f"{label}: {hidden_label(row, row['floor'])}" for label, row in hidden],
        top=100,
        text="hidden",
        name="Hidden to protect anonymity (hover for why)",
    )
    figure["layout"]["barmode"] = "overlay"
    _axes(figure, "yaxis", title={"text": "Participation (%)"}, range=[0, 100])
    _axes(figure, "xaxis", type="category", title={"text": "Round"}, automargin=True)
    return figure


def commenters_table(rounds: Sequence) -> Table:
    """Rows of `comments.comment_rounds` (`RoundComments`), newest first: per round,
    how many people wrote a comment, or why the round is hidden, and the teams
    merged in beyond the view's own ("Also counts")."""
    table = Table(
        ["Survey", "Starts", "People who wrote a comment"],
        [
            [row.survey, row.starts_on.isoformat(), row.reason if row.hidden else row.n]
            for row in rounds
        ],
    )
    return with_covers(table, [{"covers": row.covers} for row in rounds])


def team_participation_table(rows: Sequence[dict]) -> Table:
    """Rows of `participation.team_participation`: one per cell and round."""
    return Table(
        ["Round", "Team", "Invited", "Answered", "Participation (%)"],
        [
            [
                row["label"],
                row["team_name"],
                row["sent"],
                row["answered"],
                hidden_label(row, row["floor"]) if row["suppressed"] else row["rate"],
            ]
            for row in rows
        ],
    )


def team_participation_figure(rows: Sequence[dict]) -> Figure:
    """Teams down, rounds across, the share answered in each cell; a hidden cell
    is empty and says why on hover."""
    rounds = list(dict.fromkeys(row["label"] for row in rows))
    teams = list(dict.fromkeys((row["team"], row["team_name"]) for row in rows))
    cell = {(row["team"], row["label"]): row for row in rows}
    z, text, hover = [], [], []
    for team, _ in teams:
        found = [cell.get((team, label)) for label in rounds]
        z.append([None if r is None or r["suppressed"] else r["rate"] for r in found])
        text.append(
            ["" if r is None or r["suppressed"] else f"{r['rate']:g}" for r in found]
        )
        hover.append(
            [
                ""
                if r is None
                else hidden_label(r, r["floor"])
                if r["suppressed"]
                else f"{r['answered']} of {r['sent']} answered"
                for r in found
            ]
        )
    figure = _figure()
    figure["data"].append(
        {
            "type": "heatmap",
            "x": [_wrap(label) for label in rounds],
            "y": [_wrap(label, ROW_LABEL) for label in _unique(n for _, n in teams)],
            "z": z,
            "text": text,
            "customdata": hover,
            "texttemplate": "%{text}",
            "zmin": 0,
            "zmax": 100,
            "colorscale": BLUES,
            "hoverongaps": False,
            "colorbar": {"title": {"text": "Answered (%)"}},
            "hovertemplate": "%{y}, %{x}<br>%{customdata}<extra></extra>",
        }
    )
    return _teams_down(figure, len(teams), len(rounds))


# --- Drivers by team ----------------------------------------------------------------


def driver_table(rows: Sequence[dict], *, floor: int) -> Table:
    names = dict(Question.Driver.choices)
    return Table(
        ["Team", "Driver", "Respondents", "Mean score (1-5)", "Rounds"],
        [
            [
                row["team_name"],
                names.get(row["driver"], row["driver"]),
                *cells,
                row.get("rounds", ""),
            ]
            for row in rows
            for cells in [_cells(row, "mean", floor)]
        ],
    )


def driver_figure(rows: Sequence[dict], *, floor: int) -> Figure:
    """Teams down, drivers across, the mean 1-5 score in each cell; a hidden team
    is an empty row whose label says why."""
    names = dict(Question.Driver.choices)
    drivers = [d for d in names if any(row["driver"] == d for row in rows)]
    teams = list(dict.fromkeys(row["team"] for row in rows))
    first = {}
    for row in rows:
        first.setdefault(row["team"], row)
    labels = _unique(
        f"{first[team]['team_name']} ({hidden_label(first[team], floor)})"
        if first[team]["suppressed"]
        else first[team]["team_name"]
        for team in teams
    )
    cell = {(row["team"], row["driver"]): row["mean"] for row in rows}
    z = [[cell.get((team, driver)) for driver in drivers] for team in teams]
    figure = _figure()
    figure["data"].append(
        {
            "type": "heatmap",
            "x": [_wrap(names[d]) for d in drivers],
            "y": [_wrap(label, ROW_LABEL) for label in labels],
            "z": z,
            "text": [["" if v is None else f"{v:.2f}" for v in line] for line in z],
            "texttemplate": "%{text}",
            "zmin": 1,
            "zmax": 5,
            "colorscale": RED_BLUE,
            "hoverongaps": False,
            "colorbar": {"title": {"text": "Mean (1-5)"}},
            "hovertemplate": "%{y}<br>%{x}: %{z:.2f} of 5<extra></extra>",
        }
    )
    return _teams_down(figure, len(teams), len(drivers))


# --- Concerns: weekly flow and on-time share -----------------------------------------

# The stacked bars: the backlog at each week's end, then what closed during it.
FLOW = (
    ("open", "Open, not overdue", BAR_COLOUR),
    ("overdue", "Overdue", "#b02a37"),
    ("resolved", "Resolved", "#198754"),
    ("declined", "Declined", "#6c757d"),
)


def flow_table(rows: Sequence[dict]) -> Table:
    return Table(
        [
            "Week",
            "Raised",
            "Open at the week's end, not overdue",
            "Overdue at the week's end",
            "Resolved",
            "Declined",
        ],
        [
            [
                row["week"].isoformat(),
                row["raised"],
                *(row[key] for key, _, _ in FLOW),
            ]
            for row in rows
        ],
    )


def flow_figure(rows: Sequence[dict], *, events: Iterable[Event]) -> Figure:
    """Per week, stacked: the concerns open at its end (overdue apart) and those
    resolved or declined during it; the concerns raised as a line; the rollout
    events as dotted lines with a marker each."""
    figure = _figure(barmode="stack")
    weeks = [row["week"].isoformat() for row in rows]
    for key, label, colour in FLOW:
        figure["data"].append(
            {
                "type": "bar",
                "x": weeks,
                "y": [row[key] for row in rows],
                "name": label,
                "marker": {"color": colour, "line": {"color": "#fff", "width": 1}},
                "hovertemplate": (
                    f"Week of %{{x|%-d %b %Y}}<br>{label}: %{{y}}<extra></extra>"
                ),
            }
        )
    figure["data"].append(
        {
            "type": "scatter",
            "x": weeks,
            "y": [row["raised"] for row in rows],
            "name": "Raised",
            "mode": "lines+markers",
            "line": {"color": "#212529"},
            "hovertemplate": "Week of %{x|%-d %b %Y}<br>Raised: %{y}<extra></extra>",
        }
    )
    _draw_events(figure, events)
    _axes(figure, "xaxis", type="date", title={"text": "Week"})
    _axes(figure, "yaxis", title={"text": "Concerns"}, rangemode="tozero")
    return figure


def on_time_table(rows: Sequence[dict], *, heading: str) -> Table:
    """Rows with `label`, `total`, `due`, `on_time` and `on_time_pct`."""
    return Table(
        [heading, "Concerns", "Due by now", "Answered by the due time", "On time (%)"],
        [
            [row["label"], row["total"], row["due"], row["on_time"], row["on_time_pct"]]
            for row in rows
        ],
    )


def on_time_figure(rows: Sequence[dict], *, heading: str) -> Figure:
    """A bar per label with its share on time, the figure written on it so 0% reads
    as 0%; a label with nothing due has no share (None) and a hatched "no data"
    bar instead."""
    labels = [_text(label) for label in _unique(row["label"] for row in rows)]
    values = [row["on_time_pct"] if row["due"] else None for row in rows]
    figure = _figure(barmode="overlay")
    figure["data"].append(
        {
            "type": "bar",
            "x": labels,
            "y": values,
            "customdata": [[row["on_time"], row["due"]] for row in rows],
            "name": "Answered by the due time",
            "marker": {"color": BAR_COLOUR},
            "text": ["" if value is None else f"{value:g}%" for value in values],
            "textposition": "outside",
            "cliponaxis": False,
            "hovertemplate": (
                "%{x}<br>%{y}% answered by the due time "
                "(%{customdata[0]} of %{customdata[1]} due)<extra></extra>"
            ),
        }
    )
    missing = [
        label for label, value in zip(labels, values, strict=True) if value is None
    ]
    _gap_bars(
        figure,
        missing,
        [f"{label}: {NO_DATA}, nothing was due yet" for label in missing],
        top=100,
    )
    _axes(figure, "yaxis", title={"text": "On time (%)"}, range=[0, 100])
    _axes(figure, "xaxis", type="category", title={"text": heading}, automargin=True)
    return figure


# --- Shared pieces ------------------------------------------------------------------


def _colourway() -> list[str]:
    return ["#0a58ca", "#6f42c1", "#146c43", "#b02a37"]


def _figure(**layout) -> Figure:
    """An empty figure in Bootstrap's look, with `layout` on top."""
    return {"data": [], "layout": {**_layout(), **layout}}


def _layout() -> dict:
    # The "none" template (as plotly.py writes it out) keeps each figure's JSON
    # small; Bootstrap's look instead. The legend sits above the plot: below it,
    # it ran into the axis title.
    return {
        "template": {"data": {"scatter": [{"type": "scatter"}]}},
        "height": 360,
        "margin": {"l": 64, "r": 64, "t": 24, "b": 48},
        "font": {"family": "system-ui, -apple-system, 'Segoe UI', sans-serif"},
        "colorway": _colourway(),
        "legend": {
            "orientation": "h",
            "x": 0,
            "xanchor": "left",
            "y": 1.02,
            "yanchor": "bottom",
        },
        "hovermode": "closest",
    }


def _axes(figure: Figure, axis: str, **settings) -> None:
    """Merge `settings` into one axis of the figure's layout ("xaxis", "yaxis");
    the overlay axis of marks and events (`HIDDEN_AXIS`) keeps its own."""
    figure["layout"].setdefault(axis, {}).update(settings)


# A heatmap column needs this much room for its label and a cell's figure to be
# read; a narrower screen scrolls the chart sideways instead of squeezing it.
COLUMN_WIDTH = 84
LABELS_WIDTH = 200
ROW_LABEL = 20  # characters on a line of a heatmap's row label (a team's name)


def _teams_down(figure: Figure, teams: int, columns: int) -> Figure:
    """A heatmap's layout with one row per team, top to bottom, its columns
    labelled above (wrapped, never cut), tall enough for every team's name and
    wide enough for every column (`meta.min_width`, in CSS pixels, which the page
    scrolls sideways on a narrow screen)."""
    _axes(figure, "yaxis", autorange="reversed", type="category", automargin=True)
    _axes(figure, "xaxis", type="category", side="top", automargin=True, tickangle=0)
    for trace in figure["data"]:
        trace["textfont"] = {"size": 13}
    figure["layout"]["height"] = max(320, 120 + 40 * teams)
    figure["layout"]["meta"] = {"min_width": LABELS_WIDTH + COLUMN_WIDTH * columns}
    return figure


def _overlay_axis(figure: Figure) -> None:
    figure["layout"]["yaxis3"] = {
        "overlaying": "y",
        "visible": False,
        "range": [0, 1],
        "fixedrange": True,
    }


def _hidden_marks(figure: Figure, x: list[str], texts: list[str], floor: int) -> None:
    if not x:
        return
    figure["data"].append(
        {
            "type": "scatter",
            "x": x,
            "y": [0.04] * len(x),
            "yaxis": HIDDEN_AXIS,
            "mode": "markers",
            "marker": {"symbol": "x-thin-open", "size": 10, "color": HIDDEN_COLOUR},
            "name": "Hidden to protect anonymity (hover for why)",
            "hovertext": [_text(text) for text in texts],
            "hoverinfo": "text",
        }
    )
    _overlay_axis(figure)


def _gap_bars(
    figure: Figure,
    labels: list[str],
    hovers: list[str],
    *,
    top: float,
    text: str = NO_DATA,
    name: str = "No data (hover for why)",
    horizontal: bool = False,
) -> None:
    """A hatched grey bar the full height of the axis, saying `text`, for each label
    without a figure: a gap that cannot be read as a bar of 0. The labels' own
    values stay None."""
    if not labels:
        return
    heights = [top] * len(labels)
    figure["data"].append(
        {
            "type": "bar",
            "x": heights if horizontal else labels,
            "y": labels if horizontal else heights,
            "orientation": "h" if horizontal else "v",
            "name": name,
            "marker": {
                "color": NO_DATA_FILL,
                "line": {"color": NO_DATA_HATCH, "width": 1},
                "pattern": {"shape": "/", "fgcolor": NO_DATA_HATCH, "size": 8},
            },
            "text": [text] * len(labels),
            "textposition": "inside",
            "insidetextanchor": "middle",
            "textangle": 0 if horizontal else -90,
            "textfont": {"color": NO_DATA_TEXT, "size": 12},
            "hovertext": [_text(hover) for hover in hovers],
            "hoverinfo": "text",
        }
    )


def _draw_events(figure: Figure, events: Iterable[Event]) -> None:
    """A dotted line per day with events and a marker atop it whose hover says
    them in full (the page's list below the charts says them too). No text is
    written on the chart: labels of close days ran over each other and out of
    the plot."""
    by_day: dict[dt.date, list[str]] = {}
    for event in events:
        by_day.setdefault(event.day, []).append(event.label)
    if not by_day:
        return
    figure["layout"].setdefault("shapes", []).extend(
        {
            "type": "line",
            "xref": "x",
            "yref": "paper",
            "x0": day.isoformat(),
            "x1": day.isoformat(),
            "y0": 0,
            "y1": 1,
            "line": {"color": EVENT_COLOUR, "width": 1, "dash": "dot"},
        }
        for day in by_day
    )
    figure["data"].append(
        {
            "type": "scatter",
            "x": [day.isoformat() for day in by_day],
            "y": [0.97] * len(by_day),
            "yaxis": HIDDEN_AXIS,
            "mode": "markers",
            "marker": {
                "symbol": "triangle-down",
                "size": 12,
                "color": EVENT_COLOUR,
                "line": {"color": "#fff", "width": 1},
            },
            "cliponaxis": False,
            "name": EVENTS,
            "hovertext": [
                _text(f"{_day(day)}: {'; '.join(labels)}")
                for day, labels in by_day.items()
            ],
            "hoverinfo": "text",
        }
    )
    _overlay_axis(figure)


def _wrap(label: str, width: int = 10) -> str:
    """A column label on lines of about `width` characters (escaped, joined by
    <br>), so a heatmap's column headers stay whole without being turned."""
    lines: list[str] = []
    for word in label.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "<br>".join(_text(line) for line in lines) or _text(label)


def _text(value: str) -> str:
    return html.escape(value, quote=False)


def _local_day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"


def _unique(labels: Iterable[str]) -> list[str]:
    """Labels made distinct (a category axis would merge two equal ones)."""
    seen: dict[str, int] = {}
    result = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        result.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return result
