"""An AI tool's populations are framed by whom its round asked about it
(`surveys.audiences`): a tool piloted by one person lists the same weeks,
hidden the same way, whether that person answered or not, on every view and
whether the round is read from its answers or its summary; and a change of the
tool's teams after a round moves none of that round's cells."""

from __future__ import annotations

import pytest
from django.db import transaction

from dashboards.summaries import round_summarise
from surveys.audiences import tools_asked_now
from surveys.models import Answer, Question
from tests.dashboards.helpers import OPEN_DAYS, closed_round, invite, responses_in
from tests.dashboards.test_pages_overview import WEEK_1, WEEK_2, WEEK_3, pulse_survey
from tests.org.factories import (
    AIToolFactory,
    DepartmentFactory,
    PersonFactory,
    TeamFactory,
)
from tests.surveys.factories import QuestionFactory

pytestmark = pytest.mark.django_db

Kind = Question.Kind
WEEKS = (WEEK_1, WEEK_2, WEEK_3)


def drafts_piloted_by_alone():
    """A pulse (floor 5) and Drafts, an AI tool piloted by `Alone` (a team for
    one person) beside `Big` in one department, with an optional hours
    question about it: (survey, its questions, tool, alone, big, hours)."""
    survey, questions = pulse_survey(min_group_size=5)
    tool = AIToolFactory(name="Drafts")
    sales = DepartmentFactory()
    alone = TeamFactory(name="Alone", department=sales)
    big = TeamFactory(name="Big", department=sales)
    tool.teams.set([alone])
    hours = QuestionFactory(
        survey=survey, kind=Kind.HOURS_SAVED, driver="", ai_tool=tool, required=False
    )
    return survey, questions, tool, alone, big, hours


def pilot(*, answering: set[int]):
    """A tool piloted by `Alone`, one person, asked about its hours and accuracy
    in three weekly rounds that kept whom they asked; 12 people of `Big` are
    asked other questions only. Alone answers in the rounds `answering` names
    (0, 1, 2)."""
    survey, questions, tool, alone, big, hours = drafts_piloted_by_alone()
    sales = alone.department
    verdict = QuestionFactory(
        survey=survey,
        kind=Kind.AI_ACCURACY,
        driver="",
        ai_tool=tool,
        required=False,
        choices=[],
    )
    people = [PersonFactory(team=alone), *PersonFactory.create_batch(12, team=big)]
    rounds = []
    for index, week in enumerate(WEEKS):
        round_ = closed_round(survey, week, tools_asked=tools_asked_now(survey))
        for person in people:
            invite(round_, person=person, answered=person.team == big)
        responses_in(round_, 12, team=big, department_id=sales.pk)
        if index in answering:
            (response,) = responses_in(round_, 1, team=alone, department_id=sales.pk)
            Answer.objects.create(response=response, question=hours, number=6)
            Answer.objects.create(response=response, question=verdict, choice="correct")
        rounds.append(round_)
    return tool, alone, big, rounds


def charts(client, url: str) -> dict[str, list]:
    body = client.get(url).json()
    return {chart["name"]: chart["rows"] for chart in body["charts"]}


def views(tool, alone) -> list[str]:
    base = f"/api/v1/tools/{tool.pk}/dashboard/"
    return [
        base,
        f"{base}?team={alone.pk}",
        f"{base}?department={alone.department_id}",
        "/api/v1/dashboards/tools/",
        f"/api/v1/dashboards/tools/?team={alone.pk}",
    ]


@pytest.mark.parametrize("summarised", [False, True], ids=["raw", "summaries"])
def test_a_one_person_pilot_lists_the_same_weeks_whether_they_answered(
    hr, signed_in, summarised
):
    worlds = []
    client = signed_in(hr)
    for answering in ({0}, set(), {0, 1, 2}):
        with transaction.atomic():  # each world rolled back after it is read
            tool, alone, _, rounds = pilot(answering=answering)
            if summarised:
                for round_ in rounds:
                    now = round_.closes_at + OPEN_DAYS
                    assert round_summarise(round_=round_, now=now)
            worlds.append([charts(client, url) for url in views(tool, alone)])
            transaction.set_rollback(True)

    answered_once, never, always = worlds
    # Every view, every chart: the same rows (weeks listed, each hidden as
    # below the floor), whoever of one person answered when.
    assert answered_once == never == always
    tool_page = never[0]
    assert [row[0] for row in tool_page["tool_hours"]] == [
        "2026-03-02",
        "2026-03-09",
        "2026-03-16",
    ]


def test_a_change_of_a_tools_teams_moves_no_cell_of_a_round_before_it(hr, signed_in):
    tool, alone, big, _ = pilot(answering={0, 1, 2})
    client = signed_in(hr)
    before = [charts(client, url) for url in views(tool, alone)]

    tool.teams.set([alone, big])  # rolled out to Big too, after the rounds

    assert [charts(client, url) for url in views(tool, alone)] == before
