"""Attacks on the comments page's commenters CSV and API and the pages beside it:
a view of a one-person team must list the same rounds (weeks) whether that person
answered, commented or skipped, or its rows say what they did. The privacy
engine's frame (every unit a round invited, `dashboards.privacy.cells`) keeps
them listed, and an AI tool's populations the units its round asked about it
(`surveys.audiences`)."""

from __future__ import annotations

import csv
import io

import pytest

from surveys.models import Answer, Question
from tests.dashboards.helpers import closed_round, invite, responses_in
from tests.dashboards.test_comments import write
from tests.dashboards.test_pages_overview import (
    WEEK_1,
    WEEK_2,
    WEEK_3,
    pulse_survey,
    respond,
)
from tests.org.factories import (
    AIToolFactory,
    DepartmentFactory,
    PersonFactory,
    TeamFactory,
)
from tests.surveys.factories import QuestionFactory

pytestmark = pytest.mark.django_db

URL = "/dashboards/comments/"
Kind = Question.Kind


def rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))[1:]


def test_a_one_person_teams_comment_is_not_told_by_whether_its_round_is_listed(
    hr, signed_in
):
    survey, questions = pulse_survey(comment_threshold=10)
    wrote, silent = closed_round(survey, WEEK_1), closed_round(survey, WEEK_2)
    sales = DepartmentFactory()
    alone = TeamFactory(name="Alone", department=sales)
    big = TeamFactory(name="Big", department=sales)
    people = [PersonFactory(team=alone)] + PersonFactory.create_batch(12, team=big)
    for round_ in (wrote, silent):
        for person in people:
            invite(round_, person=person)
        write(round_, big, questions["comment"], 12)
    write(wrote, alone, questions["comment"], 1, prefix="Mine")  # Alone's only one
    client = signed_in(hr)

    csv_rows = rows(client.get(f"{URL}?team={alone.pk}&csv=commenters"))
    api = client.get(f"/api/v1/dashboards/comments/?team={alone.pk}").json()

    # Whether Alone's one person wrote a comment decides nothing the view shows
    # of either round: each is listed, as the cell Alone is in with Big.
    assert [row[1:] for row in csv_rows] == [
        ["2026-03-09", "12", "with Big, merged in to reach the floor"],
        ["2026-03-02", "13", "with Big, merged in to reach the floor"],
    ]
    assert api["charts"][0]["rows"] == [
        [row[0], row[1], int(row[2]), row[3]] for row in csv_rows
    ]


def test_no_chart_lists_a_round_by_whether_a_one_person_team_answered(hr, signed_in):
    """One person alone in a team: round 1 they answer and comment, round 2 they
    answer without a comment, round 3 they do not answer. A view of their team
    lists the same rounds in every chart, the CSV and API of the comments page
    included; only participation (invitees) may say who answered, in cells."""
    survey, questions = pulse_survey(min_group_size=5, comment_threshold=10)
    rounds = [closed_round(survey, week) for week in (WEEK_1, WEEK_2, WEEK_3)]
    sales = DepartmentFactory()
    alone = TeamFactory(name="Alone", department=sales)
    big = TeamFactory(name="Big", department=sales)
    people = [PersonFactory(team=alone)] + PersonFactory.create_batch(12, team=big)
    for round_ in rounds:
        for person in people:
            invite(round_, person=person, answered=person.team == big)
        respond(round_, big, questions, count=12, tone=0.3)
    respond(rounds[0], alone, questions, tone=-0.8)
    respond(rounds[1], alone, questions)
    client = signed_in(hr)

    listed = {}
    for page in ("sentiment", "comments"):
        body = client.get(f"/api/v1/dashboards/{page}/?team={alone.pk}").json()
        for chart in body["charts"]:
            if chart["name"] not in ("participation", "team_participation"):
                listed[chart["name"]] = chart["rows"]
    commenters = rows(client.get(f"{URL}?team={alone.pk}&csv=commenters"))

    weeks = ["2026-03-02", "2026-03-09", "2026-03-16"]
    merged = "with Big, merged in to reach the floor"
    assert [(row[0], row[3], row[6]) for row in listed["sentiment"]] == [
        (week, merged, merged) for week in weeks
    ]
    assert [(row[0], row[3]) for row in listed["comments"]] == [
        (week, merged) for week in weeks
    ]
    # The heatmap's cell counts every round, not those Alone answered in.
    assert {(row[0], row[4]) for row in listed["drivers"]} == {
        ("Alone + Big", "every round in view")
    }
    assert sorted(row[1] for row in listed["commenters"]) == weeks
    assert sorted(row[1] for row in commenters) == weeks


def test_a_tool_page_lists_no_week_by_whether_a_one_person_team_answered(hr, signed_in):
    survey, _ = pulse_survey(min_group_size=5)
    tool = AIToolFactory()
    hours = QuestionFactory(
        survey=survey, kind=Kind.HOURS_SAVED, driver="", ai_tool=tool, required=False
    )
    rounds = [closed_round(survey, week) for week in (WEEK_1, WEEK_2)]
    sales = DepartmentFactory()
    alone = TeamFactory(name="Alone", department=sales)
    big = TeamFactory(name="Big", department=sales)
    for round_ in rounds:
        for team, count in ((big, 12), (alone, 1 if round_ is rounds[0] else 0)):
            for response in responses_in(
                round_, count, team=team, department_id=sales.pk
            ):
                Answer.objects.create(response=response, question=hours, number=3)
    for round_ in rounds:
        for person in [
            PersonFactory(team=alone),
            *PersonFactory.create_batch(12, team=big),
        ]:
            invite(round_, person=person)

    body = (
        signed_in(hr).get(f"/api/v1/tools/{tool.pk}/dashboard/?team={alone.pk}").json()
    )

    (chart,) = [c for c in body["charts"] if c["name"] == "tool_hours"]
    assert [row[0] for row in chart["rows"]] == ["2026-03-02", "2026-03-09"]
