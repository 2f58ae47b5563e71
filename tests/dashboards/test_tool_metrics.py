"""The AI tools' metrics against hand-computed figures: accuracy per tool and per
week (survey verdicts and board ratings together), hours saved in total and as
FTE, and open concerns per tool."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from dashboards import tool_figures
from dashboards.filters import Filters
from dashboards.metrics import pulse
from dashboards.metrics.accuracy import accuracy_by_tool, accuracy_trend
from dashboards.metrics.loop import concerns, open_by_tool
from feedback.models import OutputRating, Status
from org.models import Accuracy
from surveys.models import Answer, Question, Response
from tests.dashboards.test_pages_overview import WEEK_1, WEEK_2
from tests.feedback.factories import ConcernFactory
from tests.org.factories import AIToolFactory, TeamFactory
from tests.surveys.factories import QuestionFactory, RoundFactory, SurveyFactory

pytestmark = pytest.mark.django_db

Kind = Question.Kind


def tool_survey(tool, *, min_group_size: int = 3):
    """An employee survey asking about one tool: hours saved and accuracy."""
    survey = SurveyFactory(min_group_size=min_group_size)
    questions = {
        "hours": QuestionFactory(
            survey=survey, kind=Kind.HOURS_SAVED, driver="", ai_tool=tool, position=1
        ),
        "accuracy": QuestionFactory(
            survey=survey, kind=Kind.AI_ACCURACY, driver="", ai_tool=tool, position=2
        ),
    }
    return survey, questions


def answer_tool(round_, team, questions, *, hours=None, verdicts=()):
    """One response per verdict (or `hours` list entry), from `team`."""
    count = max(len(verdicts), len(hours or ()))
    responses = Response.objects.bulk_create(
        Response(
            round=round_,
            team=team,
            department_id=team.department_id if team else None,
        )
        for _ in range(count)
    )
    answers = []
    for index, response in enumerate(responses):
        if hours and index < len(hours):
            answers.append(
                Answer(
                    response=response,
                    question=questions["hours"],
                    number=Decimal(str(hours[index])),
                )
            )
        if index < len(verdicts):
            answers.append(
                Answer(
                    response=response,
                    question=questions["accuracy"],
                    choice=verdicts[index],
                )
            )
    Answer.objects.bulk_create(answers)


C, M, X = Accuracy.CORRECT, Accuracy.MOSTLY_CORRECT, Accuracy.INCORRECT


def test_accuracy_per_tool_adds_survey_verdicts_and_board_ratings():
    tool = AIToolFactory(name="Drafter")
    survey, questions = tool_survey(tool)
    round_ = RoundFactory(survey=survey, starts_at=WEEK_1)
    answer_tool(round_, TeamFactory(), questions, verdicts=[C, C, C, M, X])
    OutputRating.objects.create(ai_tool=tool, rating=X, rated_on=dt.date(2026, 3, 4))

    [row] = accuracy_by_tool(Filters(), floor=3)

    # 3 correct, 1 mostly, 2 incorrect of 6: 50%, 16.7%, 33.3%; right = 4/6.
    assert row["tool_name"] == "Drafter"
    assert (row["n"], row["from_surveys"], row["from_ratings"]) == (6, 5, 1)
    assert (row["correct"], row["mostly_correct"], row["incorrect"]) == (
        50.0,
        16.7,
        33.3,
    )
    assert row["right"] == 66.7
    assert row["suppressed"] is False


def test_a_cut_to_people_leaves_the_board_ratings_out():
    tool = AIToolFactory()
    survey, questions = tool_survey(tool)
    team = TeamFactory()
    answer_tool(
        RoundFactory(survey=survey, starts_at=WEEK_1), team, questions, verdicts=[C] * 4
    )
    OutputRating.objects.create(ai_tool=tool, rating=X, rated_on=dt.date(2026, 3, 4))

    [row] = accuracy_by_tool(Filters(team=team.pk), floor=3)

    assert (row["n"], row["correct"], row["from_ratings"]) == (4, 100.0, 0)


def test_a_tool_with_fewer_verdicts_than_the_floor_is_hidden_alone():
    few, many = AIToolFactory(name="A few"), AIToolFactory(name="Many")
    for tool, count in ((few, 2), (many, 8)):
        survey, questions = tool_survey(tool, min_group_size=5)
        answer_tool(
            RoundFactory(survey=survey, starts_at=WEEK_1),
            None,
            questions,
            verdicts=[M] * count,
        )

    rows = {row["tool_name"]: row for row in accuracy_by_tool(Filters(), floor=5)}

    assert rows["A few"]["suppressed"] and rows["A few"]["mostly_correct"] is None
    assert rows["A few"]["n"] is None
    assert not rows["Many"]["suppressed"] and rows["Many"]["n"] == 8


def test_accuracy_per_week_dates_ratings_by_their_week():
    tool = AIToolFactory()
    survey, questions = tool_survey(tool)
    answer_tool(
        RoundFactory(survey=survey, starts_at=WEEK_1),
        None,
        questions,
        verdicts=[C, C, X],
    )
    for rating in (M, M, C, X):
        OutputRating.objects.create(
            ai_tool=tool, rating=rating, rated_on=WEEK_2.date() + dt.timedelta(days=2)
        )

    rows = accuracy_trend(Filters(tool=tool.pk), floor=3)

    assert [row["week"] for row in rows] == [WEEK_1.date(), WEEK_2.date()]
    first, second = rows
    assert (first["n"], first["correct"], first["incorrect"], first["right"]) == (
        3,
        66.7,
        33.3,
        66.7,
    )
    assert (second["n"], second["mostly_correct"], second["right"]) == (4, 50.0, 75.0)


def test_hours_saved_in_total_and_as_fte_over_the_weeks_shown():
    tool = AIToolFactory(name="Drafter")
    survey, questions = tool_survey(tool)
    team = TeamFactory()
    answer_tool(
        RoundFactory(survey=survey, starts_at=WEEK_1), team, questions, hours=[4] * 6
    )
    answer_tool(
        RoundFactory(survey=survey, starts_at=WEEK_2), team, questions, hours=[6] * 6
    )

    rows = pulse.hours_saved(Filters(), floor=3)
    [total] = tool_figures.hours_totals(rows)

    # 24 + 36 = 60 hours over 2 weeks: 30 a week, 30 / 40 = 0.75 FTE.
    assert [row["hours"] for row in rows] == [24.0, 36.0]
    assert [row["fte"] for row in rows] == [0.6, 0.9]
    assert (total["hours"], total["weeks"], total["per_week"], total["fte"]) == (
        60.0,
        2,
        30.0,
        0.75,
    )


def test_hidden_weeks_are_counted_never_added_to_the_total():
    tool = AIToolFactory()
    survey, questions = tool_survey(tool, min_group_size=5)
    for week, count in ((WEEK_1, 8), (WEEK_2, 2), (WEEK_2 + dt.timedelta(7), 9)):
        answer_tool(
            RoundFactory(survey=survey, starts_at=week),
            None,
            questions,
            hours=[5] * count,
        )

    [total] = tool_figures.hours_totals(pulse.hours_saved(Filters(), floor=5))

    # Week 2 (2 people) is hidden, and so is the smaller shown week (8) with it.
    assert (total["weeks"], total["hidden_weeks"], total["hours"]) == (1, 2, 45.0)


def test_open_concerns_per_tool():
    drafter, searcher = AIToolFactory(name="Drafter"), AIToolFactory(name="Search")
    now = timezone.now()
    late = now - dt.timedelta(days=1)
    ConcernFactory(ai_tool=drafter, first_response_due_at=late)  # open, overdue
    ConcernFactory(ai_tool=drafter, first_response_due_at=late, first_responded_at=now)
    ConcernFactory(ai_tool=drafter, status=Status.RESOLVED, outcome="Done.")
    ConcernFactory(ai_tool=searcher)
    ConcernFactory(ai_tool=None)

    rows = open_by_tool(concerns(), now=now)

    assert [
        (row["tool_name"], row["open"], row["overdue"], row["total"]) for row in rows
    ] == [("Drafter", 2, 1, 3), ("Search", 1, 0, 1)]
