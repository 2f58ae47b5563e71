"""Every figure is plain data that plotly reads as written: plotly.py, validating
each property, accepts it and writes it back unchanged, and it is JSON as it
stands (the page serialises it once, with no encoder of its own). The overlay
axis of hidden weeks and rollout events keeps its 0-1 range whatever the chart's
own axis is. Pure functions: no database."""

from __future__ import annotations

import datetime as dt
import json

import plotly.graph_objects as go
import plotly.io as pio
import pytest

from dashboards import figures, tool_figures
from dashboards.events import Event
from dashboards.figures import HIDDEN_AXIS, Series

WEEKS = [dt.date(2026, 3, 2) + dt.timedelta(weeks=n) for n in range(4)]
EVENTS = [
    Event(WEEKS[1], "live", "Copilot <b>live</b>"),
    Event(WEEKS[1], "update", "Policy & more"),
    Event(WEEKS[3], "live", "Summariser live"),
]


def weekly(field: str, values: list, **more) -> list[dict]:
    return [
        {
            "week": week,
            "n": None if value is None else 8,
            field: value,
            "suppressed": value is None,
            "reason": "fewer than 5 responses" if value is None else "",
            **more,
        }
        for week, value in zip(WEEKS, values, strict=True)
    ]


def trend() -> dict:
    series = [
        Series("Index", "index", weekly("index", [60.0, None, 58.5, 61.0]), 0, 100),
        Series("eNPS", "enps", weekly("enps", [-20, 5, None, 12]), -100, 100),
    ]
    return figures.trend_figure(series, events=EVENTS, floor=5)


def participation() -> dict:
    rows = [
        {
            "label": label,
            "team": (str(team),),
            "team_name": f"Team <{team}>",
            "sent": None if hidden else 10,
            "answered": None if hidden else 6,
            "rate": None if hidden else 60.0,
            "suppressed": hidden,
            "reason": "fewer than 5 invitees" if hidden else "",
            "floor": 5,
        }
        for team in (1, 2)
        for label, hidden in (("2 Mar 2026", False), ("9 Mar 2026", team == 2))
    ]
    return figures.participation_figure(rows[:2]), figures.team_participation_figure(
        rows
    )


def drivers() -> dict:
    rows = [
        {
            "team": (str(team),),
            "team_name": f"T{team}",
            "driver": driver,
            "n": None if team == 2 else 9,
            "mean": None if team == 2 else 3.25,
            "suppressed": team == 2,
            "reason": "fewer than 5 responses" if team == 2 else "",
        }
        for team in (1, 2)
        for driver in ("trust", "workload")
    ]
    return figures.driver_figure(rows, floor=5)


def concerns() -> tuple:
    flow = [
        {
            "week": week,
            "raised": 3,
            "open": 2,
            "overdue": 1,
            "resolved": 1,
            "declined": 0,
        }
        for week in WEEKS
    ]
    on_time = [
        {"label": "Ana", "total": 3, "due": 3, "on_time": 0, "on_time_pct": 0.0},
        {"label": "Ben", "total": 1, "due": 0, "on_time": 0, "on_time_pct": None},
    ]
    return (
        figures.flow_figure(flow, events=EVENTS),
        figures.on_time_figure(on_time, heading="Owner"),
    )


def tools() -> tuple:
    hours = [
        {"tool": tool, "tool_name": name, "fte": 0.3, **row}
        for tool, name in ((1, "Copilot"), (2, "Any AI tool"))
        for row in weekly("hours", [12.5, None, 14.0, 9.5], per_person=1.5)
    ]
    accuracy = [
        {
            "tool": tool,
            "tool_name": "Drafter",
            "n": None if hidden else 16,
            "correct": None if hidden else 50.0,
            "mostly_correct": None if hidden else 25.0,
            "incorrect": None if hidden else 25.0,
            "suppressed": hidden,
            "reason": "",
        }
        for tool, hidden in ((1, False), (2, True))
    ]
    trend_rows = weekly(
        "correct", [50.0, None, 40.0, 30.0], mostly_correct=25.0, incorrect=25.0
    )
    for row in trend_rows:
        if row["suppressed"]:
            row.update(mostly_correct=None, incorrect=None)
    opened = [{"tool_name": "Copilot", "open": 3, "overdue": 1, "total": 7}]
    return (
        tool_figures.hours_figure(hours, events=EVENTS, floor=5),
        tool_figures.totals_figure(tool_figures.hours_totals(hours)),
        tool_figures.accuracy_figure(accuracy, floor=5),
        tool_figures.accuracy_trend_figure(trend_rows, events=EVENTS, floor=5),
        tool_figures.open_concerns_figure(opened),
    )


def every_figure() -> list[dict]:
    return [trend(), *participation(), drivers(), *concerns(), *tools()]


@pytest.mark.parametrize("index", range(len(every_figure())))
def test_plotly_accepts_each_figure_as_it_is_written(index):
    figure = every_figure()[index]

    written = json.loads(json.dumps(figure))  # plain JSON: no encoder needed
    validated = json.loads(pio.to_json(go.Figure(figure), validate=True))

    assert validated == written


def test_the_overlay_axis_of_marks_and_events_stays_from_0_to_1():
    for figure in every_figure():
        on_overlay = [t for t in figure["data"] if t.get("yaxis") == HIDDEN_AXIS]
        if on_overlay:
            overlay = figure["layout"]["yaxis3"]
            assert overlay["range"] == [0, 1], figure["layout"]
            assert "title" not in overlay and "rangemode" not in overlay
