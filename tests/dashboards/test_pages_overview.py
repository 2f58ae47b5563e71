"""The overview dashboard: what each role sees, the numbers behind each chart (in
the figure, the table and the CSV), the privacy engine's cells (a small team shown
merged with its sibling, and saying so), and the page's cost."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dashboards.figures import EVENTS
from dashboards.filters import Filters
from dashboards.metrics import pulse
from dashboards.privacy import MERGED_AWAY
from feedback.models import Update
from surveys.models import Answer, Question
from tests.dashboards.helpers import closed_round, invite, responses_in
from tests.org.factories import (
    AIToolFactory,
    DepartmentFactory,
    PersonFactory,
    TeamFactory,
)
from tests.surveys.factories import QuestionFactory, RoundFactory, SurveyFactory

pytestmark = pytest.mark.django_db

Kind = Question.Kind
WEEK_1 = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)  # a Monday
WEEK_2 = WEEK_1 + dt.timedelta(days=7)
WEEK_3 = WEEK_2 + dt.timedelta(days=7)
URL = "/dashboards/"


# --- Building blocks (also used by the other page tests) ---------------------------


def pulse_survey(min_group_size: int = 3, **fields) -> tuple:
    """A survey with two driver questions, an eNPS and a comment question; its
    comment threshold is its floor unless said."""
    fields.setdefault("comment_threshold", min_group_size)
    survey = SurveyFactory(min_group_size=min_group_size, **fields)
    questions = {
        "trust": QuestionFactory(survey=survey, driver="trust", position=1),
        "jobs": QuestionFactory(survey=survey, driver="job_security", position=2),
        "enps": QuestionFactory(survey=survey, kind=Kind.ENPS, driver="", position=3),
        "comment": QuestionFactory(
            survey=survey, kind=Kind.FREE_TEXT, driver="", required=False, position=4
        ),
    }
    return survey, questions


def respond(round_, team, questions, *, count=1, trust=4, jobs=4, enps=9, tone=None):
    """`count` identical responses from `team`, in two queries."""
    responses = responses_in(
        round_,
        count,
        team=team,
        department_id=team.department_id if team else None,
    )
    answers = []
    for response in responses:
        for key, value in (("trust", trust), ("jobs", jobs), ("enps", enps)):
            answers.append(
                Answer(
                    response=response,
                    question=questions[key],
                    number=Decimal(str(value)),
                )
            )
        if tone is not None:
            answers.append(
                Answer(
                    response=response,
                    question=questions["comment"],
                    text="Some words.",
                    sentiment=tone,
                )
            )
    Answer.objects.bulk_create(answers)


def figure_of(response, name: str) -> dict | None:
    match = re.search(
        rf'<script id="figure-{name}" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.DOTALL,
    )
    return json.loads(match.group(1)) if match else None


def csv_of(client, url: str) -> list[list[str]]:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


def section(response, name: str) -> str:
    match = re.search(
        rf'<section[^>]*data-testid="chart-{name}".*?</section>',
        response.content.decode(),
        re.DOTALL,
    )
    return match.group(0) if match else ""


def warnings_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def cell(value) -> str:
    return "" if value is None else str(value)


@pytest.fixture
def two_teams_two_weeks():
    survey, questions = pulse_survey()
    rounds = [closed_round(survey, at) for at in (WEEK_1, WEEK_2)]
    alpha, beta = TeamFactory(name="Alpha"), TeamFactory(name="Beta")
    respond(rounds[0], alpha, questions, count=4, trust=5, jobs=4, enps=10, tone=0.5)
    respond(rounds[0], beta, questions, count=3, trust=2, jobs=1, enps=3, tone=-0.6)
    respond(rounds[1], alpha, questions, count=5, trust=4, jobs=3, enps=6, tone=0.1)
    respond(rounds[1], beta, questions, count=4, trust=3, jobs=3, enps=9, tone=-0.2)
    return survey, questions, rounds, alpha, beta


# --- Who sees what ------------------------------------------------------------------


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_hr_sees_every_chart_with_the_metrics_numbers(
    two_teams_two_weeks, hr, signed_in
):
    response = signed_in(hr).get(URL)

    assert response.status_code == 200
    assert [chart.name for chart in response.context["charts"]] == [
        "sentiment",
        "participation",
        "team_participation",
        "drivers",
        "comments",
    ]
    index = pulse.sentiment_trend(Filters())
    enps = pulse.enps_trend(Filters())
    sentiment = figure_of(response, "sentiment")
    assert sentiment["data"][0]["x"] == ["2026-03-02", "2026-03-09"]
    assert sentiment["data"][0]["y"] == [row["index"] for row in index]
    assert sentiment["data"][1]["y"] == [row["enps"] for row in enps]
    assert sentiment["data"][1]["yaxis"] == "y2"
    heatmap = figure_of(response, "drivers")["data"][0]
    assert heatmap["y"] == ["Alpha", "Beta"]
    # Column headers are wrapped onto lines, never cut.
    assert [x.replace("<br>", " ") for x in heatmap["x"]] == ["Trust", "Job security"]
    assert heatmap["z"] == [[4.44, 3.44], [2.57, 2.14]]  # (4x5 + 5x4) / 9 = 4.44
    comments = figure_of(response, "comments")["data"][0]
    assert comments["y"] == [0.029, -0.033]  # (4 x 0.5 - 3 x 0.6) / 7 = 0.029


def test_a_leader_sees_only_the_teams_they_lead(two_teams_two_weeks, leader, signed_in):
    *_, alpha, beta = two_teams_two_weeks
    alpha.manager = leader
    alpha.save()

    response = signed_in(leader).get(URL)

    mine = pulse.sentiment_trend(Filters(teams=(alpha.pk,)))
    assert figure_of(response, "sentiment")["data"][0]["y"] == [
        row["index"] for row in mine
    ]
    assert figure_of(response, "drivers")["data"][0]["y"] == ["Alpha"]
    assert "Beta" not in response.content.decode()
    assert response.context["reach"] == "teams"


def test_a_leader_asking_for_another_team_gets_their_own_and_is_told(
    two_teams_two_weeks, leader, signed_in
):
    *_, alpha, beta = two_teams_two_weeks
    alpha.manager = leader
    alpha.save()
    client = signed_in(leader)

    response = client.get(f"{URL}?team={beta.pk}&department={beta.department_id}")

    assert response.status_code == 200
    notes = warnings_of(response)
    assert any("only the teams you lead" in note for note in notes)
    assert any("department filter was removed" in note for note in notes)
    assert response.context["filters"] == Filters(teams=(alpha.pk,))
    assert figure_of(response, "drivers")["data"][0]["y"] == ["Alpha"]
    rows = csv_of(client, f"{URL}?team={beta.pk}&csv=drivers")
    assert {row[0] for row in rows[1:]} == {"Alpha"}


def test_an_employee_sees_published_rounds_org_wide_and_no_team_cut(
    employee, signed_in
):
    survey, questions = pulse_survey()
    published = RoundFactory(
        survey=survey, starts_at=WEEK_1, closed_at=WEEK_1, results_published_at=WEEK_2
    )
    unpublished = RoundFactory(survey=survey, starts_at=WEEK_2, closed_at=WEEK_2)
    team = TeamFactory(name="Gamma")
    respond(published, team, questions, count=4, trust=5, jobs=5, tone=0.4)
    respond(unpublished, team, questions, count=4, trust=1, jobs=1, tone=-0.4)
    client = signed_in(employee)

    response = client.get(f"{URL}?team={team.pk}")

    assert [chart.name for chart in response.context["charts"]] == [
        "sentiment",
        "participation",
    ]
    assert figure_of(response, "sentiment")["data"][0]["x"] == ["2026-03-02"]
    assert figure_of(response, "sentiment")["data"][0]["y"] == [100.0]
    assert [row["round"] for row in response.context["publishable"]] == []
    participation = response.context["charts"][1].table.rows
    assert [row[2] for row in participation] == ["2026-03-02"]
    assert figure_of(response, "drivers") is None
    assert 'data-testid="chart-drivers"' not in response.content.decode()
    assert "Gamma" not in response.content.decode()
    assert any("organisation-wide only" in note for note in warnings_of(response))
    assert client.get(f"{URL}?csv=drivers").status_code == 404
    assert [row[0] for row in csv_of(client, f"{URL}?csv=sentiment")[1:]] == [
        "2026-03-02"
    ]


# --- CSV ----------------------------------------------------------------------------


def test_each_csv_holds_exactly_the_numbers_of_its_chart(
    two_teams_two_weeks, hr, signed_in
):
    client = signed_in(hr)
    index = pulse.sentiment_trend(Filters())
    enps = pulse.enps_trend(Filters())

    sentiment = csv_of(client, f"{URL}?csv=sentiment")

    assert sentiment[0] == [
        "Week",
        "Sentiment index (0-100): respondents",
        "Sentiment index (0-100)",
        "eNPS: respondents",
        "eNPS",
    ]
    assert sentiment[1:] == [
        [
            a["week"].isoformat(),
            str(a["n"]),
            str(a["index"]),
            str(b["n"]),
            cell(b["enps"]),
        ]
        for a, b in zip(index, enps, strict=True)
    ]
    drivers = csv_of(client, f"{URL}?csv=drivers")
    heatmap = pulse.driver_heatmap(Filters())
    names = dict(Question.Driver.choices)
    assert drivers[1:] == [
        [
            row["team_name"],
            names[row["driver"]],
            str(row["n"]),
            str(row["mean"]),
            "every round in view",
        ]
        for row in heatmap
    ]
    comments = csv_of(client, f"{URL}?csv=comments")
    trend = pulse.comment_sentiment_trend(Filters())
    assert [float(row[2]) for row in comments[1:]] == [r["sentiment"] for r in trend]


def test_participation_shows_rates_and_a_labelled_gap_for_a_small_round(hr, signed_in):
    survey, _ = pulse_survey()
    # Open rounds: participation is watched while a round runs.
    small = RoundFactory(survey=survey, starts_at=WEEK_1)
    full = RoundFactory(survey=survey, starts_at=WEEK_2)
    for _ in range(2):
        invite(small, answered=True)
    for answered in (True, True, False):
        invite(full, answered=answered)
    client = signed_in(hr)

    response = client.get(URL)

    bars = figure_of(response, "participation")["data"]
    assert bars[0]["x"] == ["2 Mar 2026", "9 Mar 2026"]
    assert bars[0]["y"] == [None, 66.7]
    assert bars[0]["customdata"] == [[None, None], [3, 2]]
    assert bars[1]["x"] == ["2 Mar 2026"]
    assert bars[1]["hovertext"] == ["2 Mar 2026: fewer than 3 invitees"]
    assert csv_of(client, f"{URL}?csv=participation")[1:] == [
        ["2 Mar 2026", survey.title, "2026-03-02", "", "", "fewer than 3 invitees"],
        ["9 Mar 2026", survey.title, "2026-03-09", "3", "2", "66.7"],
    ]


def test_a_leader_sees_the_participation_of_their_own_teams(leader, signed_in):
    survey, _ = pulse_survey()
    round_ = RoundFactory(survey=survey, starts_at=WEEK_1)
    mine, other = TeamFactory(manager=leader), TeamFactory()
    for team, answered in ((mine, [True, True, True, False]), (other, [False] * 6)):
        for yes in answered:
            invite(round_, answered=yes, person=PersonFactory(team=team))

    response = signed_in(leader).get(URL)

    bars = figure_of(response, "participation")["data"]
    assert bars[0]["y"] == [75.0]  # 3 of the 4 in their team, not 3 of 10
    assert bars[0]["customdata"] == [[4, 3]]
    assert "the teams you lead" in section(response, "participation")


def test_the_csv_neutralises_formulas_but_keeps_negative_numbers(hr, signed_in):
    survey, questions = pulse_survey()
    round_ = closed_round(survey, WEEK_1)
    evil = TeamFactory(name='=HYPERLINK("http://evil.example","x")')
    respond(round_, evil, questions, count=3, enps=0)
    client = signed_in(hr)

    drivers = csv_of(client, f"{URL}?csv=drivers")
    sentiment = csv_of(client, f"{URL}?csv=sentiment")

    assert {row[0] for row in drivers[1:]} == {"'" + evil.name}
    assert sentiment[1][-1] == "-100.0"  # a number, not a formula


def test_the_csv_link_keeps_the_filters(two_teams_two_weeks, hr, signed_in):
    survey, *_ = two_teams_two_weeks

    response = signed_in(hr).get(f"{URL}?survey={survey.pk}&since=2026-03-01")

    links = re.findall(r'href="([^"]*csv=sentiment[^"]*)"', response.content.decode())
    assert links == [f"?since=2026-03-01&amp;survey={survey.pk}&amp;csv=sentiment"]
    assert f'<option value="{survey.pk}" selected>' in response.content.decode()
    assert 'name="since" value="2026-03-01"' in response.content.decode()


def test_a_bad_filter_value_is_ignored_with_a_warning(
    two_teams_two_weeks, hr, signed_in
):
    response = signed_in(hr).get(f"{URL}?since=yesterday")

    assert response.status_code == 200
    assert warnings_of(response) == [
        "Ignored since='yesterday': expected a date like 2026-03-02."
    ]
    assert response.context["filters"] == Filters()


# --- The anonymity floor ------------------------------------------------------------


def test_a_small_team_shows_merged_with_its_sibling_in_the_figure_table_and_csv(
    hr, signed_in
):
    survey, questions = pulse_survey()
    round_ = closed_round(survey, WEEK_1)
    department = DepartmentFactory(name="Support")
    small, medium, large = (
        TeamFactory(name=name, department=department)
        for name in ("Small", "Medium", "Large")
    )
    respond(round_, small, questions, count=2, trust=1, jobs=2)
    respond(round_, medium, questions, count=4, trust=2, jobs=3)
    respond(round_, large, questions, count=6, trust=5, jobs=4)
    client = signed_in(hr)

    response = client.get(URL)

    # Small (2) is merged with the next smallest team of its department, Medium
    # (4): trust (2 x 1 + 4 x 2) / 6 = 1.67, job security (2 x 2 + 4 x 3) / 6.
    heatmap = figure_of(response, "drivers")["data"][0]
    assert heatmap["y"] == ["Large", "Medium + Small"]
    assert heatmap["z"] == [[5.0, 4.0], [1.67, 2.67]]
    table = section(response, "drivers")
    assert table.count("<td>Medium + Small</td>") == 2
    assert "<td>Small</td>" not in table and "<td>Medium</td>" not in table
    rows = csv_of(client, f"{URL}?csv=drivers")
    every = "every round in view"
    assert rows[1:] == [
        ["Large", "Job security", "6", "4.0", every],
        ["Large", "Trust", "6", "5.0", every],
        ["Medium + Small", "Job security", "6", "2.67", every],
        ["Medium + Small", "Trust", "6", "1.67", every],
    ]


def test_a_leader_of_a_team_merged_with_one_they_do_not_lead_sees_why_it_is_hidden(
    leader, signed_in
):
    survey, questions = pulse_survey()
    round_ = closed_round(survey, WEEK_1)
    department = DepartmentFactory(name="Support")
    small = TeamFactory(name="Small", department=department, manager=leader)
    medium = TeamFactory(name="Medium", department=department)
    large = TeamFactory(name="Large", department=department, manager=leader)
    respond(round_, small, questions, count=2, trust=1, jobs=2)
    respond(round_, medium, questions, count=4, trust=2, jobs=3)
    respond(round_, large, questions, count=6, trust=5, jobs=4)
    client = signed_in(leader)

    response = client.get(URL)

    heatmap = figure_of(response, "drivers")["data"][0]
    # A long row label is wrapped onto lines, never cut.
    assert [label.replace("<br>", " ") for label in heatmap["y"]] == [
        "Large",
        f"Small ({MERGED_AWAY})",
    ]
    assert heatmap["z"] == [[5.0, 4.0], [None, None]]
    assert heatmap["text"][1] == ["", ""]
    assert section(response, "drivers").count(f"<td>{MERGED_AWAY}</td>") == 2
    assert "Medium" not in response.content.decode()
    rows = csv_of(client, f"{URL}?csv=drivers")
    every = "every round in view"
    assert rows[1:] == [
        ["Large", "Job security", "6", "4.0", every],
        ["Large", "Trust", "6", "5.0", every],
        ["Small", "Job security", "", MERGED_AWAY, ""],
        ["Small", "Trust", "", MERGED_AWAY, ""],
    ]


def test_a_hidden_week_shows_its_label_and_no_figure(hr, signed_in):
    survey, questions = pulse_survey()
    team = TeamFactory()
    for start, count, trust in ((WEEK_1, 6, 3), (WEEK_2, 2, 5), (WEEK_3, 7, 4)):
        round_ = closed_round(survey, start)
        respond(round_, team, questions, count=count, trust=trust, jobs=trust)
    client = signed_in(hr)

    response = client.get(URL)

    # Each round is its own population: the small one is hidden, not its
    # neighbours (a date range takes whole rounds, so nothing subtracts it).
    line = figure_of(response, "sentiment")["data"][0]
    assert line["y"] == [50.0, None, 75.0]
    marks = figure_of(response, "sentiment")["data"][-1]
    assert marks["name"] == "Hidden to protect anonymity (hover for why)"
    assert marks["x"] == ["2026-03-09"]
    rows = csv_of(client, f"{URL}?csv=sentiment")
    assert rows[2] == [
        "2026-03-09",
        "",
        "fewer than 3 responses",
        "",
        "fewer than 3 responses",
    ]
    assert rows[1][:3] == ["2026-03-02", "6", "50.0"]
    assert rows[3][:3] == ["2026-03-16", "7", "75.0"]


def test_a_team_filter_shows_the_whole_cell_and_says_what_else_it_counts(hr, signed_in):
    survey, questions = pulse_survey()
    round_ = closed_round(survey, WEEK_1)
    department = DepartmentFactory(name="Support")
    big = TeamFactory(name="Big", department=department)
    small = TeamFactory(name="Small", department=department)
    respond(round_, big, questions, count=5, trust=4, jobs=4, enps=9)
    respond(round_, small, questions, count=2, trust=1, jobs=1, enps=3)
    client = signed_in(hr)

    whole = client.get(URL)
    cut = client.get(f"{URL}?team={big.pk}")

    # Big alone (5) beside everyone (7) would give Small's 2 away: the filter
    # shows Big's whole cell, Big + Small. (5 x 8 + 2 x 2) / 14 = 3.14 -> 53.6;
    # eNPS 5 promoters, 2 detractors of 7 -> 42.9.
    assert figure_of(whole, "sentiment")["data"][0]["y"] == [53.6]
    assert figure_of(cut, "sentiment")["data"][0]["y"] == [53.6]
    assert figure_of(cut, "sentiment")["data"][0]["customdata"] == [7]
    also = "with Small, merged in to reach the floor"
    assert also in section(cut, "sentiment")
    assert also not in section(whole, "sentiment")
    rows = csv_of(client, f"{URL}?team={big.pk}&csv=sentiment")
    assert rows[0] == [
        "Week",
        "Sentiment index (0-100): respondents",
        "Sentiment index (0-100)",
        "Sentiment index (0-100): also counts",
        "eNPS: respondents",
        "eNPS",
        "eNPS: also counts",
    ]
    assert rows[1] == ["2026-03-02", "7", "53.6", also, "7", "42.9", also]
    assert not any(
        "also counts" in c for c in csv_of(client, f"{URL}?csv=sentiment")[0]
    )


def test_a_leader_of_a_merged_team_gets_no_figure_for_it_and_is_told_why(
    leader, signed_in
):
    survey, questions = pulse_survey()
    round_ = closed_round(survey, WEEK_1)
    department = DepartmentFactory()
    big = TeamFactory(name="Big", department=department, manager=leader)
    small = TeamFactory(name="Small", department=department)
    respond(round_, big, questions, count=5, trust=4, jobs=4)
    respond(round_, small, questions, count=2)
    client = signed_in(leader)

    response = client.get(URL)

    figure = figure_of(response, "sentiment")
    assert figure["data"][0]["y"] == [None]
    # The chart's hover text, its table and its CSV give the same reason.
    [hover] = figure["data"][-1]["hovertext"]
    assert hover.startswith("Week of 2 Mar 2026") and MERGED_AWAY in hover
    assert "fewer than" not in hover
    assert section(response, "sentiment").count(f"<td>{MERGED_AWAY}</td>") == 2
    rows = csv_of(client, f"{URL}?csv=sentiment")
    assert rows[1] == ["2026-03-02", "", MERGED_AWAY, "", MERGED_AWAY]
    assert "Small" not in response.content.decode()


# --- Events, empty states, markup, cost ---------------------------------------------


def test_rollout_events_are_drawn_on_every_trend_and_listed(
    two_teams_two_weeks, hr, signed_in
):
    tool = AIToolFactory(name="Support Copilot")
    tool.live_since = WEEK_1 + dt.timedelta(days=2)
    tool.save()
    Update.objects.create(
        title="New acceptable-use policy", body="What changed.", created_at=WEEK_2
    )
    Update.objects.create(title="Too late", body="Out of range.", created_at=WEEK_3)

    response = signed_in(hr).get(URL)

    for name in ("sentiment", "comments"):
        layout = figure_of(response, name)["layout"]
        assert [shape["x0"] for shape in layout["shapes"]] == [
            "2026-03-04",
            "2026-03-09",
        ]
        # A marker per day, the events said on hover: no text stacked on the chart.
        events = [t for t in figure_of(response, name)["data"] if t["name"] == EVENTS]
        assert events[0]["x"] == ["2026-03-04", "2026-03-09"]
        assert events[0]["hovertext"] == [
            "4 Mar 2026: Support Copilot live",
            "9 Mar 2026: Policy update: New acceptable-use policy",
        ]
        notes = [note["text"] for note in layout.get("annotations", [])]
        assert not any("Copilot" in note or "Policy" in note for note in notes)
    assert "shapes" not in figure_of(response, "drivers")["layout"]
    assert "Too late" not in response.content.decode()
    assert "Policy update: New acceptable-use policy" in section_events(response)


def section_events(response) -> str:
    match = re.search(
        r'<section[^>]*data-testid="events".*?</section>',
        response.content.decode(),
        re.DOTALL,
    )
    return match.group(0) if match else ""


def test_no_data_gives_a_friendly_sentence_and_no_chart(hr, signed_in):
    response = signed_in(hr).get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert "No answers in this view yet" in section(response, "sentiment")
    assert "No round has been sent in this view yet." in section(
        response, "participation"
    )
    assert "No team has answered a driver question" in section(response, "drivers")
    assert "data-figure=" not in html
    assert "plotly.min.js" not in html
    assert "Download CSV" not in html


def test_the_page_needs_no_inline_script_or_style_and_serves_plotly_itself(
    two_teams_two_weeks, hr, signed_in
):
    html = signed_in(hr).get(URL).content.decode()

    scripts = re.findall(r"<script\b([^>]*)>", html)
    assert scripts
    for attributes in scripts:
        assert "src=" in attributes or 'type="application/json"' in attributes
    assert not re.search(r"\sstyle=", html)
    assert re.findall(r'<script src="([^"]*plotly[^"]*)"', html) == [
        "/static/vendor/plotly/plotly.min.js"
    ]
    assert '<script src="/static/dashboards/charts.js" defer>' in html
    # plotly.js's own stylesheet, marked so it adds no <style> the policy refuses.
    assert (
        '<link rel="stylesheet" href="/static/dashboards/charts.css" '
        'id="plotly.js-style-global" class="no-inline-styles">'
    ) in html
    assert len(re.findall(r'data-figure="figure-\w+"', html)) == 4
    assert html.count("<details") >= 4


# Each figure of answers also reads its rounds' invited units (the privacy
# engine's frame): one query per metric. The page reads its rounds once.
QUERIES = {"hr": 24, "leader": 26, "employee": 19}


@pytest.mark.parametrize("persona", ["hr", "leader", "employee"])
def test_the_query_count_does_not_grow_with_teams_or_responses(
    request, persona, signed_in
):
    person = request.getfixturevalue(persona)
    client = signed_in(person)
    survey, questions = pulse_survey()
    rounds = [
        RoundFactory(
            survey=survey, starts_at=at, closed_at=at, results_published_at=WEEK_3
        )
        for at in (WEEK_1, WEEK_2)
    ]
    manager = person if persona == "leader" else None
    first = TeamFactory(manager=manager)
    respond(rounds[0], first, questions, count=10, tone=0.2)

    with CaptureQueriesContext(connection) as small:
        assert client.get(URL).status_code == 200
    for _ in range(11):  # from 10 responses to 1,003
        team = TeamFactory(manager=manager)
        for round_ in rounds:
            respond(round_, team, questions, count=45, trust=2, tone=-0.1)
    respond(rounds[1], first, questions, count=3)
    with CaptureQueriesContext(connection) as large:
        response = client.get(URL)

    if persona == "employee":  # org-wide figures only, of the published rounds
        assert figure_of(response, "drivers") is None
        assert figure_of(response, "sentiment")["data"][0]["customdata"] == [505, 498]
    else:
        assert len(figure_of(response, "drivers")["data"][0]["y"]) == 12
    assert len(large) == len(small) == QUERIES[persona]


def test_the_headlines_give_the_latest_figures_and_their_change(hr, signed_in):
    survey, questions = pulse_survey(min_group_size=3)
    team = TeamFactory()
    first = RoundFactory(survey=survey, starts_at=WEEK_1, closed_at=WEEK_2)
    second = RoundFactory(survey=survey, starts_at=WEEK_2, closed_at=WEEK_3)
    respond(first, team, questions, count=4, trust=3, jobs=3, enps=6)  # index 50
    respond(second, team, questions, count=4, trust=4, jobs=5, enps=10)  # 87.5

    response = signed_in(hr).get(URL)

    found = {h.label: h for h in response.context["headlines"]}
    assert (found["Sentiment index"].value, found["Sentiment index"].change) == (
        87.5,
        37.5,
    )
    assert found["Sentiment index"].on == WEEK_2.date()
    # eNPS: all detractors (-100), then all promoters (+100).
    assert (found["eNPS"].value, found["eNPS"].change) == (100.0, 200.0)
    assert "▲ +37.5" in section_headlines(response)


def test_no_headline_comes_from_a_hidden_figure(hr, signed_in):
    survey, questions = pulse_survey(min_group_size=3)
    respond(closed_round(survey, WEEK_1), TeamFactory(), questions, count=2)

    response = signed_in(hr).get(URL)

    assert response.context["headlines"] == []
    assert 'data-testid="headlines"' not in response.content.decode()


def section_headlines(response) -> str:
    match = re.search(
        r'<section[^>]*data-testid="headlines".*?</section>',
        response.content.decode(),
        re.DOTALL,
    )
    return match.group(0) if match else ""


def test_participation_per_team_shows_a_small_team_merged_with_its_sibling(
    hr, leader, signed_in
):
    survey, _ = pulse_survey(min_group_size=3)
    round_ = RoundFactory(survey=survey, starts_at=WEEK_1)  # open: it counts
    department = DepartmentFactory()
    big, other, small = (
        TeamFactory(name=n, department=department) for n in ("Big", "Other", "Small")
    )
    small.manager = leader
    small.save()
    for team, sent, answered in ((big, 6, 3), (other, 4, 4), (small, 2, 1)):
        for n in range(sent):
            invite(round_, answered=n < answered, person=PersonFactory(team=team))
    client = signed_in(hr)

    response = client.get(URL)
    rows = csv_of(client, f"{URL}?csv=team_participation")

    # Small (2 invited) is one cell with Other (4): 5 of 6 answered. The round's
    # total of 12 minus Big's 6 gives that cell, never Small alone.
    assert rows[1:] == [
        ["2 Mar 2026", "Big", "6", "3", "50.0"],
        ["2 Mar 2026", "Other + Small", "6", "5", "83.3"],
    ]
    heatmap = figure_of(response, "team_participation")["data"][0]
    assert heatmap["y"] == ["Big", "Other + Small"]
    assert heatmap["z"] == [[50.0], [83.3]]
    assert heatmap["customdata"][1] == ["5 of 6 answered"]
    # Small's leader does not lead Other: their team's row is hidden, and why.
    mine = csv_of(signed_in(leader), f"{URL}?csv=team_participation")
    assert mine[1:] == [["2 Mar 2026", "Small", "", "", MERGED_AWAY]]


def test_participation_per_team_stays_put_when_someone_moves_team(hr, signed_in):
    survey, _ = pulse_survey(min_group_size=3)
    round_ = RoundFactory(survey=survey, starts_at=WEEK_1)
    department = DepartmentFactory()
    alpha = TeamFactory(name="Alpha", department=department)
    beta = TeamFactory(name="Beta", department=department)
    mover = PersonFactory(team=alpha)
    invite(round_, answered=True, person=mover)
    for answered in (True, False, False):
        invite(round_, answered=answered, person=PersonFactory(team=alpha))
    for _ in range(5):
        invite(round_, answered=True, person=PersonFactory(team=beta))
    client = signed_in(hr)

    before = csv_of(client, f"{URL}?csv=team_participation")
    mover.team = beta
    mover.save()
    after = csv_of(client, f"{URL}?csv=team_participation")

    # Counted by the team people are in now, Alpha would go from 2 of 4 to 1 of
    # 3: the difference would say whether the one who moved answered.
    assert before[1:] == [
        ["2 Mar 2026", "Alpha", "4", "2", "50.0"],
        ["2 Mar 2026", "Beta", "5", "5", "100.0"],
    ]
    assert after == before
