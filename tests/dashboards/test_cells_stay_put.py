"""A closed round's cells never change: two looks, before and after a change, would
compare two partitions of the same people and single out a small group. Raising
a survey's floor or comment threshold, deleting a team, or an email bouncing
moves none of them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import ProtectedError

from dashboards.filters import Filters
from dashboards.metrics import participation, pulse
from surveys.models import Answer, Question
from surveys.services.rounds import rounds_open_due
from tests.dashboards.helpers import closed_round, invite, response_in
from tests.org.factories import DepartmentFactory, PersonFactory, TeamFactory
from tests.surveys.factories import QuestionFactory, SurveyFactory

pytestmark = pytest.mark.django_db
MONDAY = dt.datetime(2026, 3, 9, 9, 0, tzinfo=dt.UTC)


def answer(round_, question, team, count, value):
    for _ in range(count):
        response = response_in(round_, team=team, department=team.department)
        response.save()
        Answer.objects.create(response=response, question=question, number=value)


@pytest.fixture
def sales():
    sales = DepartmentFactory(name="Sales")
    return [TeamFactory(name=name, department=sales) for name in ("A", "B", "E")]


def test_a_round_keeps_the_floor_and_threshold_it_opened_with():
    survey = SurveyFactory(
        min_group_size=4, comment_threshold=8, first_date=dt.date(2026, 3, 9)
    )
    QuestionFactory(survey=survey)  # a survey without a question opens no round

    [round_] = rounds_open_due(now=MONDAY)

    assert (round_.min_group_size, round_.comment_threshold) == (4, 8)


def test_raising_the_floor_moves_no_cell_of_a_closed_round(sales):
    a, b, e = sales
    survey = SurveyFactory(min_group_size=5)
    likert = QuestionFactory(survey=survey, kind=Question.Kind.LIKERT)
    round_ = closed_round(survey, MONDAY, min_group_size=5)
    answer(round_, likert, a, 9, 5)
    answer(round_, likert, b, 6, 5)
    answer(round_, likert, e, 2, 1)
    before = pulse.sentiment_trend(Filters(team=b.pk))

    survey.min_group_size = 7
    survey.save()

    assert pulse.sentiment_trend(Filters(team=b.pk)) == before


def test_a_team_with_answers_or_invitations_cannot_be_deleted(sales):
    a, b, _ = sales
    survey = SurveyFactory()
    round_ = closed_round(survey, MONDAY)
    response_in(round_, team=a, department=a.department).save()
    invite(round_, person=PersonFactory(team=b))

    for team in (a, b):
        with pytest.raises(ProtectedError):
            team.delete()


def test_a_bounce_moves_no_participation_cell(sales):
    a, b, e = sales
    round_ = closed_round(SurveyFactory(min_group_size=5), MONDAY)
    for team, invited, answered in ((a, 2, 2), (b, 6, 3), (e, 5, 2)):
        for n in range(invited):
            invite(round_, answered=n < answered, person=PersonFactory(team=team))
    rounds = participation.rounds_seen(Filters())
    before = participation.team_participation(Filters(), rounds)

    unanswered = round_.invitations.filter(team=b, answered=False).first()
    unanswered.bounced_at = MONDAY
    unanswered.save()

    assert participation.team_participation(Filters(), rounds) == before
