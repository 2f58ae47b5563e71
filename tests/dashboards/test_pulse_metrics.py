"""Pulse metrics against hand-computed fixtures, behind the anonymity floor."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from dashboards.filters import Filters
from dashboards.metrics import pulse
from surveys.models import Answer, Question, Response
from tests.org.factories import AIToolFactory, TeamFactory
from tests.surveys.factories import QuestionFactory, RoundFactory, SurveyFactory

pytestmark = pytest.mark.django_db

WEEK_1 = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)  # a Monday
WEEK_2 = WEEK_1 + dt.timedelta(days=7)


@pytest.fixture
def pulse_survey():
    survey = SurveyFactory(min_group_size=3)
    tool = AIToolFactory(name="Copilot")
    questions = {
        "trust": QuestionFactory(survey=survey, driver="trust"),
        "jobs": QuestionFactory(survey=survey, driver="job_security"),
        "enps": QuestionFactory(survey=survey, kind=Question.Kind.ENPS, driver=""),
        "hours": QuestionFactory(
            survey=survey, kind=Question.Kind.HOURS_SAVED, driver="", ai_tool=tool
        ),
        "comment": QuestionFactory(
            survey=survey, kind=Question.Kind.FREE_TEXT, driver="", required=False
        ),
    }
    rounds = [
        RoundFactory(survey=survey, starts_at=start) for start in (WEEK_1, WEEK_2)
    ]
    return survey, questions, rounds, tool


def _respond(round_, team, questions, *, trust, jobs, enps, hours, sentiment=None):
    response = Response.objects.create(
        round=round_,
        team=team,
        department=team.department,
    )
    values = {"trust": trust, "jobs": jobs, "enps": enps, "hours": hours}
    Answer.objects.bulk_create(
        Answer(response=response, question=questions[key], number=Decimal(str(v)))
        for key, v in values.items()
    )
    if sentiment is not None:
        Answer.objects.create(
            response=response,
            question=questions["comment"],
            text="words",
            sentiment=sentiment,
        )


def test_sentiment_index_and_enps_by_week_match_a_hand_count(pulse_survey):
    survey, questions, rounds, _ = pulse_survey
    team = TeamFactory()
    # Week 1, three people: Likert items 5,4 / 3,3 / 1,2 -> mean 3.0 -> index 50.
    # eNPS answers 10, 7, 3: one promoter, one detractor of three -> 0.
    for trust, jobs, enps in ((5, 4, 10), (3, 3, 7), (1, 2, 3)):
        _respond(rounds[0], team, questions, trust=trust, jobs=jobs, enps=enps, hours=1)
    # Week 2, four people: all 4s -> index 75; eNPS 9, 9, 10, 6 -> 75 - 25 = 50.
    for enps in (9, 9, 10, 6):
        _respond(rounds[1], team, questions, trust=4, jobs=4, enps=enps, hours=2)

    sentiment = pulse.sentiment_trend(Filters(), floor=3)
    enps = pulse.enps_trend(Filters(), floor=3)

    assert [(r["week"], r["n"], r["index"]) for r in sentiment] == [
        (dt.date(2026, 3, 2), 3, 50.0),
        (dt.date(2026, 3, 9), 4, 75.0),
    ]
    assert [r["enps"] for r in enps] == [0.0, 50.0]


def test_hours_saved_totals_and_fte(pulse_survey):
    survey, questions, rounds, tool = pulse_survey
    team = TeamFactory()
    for hours in (2, 3.5, 4.5):
        _respond(rounds[0], team, questions, trust=3, jobs=3, enps=8, hours=hours)
    [row] = pulse.hours_saved(Filters(), floor=3)
    assert (row["tool_name"], row["hours"], row["per_person"], row["fte"]) == (
        "Copilot",
        10.0,
        3.33,
        0.25,
    )


def test_a_team_below_the_floor_is_hidden_with_a_sibling_in_the_heatmap(pulse_survey):
    survey, questions, rounds, _ = pulse_survey
    small, medium, large = (
        TeamFactory(name="A small"),
        TeamFactory(name="B medium"),
        TeamFactory(name="C large"),
    )
    for team, size in ((small, 2), (medium, 4), (large, 9)):
        for _ in range(size):
            _respond(rounds[0], team, questions, trust=4, jobs=2, enps=8, hours=1)

    cells = pulse.driver_heatmap(Filters(), floor=3)

    by_team = {(c["team_name"], c["driver"]): c for c in cells}
    assert by_team[("A small", "trust")]["mean"] is None
    # Hiding only the small team would let it be recovered from the total: the
    # next smallest team goes with it.
    assert by_team[("B medium", "trust")]["suppressed"] is True
    assert by_team[("C large", "trust")]["mean"] == 4.0
    assert by_team[("C large", "job_security")]["mean"] == 2.0
    assert by_team[("C large", "trust")]["n"] == 9


def test_a_week_below_the_floor_shows_no_figure(pulse_survey):
    survey, questions, rounds, _ = pulse_survey
    team = TeamFactory()
    for _ in range(2):
        _respond(
            rounds[0], team, questions, trust=5, jobs=5, enps=10, hours=1, sentiment=0.9
        )
    for _ in range(6):
        _respond(
            rounds[1], team, questions, trust=3, jobs=3, enps=5, hours=1, sentiment=-0.4
        )
    trend = pulse.comment_sentiment_trend(Filters(), floor=3)
    assert [r["suppressed"] for r in trend] == [True, True]  # two siblings only
    wide = pulse.sentiment_trend(Filters(), floor=2)
    assert [r["index"] for r in wide] == [100.0, 50.0]


def test_filters_by_team_and_dates(pulse_survey):
    survey, questions, rounds, _ = pulse_survey
    mine, other = TeamFactory(), TeamFactory()
    for _ in range(3):
        _respond(rounds[0], mine, questions, trust=5, jobs=5, enps=10, hours=1)
        _respond(rounds[0], other, questions, trust=1, jobs=1, enps=0, hours=1)
        _respond(rounds[1], mine, questions, trust=3, jobs=3, enps=8, hours=1)
    only_mine = pulse.sentiment_trend(Filters(team=mine.pk), floor=3)
    assert [r["index"] for r in only_mine] == [100.0, 50.0]
    week_two = pulse.sentiment_trend(Filters(since=WEEK_2.date()), floor=3)
    assert [(r["week"], r["n"]) for r in week_two] == [(WEEK_2.date(), 3)]


def test_the_floor_is_the_strictest_among_the_surveys_in_scope(pulse_survey):
    survey, *_ = pulse_survey
    SurveyFactory(min_group_size=7)
    assert pulse.floor_for(Filters()) == 7
    assert pulse.floor_for(Filters(survey=survey.pk)) == 3


def test_each_metric_is_one_query_whatever_the_number_of_teams(
    pulse_survey, django_assert_num_queries
):
    survey, questions, rounds, _ = pulse_survey
    for _ in range(6):
        team = TeamFactory()
        for _ in range(3):
            _respond(rounds[0], team, questions, trust=4, jobs=3, enps=9, hours=2)
    for metric in (
        pulse.sentiment_trend,
        pulse.enps_trend,
        pulse.driver_heatmap,
        pulse.hours_saved,
        pulse.comment_sentiment_trend,
    ):
        with django_assert_num_queries(1):
            metric(Filters(), floor=3)


def test_bad_filter_values_are_ignored_with_a_message():
    from django.http import QueryDict

    filters, problems = Filters.from_query(
        QueryDict("since=yesterday&team=-3&survey=4&until=2026-01-01&tool=x")
    )
    assert filters == Filters(survey=4, until=dt.date(2026, 1, 1))
    assert len(problems) == 3
    swapped, problems = Filters.from_query(
        QueryDict("since=2026-03-09&until=2026-03-02")
    )
    assert swapped == Filters() and "after" in problems[0]
    assert Filters(team=3, survey=1).query_string() == "team=3&survey=1"


def test_a_leaders_teams_limit_every_figure_and_never_reach_the_url(pulse_survey):
    survey, questions, rounds, _ = pulse_survey
    mine, other = TeamFactory(), TeamFactory()
    for _ in range(3):
        _respond(rounds[0], mine, questions, trust=5, jobs=5, enps=10, hours=1)
        _respond(rounds[0], other, questions, trust=1, jobs=1, enps=0, hours=1)
    scoped = Filters(teams=(mine.pk,))
    assert [r["index"] for r in pulse.sentiment_trend(scoped, floor=3)] == [100.0]
    assert pulse.sentiment_trend(Filters(teams=()), floor=3) == []
    assert scoped.query_string() == ""
    from django.http import QueryDict

    assert Filters.from_query(QueryDict(f"teams={other.pk}"))[0] == Filters()
