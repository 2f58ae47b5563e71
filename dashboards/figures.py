"""Plotly figures and their tables, built from metric rows: pure functions, no
database. A chart, its accessible table and its CSV come from the same rows, so
they cannot disagree, and a row hidden by the anonymity floor shows its label in
all three and its figure in none (the metric has already blanked it).

User-written text (team names, update titles) is escaped before it reaches
Plotly, whose labels understand a few HTML tags.
"""

from __future__ import annotations

import datetime as dt
import html
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import plotly.graph_objects as go
import plotly.io as pio
from django.utils import timezone

from dashboards import suppression
from dashboards.events import Event
from surveys.models import Question

HIDDEN_COLOUR = "#6c757d"
EVENT_COLOUR = "#b35c00"
HIDDEN_AXIS = "y3"  # an invisible overlay axis: a hidden point's height means nothing


@dataclass(frozen=True)
class Table:
    """The numbers a chart shows, as rows of cells (the HTML table and the CSV)."""

    columns: list[str]
    rows: list[list[object]]


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


def figure_data(figure: go.Figure) -> dict:
    """The figure as plain JSON data, for `json_script` in a template."""
    return json.loads(pio.to_json(figure, validate=False))


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
) -> go.Figure:
    """Up to two lines on one week axis (the second on its own right-hand axis),
    hidden weeks as grey marks, and the rollout events as labelled lines."""
    figure = go.Figure(layout=_layout())
    for index, one in enumerate(series[:2]):
        axis = "y" if index == 0 else "y2"
        shown = [row for row in one.rows if not row["suppressed"]]
        figure.add_trace(
            go.Scatter(
                x=[row["week"].isoformat() for row in one.rows],
                y=[row[one.field] for row in one.rows],
                customdata=[row["n"] for row in one.rows],
                name=one.name,
                yaxis=axis,
                mode="lines+markers" if shown else "markers",
                connectgaps=False,
                hovertemplate=(
                    f"Week of %{{x|%-d %b %Y}}<br>{one.name}: %{{y}}{one.unit}"
                    "<br>%{customdata} respondents<extra></extra>"
                ),
            )
        )
        settings = {"title": {"text": one.name}, "range": [one.low, one.high]}
        if index:
            settings.update(overlaying="y", side="right", showgrid=False)
        figure.update_layout({"yaxis2" if index else "yaxis": settings})
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
    figure.update_xaxes(type="date", title_text="Week")
    return figure


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


def participation_figure(rows: Sequence[dict]) -> go.Figure:
    labels = [_text(row["label"]) for row in rows]
    figure = go.Figure(layout=_layout())
    figure.add_trace(
        go.Bar(
            x=labels,
            y=[row["rate"] for row in rows],
            customdata=[[row["sent"], row["answered"]] for row in rows],
            name="Participation",
            marker_color="#0d6efd",
            hovertemplate=(
                "%{x}<br>%{y}% answered (%{customdata[1]} of %{customdata[0]} invited)"
                "<extra></extra>"
            ),
        )
    )
    hidden = [
        (label, row)
        for label, row in zip(labels, rows, strict=True)
        if row["suppressed"]
    ]
    _hidden_marks(
        figure,
        [label for label, _ in hidden],
        [f"{label}: {hidden_label(row, row['floor'])}" for label, row in hidden],
        min((row["floor"] for _, row in hidden), default=0),
    )
    figure.update_yaxes(title_text="Participation (%)", range=[0, 100])
    figure.update_xaxes(type="category", title_text="Round", automargin=True)
    return figure


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


def team_participation_figure(rows: Sequence[dict]) -> go.Figure:
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
    figure = go.Figure(layout=_layout())
    figure.add_trace(
        go.Heatmap(
            x=[_text(label) for label in rounds],
            y=[_text(label) for label in _unique(name for _, name in teams)],
            z=z,
            text=text,
            customdata=hover,
            texttemplate="%{text}",
            zmin=0,
            zmax=100,
            colorscale="Blues",
            hoverongaps=False,
            colorbar={"title": {"text": "Answered (%)"}},
            hovertemplate="%{y}, %{x}<br>%{customdata}<extra></extra>",
        )
    )
    return _teams_down(figure, len(teams))


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


def driver_figure(rows: Sequence[dict], *, floor: int) -> go.Figure:
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
    figure = go.Figure(layout=_layout())
    figure.add_trace(
        go.Heatmap(
            x=[names[d] for d in drivers],
            y=[_text(label) for label in labels],
            z=z,
            text=[["" if v is None else f"{v:.2f}" for v in line] for line in z],
            texttemplate="%{text}",
            zmin=1,
            zmax=5,
            colorscale="RdBu",
            hoverongaps=False,
            colorbar={"title": {"text": "Mean (1-5)"}},
            hovertemplate="%{y}<br>%{x}: %{z:.2f} of 5<extra></extra>",
        )
    )
    return _teams_down(figure, len(teams))


# --- Concerns: weekly flow and on-time share -----------------------------------------

# The stacked bars: the backlog at each week's end, then what closed during it.
FLOW = (
    ("open", "Open, not overdue", "#0d6efd"),
    ("overdue", "Overdue", "#dc3545"),
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


def flow_figure(rows: Sequence[dict], *, events: Iterable[Event]) -> go.Figure:
    """Per week, stacked: the concerns open at its end (overdue apart) and those
    resolved or declined during it; the concerns raised as a line; the rollout
    events as labelled lines."""
    figure = go.Figure(layout=_layout())
    weeks = [row["week"].isoformat() for row in rows]
    for key, label, colour in FLOW:
        figure.add_trace(
            go.Bar(
                x=weeks,
                y=[row[key] for row in rows],
                name=label,
                marker_color=colour,
                hovertemplate=(
                    f"Week of %{{x|%-d %b %Y}}<br>{label}: %{{y}}<extra></extra>"
                ),
            )
        )
    figure.add_trace(
        go.Scatter(
            x=weeks,
            y=[row["raised"] for row in rows],
            name="Raised",
            mode="lines+markers",
            line={"color": "#212529"},
            hovertemplate="Week of %{x|%-d %b %Y}<br>Raised: %{y}<extra></extra>",
        )
    )
    figure.update_layout(barmode="stack")
    _draw_events(figure, events)
    figure.update_xaxes(type="date", title_text="Week")
    figure.update_yaxes(title_text="Concerns", rangemode="tozero")
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


def on_time_figure(rows: Sequence[dict], *, heading: str) -> go.Figure:
    labels = [_text(label) for label in _unique(row["label"] for row in rows)]
    figure = go.Figure(layout=_layout())
    figure.add_trace(
        go.Bar(
            x=labels,
            y=[row["on_time_pct"] for row in rows],
            customdata=[[row["on_time"], row["due"]] for row in rows],
            name="Answered by the due time",
            marker_color="#0d6efd",
            hovertemplate=(
                "%{x}<br>%{y}% answered by the due time "
                "(%{customdata[0]} of %{customdata[1]} due)<extra></extra>"
            ),
        )
    )
    figure.update_yaxes(title_text="Answered by the due time (%)", range=[0, 100])
    figure.update_xaxes(type="category", title_text=heading, automargin=True)
    return figure


# --- Shared pieces ------------------------------------------------------------------


def _layout() -> go.Layout:
    # The "none" template keeps each figure's JSON small; Bootstrap's look instead.
    return go.Layout(
        template="none",
        height=360,
        margin={"l": 64, "r": 64, "t": 24, "b": 48},
        font={"family": "system-ui, -apple-system, 'Segoe UI', sans-serif"},
        colorway=["#0d6efd", "#6f42c1", "#198754", "#dc3545"],
        legend={"orientation": "h", "y": -0.2},
        hovermode="closest",
    )


def _teams_down(figure: go.Figure, teams: int) -> go.Figure:
    """A heatmap's layout with one row per team, top to bottom, its columns
    labelled above, tall enough for every team's name."""
    figure.update_yaxes(autorange="reversed", type="category", automargin=True)
    figure.update_xaxes(type="category", side="top")
    figure.update_layout(height=max(320, 90 + 34 * teams))
    return figure


def _hidden_marks(
    figure: go.Figure, x: list[str], texts: list[str], floor: int
) -> None:
    if not x:
        return
    figure.add_trace(
        go.Scatter(
            x=x,
            y=[0.04] * len(x),
            yaxis=HIDDEN_AXIS,
            mode="markers",
            marker={"symbol": "x-thin-open", "size": 10, "color": HIDDEN_COLOUR},
            name="Hidden to protect anonymity (hover for why)",
            hovertext=[_text(text) for text in texts],
            hoverinfo="text",
        )
    )
    figure.update_layout(
        yaxis3={
            "overlaying": "y",
            "visible": False,
            "range": [0, 1],
            "fixedrange": True,
        }
    )


def _draw_events(figure: go.Figure, events: Iterable[Event]) -> None:
    """A dotted line per day with events, labelled with them (shortened; the
    hover text and the page's list below the charts say them in full)."""
    by_day: dict[dt.date, list[str]] = {}
    for event in events:
        by_day.setdefault(event.day, []).append(event.label)
    for day, labels in by_day.items():
        text = "; ".join(labels)
        figure.add_shape(
            type="line",
            xref="x",
            yref="paper",
            x0=day.isoformat(),
            x1=day.isoformat(),
            y0=0,
            y1=1,
            line={"color": EVENT_COLOUR, "width": 1, "dash": "dot"},
        )
        figure.add_annotation(
            x=day.isoformat(),
            xref="x",
            y=1,
            yref="paper",
            text=_text(text if len(text) <= 40 else text[:39] + "…"),
            textangle=-90,
            xanchor="right",
            yanchor="top",
            showarrow=False,
            font={"size": 10, "color": EVENT_COLOUR},
            hovertext=_text(f"{_day(day)}: {text}"),
        )


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
