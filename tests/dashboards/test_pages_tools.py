"""The AI tools pages: who sees what, the numbers in the figure, table and CSV, one
tool's whole record, empty states and a query count that does not grow."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from org.models import Accuracy
from surveys.models import Answer, Question, Survey
from tests.dashboards.helpers import closed_round, responses_in
from tests.dashboards.test_pages_overview import (
    WEEK_1,
    WEEK_2,
    cell,
    csv_of,
    figure_of,
    section,
    warnings_of,
)
from tests.dashboards.test_tool_metrics import (
    C,
    M,
    X,
    answer_tool,
    rate,
    tool_survey,
)
from tests.feedback.factories import ConcernFactory
from tests.org.factories import (
    AIToolFactory,
    DepartmentFactory,
    PersonFactory,
    TeamFactory,
)
from tests.surveys.factories import QuestionFactory, SurveyFactory

pytestmark = pytest.mark.django_db

URL = "/dashboards/tools/"


def tool_url(tool) -> str:
    return f"/dashboards/tools/{tool.pk}/"


@pytest.fixture
def drafter(db):
    """A tool with two weeks of hours and verdicts from two teams."""
    tool = AIToolFactory(
        name="Drafter", acceptable_use="Never paste customer card numbers."
    )
    survey, questions = tool_survey(tool)
    teams = [TeamFactory(name="Support"), TeamFactory(name="Sales")]
    for week, hours in ((WEEK_1, 3), (WEEK_2, 5)):
        round_ = closed_round(survey, week)
        for team in teams:
            answer_tool(
                round_, team, questions, hours=[hours] * 4, verdicts=[C, C, M, X]
            )
    return tool, teams


def test_hr_sees_hours_accuracy_and_concerns_per_tool(signed_in, hr, drafter):
    tool, _ = drafter
    ConcernFactory(ai_tool=tool)

    response = signed_in(hr).get(URL)

    assert response.status_code == 200
    hours = figure_of(response, "hours")
    [line] = [trace for trace in hours["data"] if trace["name"] == "Drafter"]
    assert line["y"] == [24.0, 40.0]  # 8 people x 3 hours, then x 5
    accuracy = figure_of(response, "accuracy")
    assert accuracy["data"][0]["y"] == ["Drafter (N=16)"]
    assert [trace["x"] for trace in accuracy["data"]] == [[50.0], [25.0], [25.0]]
    assert figure_of(response, "concerns")["data"][0]["y"] == [1]
    assert f'href="{tool_url(tool)}"' in response.content.decode()


def test_each_csv_is_the_table_of_its_chart(signed_in, hr, drafter):
    client = signed_in(hr)
    response = client.get(URL)

    for name in ("hours", "hours_total", "accuracy", "concerns"):
        table = response.context["charts"][
            [chart.name for chart in response.context["charts"]].index(name)
        ].table
        rows = csv_of(client, f"{URL}?csv={name}")
        assert rows[0] == table.columns
        assert rows[1:] == [[cell(value) for value in row] for row in table.rows]
    totals = csv_of(client, f"{URL}?csv=hours_total")
    # 64 hours over 2 weeks: 32 a week = 0.8 FTE.
    assert totals[1] == ["Drafter", "2", "0", "64.0", "32.0", "0.8"]


def test_each_csv_of_a_tool_page_is_the_table_of_its_chart(signed_in, hr, drafter):
    tool, _ = drafter
    ConcernFactory(ai_tool=tool, title="=cmd|' /C calc'!A0")
    client = signed_in(hr)
    url = tool_url(tool)
    response = client.get(url)

    for chart in response.context["charts"]:
        rows = csv_of(client, f"{url}?csv={chart.name}")
        assert rows[0] == chart.table.columns
        assert len(rows) == len(chart.table.rows) + 1
    concerns = csv_of(client, f"{url}?csv=tool_concerns")
    assert concerns[1][0] == "'=cmd|' /C calc'!A0"  # neutralised
    assert client.get(f"{url}?csv=hours").status_code == 404  # not this page's


def test_a_leader_sees_their_teams_answers_and_the_concerns_they_own(
    signed_in, leader, drafter
):
    tool, (support, sales) = drafter
    support.manager = leader
    support.save()
    ConcernFactory(ai_tool=tool, owner=leader)
    ConcernFactory(ai_tool=tool)  # someone else's

    response = signed_in(leader).get(URL)

    assert response.status_code == 200
    [line] = [t for t in figure_of(response, "hours")["data"] if t["name"] == "Drafter"]
    assert line["y"] == [12.0, 20.0]  # Support only: 4 people
    accuracy = figure_of(response, "accuracy")
    assert accuracy["data"][0]["y"] == ["Drafter (N=8)"]
    assert figure_of(response, "concerns")["data"][0]["y"] == [1]
    assert "board ratings are not tied to anyone" in section(response, "accuracy")


def test_someone_who_leads_no_team_cannot_open_the_tools_overview(
    signed_in, employee, drafter
):
    assert signed_in(employee).get(URL).status_code == 403
    assert signed_in(employee).get(tool_url(drafter[0])).status_code == 403


def test_a_tools_owner_sees_its_page_org_wide_without_team_cuts(
    signed_in, employee, drafter
):
    tool, (support, _) = drafter
    tool.owner = employee
    tool.save()

    response = signed_in(employee).get(f"{tool_url(tool)}?team={support.pk}")

    assert response.status_code == 200
    assert response.context["reach"] == "owner"
    assert any("organisation-wide" in note for note in warnings_of(response))
    [line] = [
        t
        for t in figure_of(response, "tool_hours")["data"]
        if t["type"] == "scatter" and t["name"] == "Drafter"
    ]
    assert line["y"] == [24.0, 40.0]
    assert 'id="filter-team"' not in response.content.decode()


@pytest.mark.usefixtures("board_floor")
def test_a_tool_page_joins_the_whole_record(signed_in, hr, drafter):
    tool, _ = drafter
    other = AIToolFactory(name="Search")
    mine = ConcernFactory(ai_tool=tool, title="Drafts invent refund rules")
    ConcernFactory(ai_tool=other, title="Search is slow")
    # A week of board ratings at the floor (3): one correct, two incorrect.
    rate(
        tool, Accuracy.CORRECT, Accuracy.INCORRECT, Accuracy.INCORRECT, on=WEEK_2.date()
    )

    response = signed_in(hr).get(tool_url(tool))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Never paste customer card numbers." in html
    assert tool.owner.name in html
    # 64 hours over 2 weeks: 32 a week, 0.8 FTE.
    assert "64.0 hours over 2 weeks: 32.0 a week, 0.8 FTE" in html
    assert mine.title in html and "Search is slow" not in html
    accuracy = figure_of(response, "tool_accuracy")
    assert [trace["y"] for trace in accuracy["data"][:3]] == [
        [50.0, 45.5],  # week 2: 5 correct of 11 verdicts (3 board ratings)
        [25.0, 18.2],
        [25.0, 36.4],
    ]


def test_customers_ratings_stand_beside_the_employees_verdicts(signed_in, hr, drafter):
    tool, _ = drafter
    survey = SurveyFactory(audience=Survey.Audience.CUSTOMERS, min_group_size=3)
    question = QuestionFactory(
        survey=survey, kind=Question.Kind.CSAT, driver="", ai_tool=tool
    )
    round_ = closed_round(survey, WEEK_2)
    responses = responses_in(round_, 6)
    Answer.objects.bulk_create(
        Answer(response=r, question=question, number=Decimal(score))
        for r, score in zip(responses, (5, 4, 4, 3, 2, 5), strict=True)
    )

    response = signed_in(hr).get(tool_url(tool))

    beside = figure_of(response, "beside")
    employees, customers = beside["data"][:2]
    assert employees["y"] == [75.0, 75.0]  # C, C, M of 4: 3 of 4 right
    assert customers["y"] == [66.7]  # 4 of 6 answered 4 or 5
    assert customers["yaxis"] == "y2"


def test_a_leader_who_does_not_own_the_tool_sees_no_customer_figures(
    signed_in, leader, drafter
):
    tool, (support, _) = drafter
    support.manager = leader
    support.save()

    response = signed_in(leader).get(tool_url(tool))

    assert response.status_code == 200
    names = [trace["name"] for trace in figure_of(response, "beside")["data"]]
    assert not any(name.startswith("Customers") for name in names)


def test_empty_pages_say_so_without_loading_plotly(signed_in, hr):
    tool = AIToolFactory()
    client = signed_in(hr)

    for url in (URL, tool_url(tool)):
        response = client.get(url)
        html = response.content.decode()
        assert response.status_code == 200
        assert "plotly" not in html
        assert 'data-testid="empty-' in html


def test_an_unknown_tool_is_a_404_and_an_unknown_chart_too(signed_in, hr, drafter):
    client = signed_in(hr)

    assert client.get("/dashboards/tools/999999/").status_code == 404
    assert client.get(f"{URL}?csv=nope").status_code == 404


def test_the_query_count_does_not_grow_with_the_data(signed_in, hr):
    tools = [AIToolFactory(), AIToolFactory()]
    team = TeamFactory()
    client = signed_in(hr)

    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    for tool in tools:
        survey, questions = tool_survey(tool)
        round_ = closed_round(survey, WEEK_1)
        answer_tool(round_, team, questions, hours=[2] * 5, verdicts=[C] * 5)
        ConcernFactory(ai_tool=tool)
    small = (queries(URL), queries(tool_url(tools[0])))
    for tool in [*tools, AIToolFactory()]:
        survey, questions = tool_survey(tool)
        for week in range(3):
            round_ = closed_round(survey, WEEK_2 + dt.timedelta(weeks=week))
            for _ in range(3):
                answer_tool(
                    round_,
                    TeamFactory(),
                    questions,
                    hours=[4] * 20,
                    verdicts=[M] * 20,
                )
        for _ in range(5):
            ConcernFactory(ai_tool=tool, owner=PersonFactory())

    assert (queries(URL), queries(tool_url(tools[0]))) == small


def test_the_tabs_lead_only_to_pages_the_person_may_open(
    signed_in, hr, leader, employee
):
    TeamFactory(manager=leader)
    expected = {
        hr: ["overview", "tools", "concerns", "customers", "comments"],
        leader: ["overview", "tools", "concerns"],
        employee: [],  # one page: no tabs
    }
    for person, names in expected.items():
        client = signed_in(person)
        html = client.get("/dashboards/").content.decode()
        shown = [
            name
            for name in ("overview", "tools", "concerns", "customers", "comments")
            if f'data-testid="{name}-link"' in html
        ]
        assert shown == names
        for name in names:
            url = {"overview": "/dashboards/"}.get(name, f"/dashboards/{name}/")
            assert client.get(url).status_code == 200


def test_a_tools_page_links_to_its_dashboard_for_those_who_may_see_it(
    signed_in, hr, employee
):
    tool = AIToolFactory()
    link = 'data-testid="tool-dashboard-link"'

    assert link in signed_in(hr).get(f"/tools/{tool.pk}/").content.decode()
    assert link not in signed_in(employee).get(f"/tools/{tool.pk}/").content.decode()
    tool.owner = employee
    tool.save()
    assert link in signed_in(employee).get(f"/tools/{tool.pk}/").content.decode()


def test_a_team_cut_shows_the_tools_figures_of_its_whole_cell_and_says_so(
    signed_in, hr
):
    """The tool's figures for everyone, then for one team of 6 when only 2 others
    answered: the team's figures are those of its whole cell, the 8, and say so
    (6 alone beside the 8 would give the other 2 away)."""
    tool = AIToolFactory(name="Drafter")
    survey, questions = tool_survey(tool, min_group_size=5)
    round_ = closed_round(survey, WEEK_1)
    department = DepartmentFactory()
    big = TeamFactory(name="Big", department=department)
    small = TeamFactory(name="Small", department=department)
    answer_tool(round_, big, questions, hours=[4] * 6, verdicts=[C] * 6)
    answer_tool(round_, small, questions, hours=[9] * 2, verdicts=[X] * 2)
    client = signed_in(hr)

    whole = client.get(URL)
    cut = client.get(f"{URL}?team={big.pk}")

    # 6 x 4 + 2 x 9 = 42 hours of 8 respondents; 6 correct of 8 verdicts.
    assert figure_of(whole, "hours")["data"][0]["y"] == [42.0]
    assert figure_of(cut, "hours")["data"][0]["y"] == [42.0]
    assert "Drafter (N=8)" in figure_of(whole, "accuracy")["data"][0]["y"]
    assert "Drafter (N=8)" in figure_of(cut, "accuracy")["data"][0]["y"]
    also = "with Small, merged in to reach the floor"
    hours = csv_of(client, f"{URL}?team={big.pk}&csv=hours")
    assert hours[0][-1] == "Also counts"
    assert hours[1][2:] == ["8", "42.0", "5.25", "1.05", also]
    accuracy = csv_of(client, f"{URL}?team={big.pk}&csv=accuracy")
    assert accuracy[0][-1] == "Also counts"
    assert accuracy[1][:3] == ["Drafter", "8", "75.0"] and accuracy[1][-1] == also
    assert "24.0" not in cut.content.decode()
