"""A figure says what it counts: whom it merged in, whom it left out and why, and
in which rounds, even when two rounds start on the same day."""

from __future__ import annotations

import datetime as dt

import pytest

from dashboards.filters import Filters
from dashboards.metrics import pulse
from surveys.models import Answer, Question
from tests.dashboards.helpers import closed_round, response_in
from tests.org.factories import DepartmentFactory, TeamFactory
from tests.surveys.factories import QuestionFactory, SurveyFactory

MONDAY = dt.datetime(2026, 3, 9, 9, 0, tzinfo=dt.UTC)
pytestmark = pytest.mark.django_db


def answer(round_, question, team, count, value=4):
    for _ in range(count):
        response = response_in(round_, team=team, department=team.department)
        response.save()
        Answer.objects.create(response=response, question=question, number=value)


@pytest.fixture
def ops():
    ops = DepartmentFactory(name="Ops")
    return (
        TeamFactory(name="O3", department=ops),
        TeamFactory(name="O4", department=ops),
    )


def test_a_small_team_shows_in_its_cell_and_says_with_whom(ops):
    o3, o4 = ops
    survey = SurveyFactory(min_group_size=5)
    likert = QuestionFactory(survey=survey, kind=Question.Kind.LIKERT)
    round_ = closed_round(survey, MONDAY)
    answer(round_, likert, o3, 3, value=5)
    answer(round_, likert, o4, 4, value=1)

    [row] = pulse.sentiment_trend(Filters(team=o3.pk))

    # O3 alone (3) is under the floor: its figure is O3 + O4's, and says so.
    assert row["n"] == 7
    assert row["covers"] == "with O4, merged in to reach the floor"
    assert row["index"] == round(((3 * 5 + 4 * 1) / 7 - 1) * 25, 1)


def test_a_leader_of_one_team_in_a_merged_cell_is_told_why_it_is_hidden(ops):
    o3, o4 = ops
    survey = SurveyFactory(min_group_size=5)
    likert = QuestionFactory(survey=survey, kind=Question.Kind.LIKERT)
    round_ = closed_round(survey, MONDAY)
    answer(round_, likert, o3, 3)
    answer(round_, likert, o4, 4)

    [row] = pulse.sentiment_trend(Filters(teams=(o3.pk,)))

    assert row["suppressed"] and row["n"] is None and row["index"] is None
    assert row["reason"] == "hidden: merged with a team you do not lead"


def test_rounds_starting_the_same_day_are_named_by_survey(ops):
    o3, o4 = ops
    pulse_survey = SurveyFactory(title="Pulse", min_group_size=5)
    check = SurveyFactory(title="AI check", min_group_size=5)
    pulse_likert = QuestionFactory(survey=pulse_survey, kind=Question.Kind.LIKERT)
    check_likert = QuestionFactory(survey=check, kind=Question.Kind.LIKERT)
    pulse_round = closed_round(pulse_survey, MONDAY)
    answer(pulse_round, pulse_likert, o3, 3)
    answer(pulse_round, pulse_likert, o4, 4)
    answer(closed_round(check, MONDAY + dt.timedelta(hours=5)), check_likert, o3, 3)

    [row] = pulse.sentiment_trend(Filters(team=o3.pk))

    # Pulse counts O3 + O4 (7), the only round the row counts, so its merge
    # names no round; AI check's O3 alone is below the floor, named by survey.
    assert row["n"] == 7
    assert row["covers"] == (
        "with O4, merged in to reach the floor. "
        "without O3 in the round of 9 Mar 2026 · AI check: fewer than 5 responses"
    )
