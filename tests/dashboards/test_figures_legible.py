"""The figures read on a phone and a desktop: rollout events as markers (their text
on hover, never stacked on the chart), eNPS with its zero where zero is, heatmap
labels wrapped and wide enough to read, the legend clear of the axis titles, and a
figure that is missing shown as "no data", never as 0. Pure functions: no database.
"""

from __future__ import annotations

import datetime as dt

from django.template.loader import render_to_string

from dashboards import figures, tool_figures
from dashboards.events import Event
from dashboards.figures import EVENTS, NO_DATA, Series

MONDAYS = [dt.date(2026, 3, 2) + dt.timedelta(weeks=n) for n in range(4)]


def weekly(field: str, values: list[float | None]) -> list[dict]:
    return [
        {"week": week, "n": 8, "suppressed": value is None, field: value}
        for week, value in zip(MONDAYS, values, strict=True)
    ]


def sentiment_and_enps() -> list[Series]:
    return [
        Series(
            "Sentiment index (0-100)",
            "index",
            weekly("index", [60, 62, 58, 65]),
            0,
            100,
        ),
        Series("eNPS", "enps", weekly("enps", [-20, 5, None, 12]), -100, 100),
    ]


EVENTS_ON_TWO_CLOSE_DAYS = [
    Event(dt.date(2026, 3, 4), "live", "Support Copilot live"),
    Event(dt.date(2026, 3, 4), "update", "Policy update: a long title " * 3),
    Event(dt.date(2026, 3, 5), "live", "Meeting Summariser live"),
]


def test_rollout_events_are_one_marker_trace_with_their_text_on_hover():
    figure = figures.trend_figure(
        sentiment_and_enps(), events=EVENTS_ON_TWO_CLOSE_DAYS, floor=5
    )

    markers = [trace for trace in figure["data"] if trace["name"] == EVENTS]
    assert len(markers) == 1
    assert markers[0]["mode"] == "markers"
    assert list(markers[0]["x"]) == ["2026-03-04", "2026-03-05"]
    # The whole text, never shortened: it is read on hover, not printed.
    assert markers[0]["hovertext"][0] == (
        "4 Mar 2026: Support Copilot live; " + "Policy update: a long title " * 3
    )
    assert markers[0]["hoverinfo"] == "text"
    # Nothing about the events is written on the chart, where labels stacked up.
    notes = [note["text"] for note in figure["layout"].get("annotations", ())]
    assert not [note for note in notes if "live" in note or "Policy" in note]
    assert [shape["x0"] for shape in figure["layout"]["shapes"]] == [
        "2026-03-04",
        "2026-03-05",
    ]


def test_a_chart_without_events_has_no_event_trace():
    figure = figures.trend_figure(sentiment_and_enps(), events=[], floor=5)

    assert EVENTS not in [trace["name"] for trace in figure["data"]]


def test_enps_has_its_own_zero_line_where_zero_is_on_its_axis():
    layout = figures.trend_figure(sentiment_and_enps(), events=[], floor=5)["layout"]

    enps = layout["yaxis2"]
    assert list(enps["range"]) == [-100, 100]
    assert enps["zeroline"] is True
    assert enps["tick0"] == 0 and enps["dtick"] == 50  # 0 is a labelled tick
    # The left axis (0-100) draws no zero line of its own mid-chart.
    assert layout["yaxis"]["zeroline"] is False
    (label,) = [n for n in layout["annotations"] if n["text"] == "eNPS 0"]
    assert label["yref"] == "y2" and label["y"] == 0


def test_a_hidden_week_of_enps_is_none_not_zero():
    figure = figures.trend_figure(sentiment_and_enps(), events=[], floor=5)

    assert figure["data"][1]["y"] == [-20, 5, None, 12]


def test_the_legend_sits_above_the_plot_clear_of_the_axis_title():
    rows = [
        {
            "tool_name": "Drafter",
            "n": 12,
            "suppressed": False,
            "correct": 50.0,
            "mostly_correct": 25.0,
            "incorrect": 25.0,
        }
    ]
    layout = tool_figures.accuracy_figure(rows, floor=5)["layout"]

    assert layout["legend"]["yanchor"] == "bottom"
    assert layout["legend"]["y"] > 1  # above the plot; the x title is below it


def on_time(label: str, due: int, on_time: int) -> dict:
    return {
        "label": label,
        "total": due,
        "due": due,
        "on_time": on_time,
        "on_time_pct": round(100 * on_time / due, 1) if due else None,
    }


def test_nothing_due_is_no_data_apart_from_a_share_of_zero():
    rows = [on_time("Workload", 4, 0), on_time("Job security", 0, 0)]

    figure = figures.on_time_figure(rows, heading="Category")

    bars, gaps = figure["data"]
    assert list(bars["y"]) == [0.0, None]  # 0% stays 0; nothing due is None
    assert list(bars["text"]) == ["0%", ""]  # a 0 says so on its bar
    assert gaps["name"].startswith("No data")
    assert list(gaps["x"]) == ["Job security"]
    assert list(gaps["text"]) == [NO_DATA]
    assert NO_DATA in gaps["hovertext"][0]
    assert gaps["marker"]["pattern"]["shape"] == "/"  # hatched, unlike any bar


def test_a_round_hidden_by_the_floor_is_a_hatched_gap_saying_so():
    rows = [
        {
            "label": label,
            "survey": "Pulse",
            "starts": MONDAYS[0],
            "sent": 10,
            "answered": answered,
            "rate": None if hidden else 50.0,
            "suppressed": hidden,
            "floor": 5,
        }
        for label, answered, hidden in (("Round 1", 5, False), ("Round 2", 2, True))
    ]

    figure = figures.participation_figure(rows)

    assert figure["data"][0]["y"] == [50.0, None]
    gaps = figure["data"][1]
    assert gaps["x"] == ["Round 2"] and gaps["text"] == ["hidden"]
    assert "fewer than 5" in gaps["hovertext"][0]


def test_a_hidden_tool_keeps_its_label_with_a_gap_not_a_bar_of_zero():
    rows = [
        {
            "tool_name": name,
            "n": n,
            "suppressed": hidden,
            "correct": None if hidden else 50.0,
            "mostly_correct": None if hidden else 50.0,
            "incorrect": None if hidden else 0.0,
        }
        for name, n, hidden in (("Drafter", 12, False), ("Pilot", 2, True))
    ]

    figure = tool_figures.accuracy_figure(rows, floor=5)

    assert [trace["x"] for trace in figure["data"][:3]] == [
        [50.0, None],
        [50.0, None],
        [0.0, None],
    ]
    gaps = figure["data"][3]
    assert gaps["orientation"] == "h" and gaps["x"] == [100]
    assert gaps["y"][0].startswith("Pilot (")


def team_cells(teams: list[str], rounds: list[str]) -> list[dict]:
    return [
        {
            "team": index,
            "team_name": name,
            "label": label,
            "rate": 80.0,
            "answered": 8,
            "sent": 10,
            "suppressed": False,
            "floor": 5,
        }
        for index, name in enumerate(teams)
        for label in rounds
    ]


def test_heatmap_labels_are_wrapped_whole_and_the_chart_asks_for_room():
    teams = ["Account Management + Sales Development", "Data"]
    rounds = ["Pulse survey, 5 Oct 2026", "Pulse survey, 12 Oct 2026", "Pilot"]

    figure = figures.team_participation_figure(team_cells(teams, rounds))
    layout = figure["layout"]

    heatmap = figure["data"][0]
    # Every word of every label is there, on lines short enough not to be cut.
    assert [x.replace("<br>", " ") for x in heatmap["x"]] == rounds
    assert [y.replace("<br>", " ") for y in heatmap["y"]] == teams
    assert all(len(line) <= 12 for x in heatmap["x"] for line in x.split("<br>"))
    assert all(len(line) <= 20 for y in heatmap["y"] for line in y.split("<br>"))
    assert layout["xaxis"]["automargin"] is True
    assert layout["xaxis"]["tickangle"] == 0
    assert layout["meta"]["min_width"] == (
        figures.LABELS_WIDTH + figures.COLUMN_WIDTH * len(rounds)
    )
    assert heatmap["textfont"]["size"] >= 12  # a cell's figure reads on a phone


def test_a_label_is_escaped_before_it_is_wrapped():
    assert (
        figures._wrap("<b>Ops</b> & Data team")
        == "&lt;b&gt;Ops&lt;/b&gt;<br>&amp; Data<br>team"
    )


def test_a_missing_cell_reads_as_a_dash_with_a_note_in_the_table():
    table = figures.Table(["Owner", "On time (%)"], [["Ana", 0.0], ["Ben", None]])
    chart = {
        "name": "on_time_owner",
        "title": "Answered by the due time, per owner",
        "explanation": "",
        "table": table,
        "figure": None,
        "csv_url": "/x.csv",
        "empty": "",
    }

    html = render_to_string("dashboards/_chart.html", {"chart": chart})

    assert "<td>0.0</td>" in html  # a real zero stays a zero
    assert '<td>—<span class="visually-hidden"> no data</span></td>' in html
    assert 'data-testid="gaps-on_time_owner"' in html
    # The table scrolls sideways on a phone: the keyboard can reach it, by name.
    assert (
        'class="table-responsive" tabindex="0" role="region" '
        'aria-label="Answered by the due time, per owner: the numbers"'
    ) in html


def test_a_table_without_gaps_has_no_note():
    chart = {
        "name": "c",
        "title": "T",
        "explanation": "",
        "table": figures.Table(["A"], [[1]]),
        "figure": None,
        "csv_url": "",
        "empty": "",
    }

    assert "gaps-c" not in render_to_string("dashboards/_chart.html", {"chart": chart})


def test_table_rows_write_each_cell_as_the_template_would():
    """`{% table_rows %}` writes what `{{ cell }}` in a loop wrote: localised,
    escaped, a gap as a dash, a zero as a zero."""
    from django.template import Context, Template

    rows = [
        ["<b>Ops</b> & Data", 0, 0.0, None, 1234567, 12.5, -0.003],
        ["2026-03-02", True, 3, 66.7, "", "fewer than 5 responses", 10**20],
        [1e-05, 2.5e16, -0.0, float("nan"), 0.1 + 0.2, 7, 1e300],
        # Texts again (each escaped once, then reused), beside equal numbers.
        ["<b>Ops</b> & Data", "fewer than 5 responses", "", 1, True, 1.0, 0.0],
    ]
    by_loop = Template(
        "{% for row in rows %}<tr>{% for cell in row %}<td>{% if cell is None %}"
        '—<span class="visually-hidden"> no data</span>{% else %}{{ cell }}'
        "{% endif %}</td>{% endfor %}</tr>\n      {% endfor %}"
    ).render(Context({"rows": rows}))
    by_tag = Template("{% load dashboards %}{% table_rows table %}").render(
        Context({"table": figures.Table(["x"] * 7, rows)})
    )

    assert by_tag == by_loop
    assert "&lt;b&gt;Ops&lt;/b&gt; &amp; Data" in by_tag


def test_comment_items_write_each_comment_as_the_template_loop_did():
    """`{% comment_items %}` writes what the comments page's loop wrote: the text
    escaped with its line breaks, the tone's badge with the score to two places
    (rounded half up, as `floatformat`), or "Not scored", and the driver."""
    from django.template import Context, Template

    from dashboards.metrics.comments import Comment, Tone

    found = [
        Comment(
            "<b>Too</b> much & more\r\nsecond line\nthird", 0.125, Tone.POSITIVE, ""
        ),
        Comment("Fine.", -0.005, Tone.NEUTRAL, "Trust in leadership"),
        Comment("Bad", -0.9999, Tone.NEGATIVE, "Workload & <pace>"),
        Comment("Unscored", None, None, "Trust"),
        Comment("", 0.0, Tone.NEUTRAL, ""),
    ]
    by_loop = Template(
        "{% for comment in comments %}\n"
        '    <li class="list-group-item">\n'
        '      <p class="mb-1" data-testid="comment-text">'
        "{{ comment.text|linebreaksbr }}</p>\n"
        '      <div class="small">\n'
        '        {% if comment.tone %}<span class="badge {% if comment.tone == '
        "'positive' %}text-bg-success{% elif comment.tone == 'negative' %}"
        'text-bg-danger{% else %}text-bg-secondary{% endif %}" data-testid="tone">'
        '{{ comment.tone.label }} <span class="visually-hidden">sentiment, '
        "score </span>{{ comment.sentiment|floatformat:2 }}</span>{% else %}"
        '<span class="badge text-bg-light">Not scored</span>{% endif %}\n'
        '        {% if comment.driver %}<span class="badge text-bg-light border" '
        'data-testid="driver">{{ comment.driver }}</span>{% endif %}\n'
        "      </div>\n"
        "    </li>\n"
        "    {% endfor %}"
    ).render(Context({"comments": found}))
    by_tag = Template("{% load dashboards %}{% comment_items comments %}").render(
        Context({"comments": found})
    )

    assert by_tag == by_loop
    assert "&lt;b&gt;Too&lt;/b&gt; much &amp; more<br>second line<br>third" in by_tag
    assert "0.13</span>" in by_tag
