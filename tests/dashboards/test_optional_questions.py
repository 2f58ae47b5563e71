"""An optional agreement question answered by fewer than the floor can be worked
out from nothing: the sentiment index counts required questions only, and the
drivers heatmap counts a driver in a round's cell only when at least the floor
answered it there."""

from __future__ import annotations

import datetime as dt

import pytest

from dashboards.filters import Filters
from dashboards.metrics import pulse
from surveys.models import Answer, Question
from tests.dashboards.helpers import closed_round, response_in
from tests.org.factories import TeamFactory
from tests.surveys.factories import QuestionFactory, SurveyFactory

pytestmark = pytest.mark.django_db
MONDAY = dt.datetime(2026, 3, 9, 9, 0, tzinfo=dt.UTC)


def test_one_persons_optional_answer_shows_in_no_figure():
    team = TeamFactory()
    survey = SurveyFactory(min_group_size=5)
    trust = QuestionFactory(survey=survey, kind=Question.Kind.LIKERT, driver="trust")
    workload = QuestionFactory(
        survey=survey, kind=Question.Kind.LIKERT, driver="workload", required=False
    )
    round_ = closed_round(survey, MONDAY)
    for index in range(6):
        response = response_in(round_, team=team, department=team.department)
        response.save()
        Answer.objects.create(response=response, question=trust, number=4)
        if index == 0:  # only one answers the optional question, with 1
            Answer.objects.create(response=response, question=workload, number=1)

    [week] = pulse.sentiment_trend(Filters())
    heatmap = {row["driver"]: row for row in pulse.driver_heatmap(Filters())}

    # The index is the required questions' alone: 4 of 5 is 75, not (24+1)/7.
    assert (week["n"], week["index"]) == (6, 75.0)
    assert heatmap["trust"]["mean"] == 4.0 and heatmap["trust"]["n"] == 6
    assert heatmap["workload"]["suppressed"] and heatmap["workload"]["mean"] is None
