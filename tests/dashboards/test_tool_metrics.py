"""The AI tools' metrics against hand-computed figures: accuracy per tool and per
week (survey verdicts of closed rounds and board ratings in cells of whole weeks
together), hours saved in total and as FTE, and open concerns per tool."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from dashboards import tool_figures
from dashboards.filters import Filters
from dashboards.metrics import pulse
from dashboards.metrics.accuracy import accuracy_by_tool, accuracy_trend
from dashboards.metrics.loop import concerns, open_by_tool
from feedback.models import OutputRating, Status
from org.models import Accuracy
from surveys.models import Answer, Question
from tests.dashboards.helpers import closed_round, responses_in
from tests.dashboards.test_pages_overview import WEEK_1, WEEK_2
from tests.feedback.factories import ConcernFactory
from tests.org.factories import AIToolFactory, TeamFactory
from tests.surveys.factories import QuestionFactory, SurveyFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("board_floor")]

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
    responses = responses_in(
        round_,
        count,
        team=team,
        department_id=team.department_id if team else None,
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


def rate(tool, *verdicts, on: dt.date) -> None:
    OutputRating.objects.bulk_create(
        OutputRating(ai_tool=tool, rating=verdict, rated_on=on) for verdict in verdicts
    )


def test_accuracy_per_tool_adds_survey_verdicts_and_board_ratings():
    tool = AIToolFactory(name="Drafter")
    survey, questions = tool_survey(tool)
    round_ = closed_round(survey, WEEK_1)
    answer_tool(round_, TeamFactory(), questions, verdicts=[C, C, C, M, X])
    # A week of 3 board ratings: a time cell at the floor (3).
    rate(tool, X, C, M, on=dt.date(2026, 3, 4))

    [row] = accuracy_by_tool(Filters())

    # 4 correct, 2 mostly, 2 incorrect of 8: 50%, 25%, 25%; right = 6/8.
    assert row["tool_name"] == "Drafter"
    assert (row["n"], row["from_surveys"], row["from_ratings"]) == (8, 5, 3)
    assert (row["correct"], row["mostly_correct"], row["incorrect"]) == (
        50.0,
        25.0,
        25.0,
    )
    assert row["right"] == 75.0
    assert row["suppressed"] is False


def test_a_cut_to_people_leaves_the_board_ratings_out():
    tool = AIToolFactory()
    survey, questions = tool_survey(tool)
    team = TeamFactory()
    answer_tool(closed_round(survey, WEEK_1), team, questions, verdicts=[C] * 4)
    rate(tool, X, X, X, on=dt.date(2026, 3, 4))

    [row] = accuracy_by_tool(Filters(team=team.pk))
    [everyone] = accuracy_by_tool(Filters())

    # Board ratings keep no person or team: a team's figure cannot hold them.
    assert (row["n"], row["correct"], row["from_ratings"]) == (4, 100.0, 0)
    assert (everyone["n"], everyone["correct"], everyone["from_ratings"]) == (
        7,
        57.1,
        3,
    )


def test_a_tool_with_fewer_verdicts_than_the_floor_is_hidden_alone():
    few, many = AIToolFactory(name="A few"), AIToolFactory(name="Many")
    for tool, count in ((few, 2), (many, 8)):
        survey, questions = tool_survey(tool, min_group_size=5)
        answer_tool(
            closed_round(survey, WEEK_1),
            None,
            questions,
            verdicts=[M] * count,
        )

    rows = {row["tool_name"]: row for row in accuracy_by_tool(Filters())}

    assert rows["A few"]["suppressed"] and rows["A few"]["mostly_correct"] is None
    assert rows["A few"]["n"] is None
    assert rows["A few"]["reason"] == "fewer than 5 verdicts"
    assert not rows["Many"]["suppressed"] and rows["Many"]["n"] == 8


def test_accuracy_per_week_dates_ratings_by_their_week():
    tool = AIToolFactory()
    survey, questions = tool_survey(tool)
    answer_tool(
        closed_round(survey, WEEK_1),
        None,
        questions,
        verdicts=[C, C, X],
    )
    for rating in (M, M, C, X):
        OutputRating.objects.create(
            ai_tool=tool, rating=rating, rated_on=WEEK_2.date() + dt.timedelta(days=2)
        )

    rows = accuracy_trend(Filters(tool=tool.pk))

    assert [row["week"] for row in rows] == [WEEK_1.date(), WEEK_2.date()]
    first, second = rows
    assert (first["n"], first["correct"], first["incorrect"], first["right"]) == (
        3,
        66.7,
        33.3,
        66.7,
    )
    assert (second["n"], second["mostly_correct"], second["right"]) == (4, 50.0, 75.0)


MONDAYS = [dt.date(2026, 3, 2) + dt.timedelta(weeks=n) for n in range(6)]


@pytest.fixture
def rated_weeks():
    """A tool whose board ratings came in over five weeks: 2, 1, 4, 2 and 5; an
    employee survey with a floor of 3 (the board's floor is the surveys')."""
    tool = AIToolFactory()
    tool_survey(tool, min_group_size=3)
    for monday, verdicts in zip(
        MONDAYS, ([C, C], [X], [M, M, M, C], [X, X], [C] * 5), strict=False
    ):
        rate(tool, *verdicts, on=monday + dt.timedelta(days=1))
    return tool


def test_board_ratings_count_in_whole_weeks_joined_until_they_reach_the_floor(
    rated_weeks,
):
    tool = rated_weeks
    with time_machine.travel(dt.datetime(2026, 4, 1, 12, tzinfo=dt.UTC)):
        rows = accuracy_trend(Filters(tool=tool.pk))
        [total] = accuracy_by_tool(Filters(tool=tool.pk))

    # Weeks 1 and 2 (2 + 1) are one cell, dated by its last week; week 3 (4) is
    # one; week 4 (2) waits, hidden, for more; week 5 is not over yet.
    assert [(r["week"], r["n"], r["correct"], r["incorrect"]) for r in rows] == [
        (MONDAYS[1], 3, 66.7, 33.3),
        (MONDAYS[2], 4, 25.0, 0.0),
    ]
    assert (total["n"], total["from_ratings"], total["mostly_correct"]) == (7, 7, 42.9)


def test_a_cell_of_ratings_once_formed_stays_and_dates_select_whole_cells(
    rated_weeks,
):
    tool = rated_weeks
    with time_machine.travel(dt.datetime(2026, 4, 8, 12, tzinfo=dt.UTC)):
        rows = accuracy_trend(Filters(tool=tool.pk))
        from_week_2 = accuracy_trend(Filters(tool=tool.pk, since=MONDAYS[1]))
        in_week_4 = accuracy_trend(
            Filters(tool=tool.pk, since=MONDAYS[3], until=MONDAYS[3])
        )

    # Week 5 is over: weeks 4 and 5 (2 + 5) make a cell; the earlier ones are as
    # they were.
    assert [(r["week"], r["n"]) for r in rows] == [
        (MONDAYS[1], 3),
        (MONDAYS[2], 4),
        (MONDAYS[4], 7),
    ]
    # A date range takes the whole cells it touches, never a part of one.
    assert [(r["week"], r["n"]) for r in from_week_2] == [
        (r["week"], r["n"]) for r in rows
    ]
    assert [(r["week"], r["n"]) for r in in_week_4] == [(MONDAYS[4], 7)]


def test_the_board_cells_stay_put_when_a_survey_with_another_floor_is_added():
    """The board's time cells must not depend on which surveys exist: a cell of
    4 ratings, and later the same week with the next one's single rating, would
    give that one rating away."""
    tool = AIToolFactory()
    tool_survey(tool, min_group_size=4)
    for monday, count in zip(MONDAYS, (4, 1, 5), strict=False):
        rate(tool, *[C] * count, on=monday + dt.timedelta(days=1))

    before = accuracy_trend(Filters(tool=tool.pk))
    SurveyFactory(min_group_size=5)  # a draft: no round yet
    after = accuracy_trend(Filters(tool=tool.pk))

    assert [(r["week"], r["n"]) for r in after] == [(r["week"], r["n"]) for r in before]


def test_hours_saved_in_total_and_as_fte_over_the_weeks_shown():
    tool = AIToolFactory(name="Drafter")
    survey, questions = tool_survey(tool)
    team = TeamFactory()
    answer_tool(closed_round(survey, WEEK_1), team, questions, hours=[4] * 6)
    answer_tool(closed_round(survey, WEEK_2), team, questions, hours=[6] * 6)

    rows = pulse.hours_saved(Filters())
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
            closed_round(survey, week),
            None,
            questions,
            hours=[5] * count,
        )

    [total] = tool_figures.hours_totals(pulse.hours_saved(Filters()))

    # Week 2 (2 people) is hidden and left out of the total; its neighbours are
    # rounds of their own, shown: 8 x 5 + 9 x 5 = 85 hours.
    assert (total["weeks"], total["hidden_weeks"], total["hours"]) == (2, 1, 85.0)


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


def test_one_persons_many_ratings_never_stand_for_a_group(employee, time_machine):
    """Four ratings by one person beside a colleague's one are five ratings but
    two raters: under the floor, so the colleague's verdict shows nowhere."""
    from feedback.services.ratings import output_rate
    from tests.org.factories import PersonFactory

    tool = AIToolFactory(name="Drafter", status="live")
    colleague = PersonFactory()
    time_machine.move_to(dt.datetime(2026, 3, 4, 10, tzinfo=dt.UTC), tick=False)
    for _ in range(4):
        output_rate(ai_tool=tool, rating=C, by_user=employee.user)
    output_rate(ai_tool=tool, rating=X, by_user=colleague.user)
    time_machine.move_to(dt.datetime(2026, 3, 10, 10, tzinfo=dt.UTC), tick=False)

    assert accuracy_trend(Filters(tool=tool.pk)) == []
    time_machine.move_to(dt.datetime(2026, 3, 11, 10, tzinfo=dt.UTC), tick=False)
    output_rate(ai_tool=tool, rating=M, by_user=PersonFactory().user)
    time_machine.move_to(dt.datetime(2026, 3, 17, 10, tzinfo=dt.UTC), tick=False)
    # Three raters over two weeks reach the (test's) floor of 3: one cell of 6.
    [cell] = accuracy_trend(Filters(tool=tool.pk))
    assert (cell["week"], cell["n"]) == (dt.date(2026, 3, 9), 6)


def _cells_one_rating_at_a_time(ratings, floor: int) -> list[tuple]:
    """The board's time cells as first written, from every rating: weeks joined
    until their distinct raters (a rating without one counting as one) reach the
    floor. The reference the grouped queries must match."""
    weeks: dict[dt.date, list] = {}
    for day, verdict, rater in sorted(ratings):
        weeks.setdefault(day - dt.timedelta(days=day.weekday()), []).append(
            (verdict, rater)
        )
    found, run, first, who = [], [], None, []
    for week, rated in sorted(weeks.items()):
        first = first or week
        run += [verdict for verdict, _ in rated]
        who += [rater for _, rater in rated]
        if len(set(who) - {""}) + who.count("") >= floor:
            found.append((first, week, sorted(run)))
            run, first, who = [], None, []
    return found


@pytest.mark.parametrize("seed", range(8))
def test_the_rating_cells_are_those_counted_one_rating_at_a_time(seed):
    import random

    pick = random.Random(seed)  # noqa: S311 (a fixed history, not a secret)
    tool = AIToolFactory()
    start = dt.date(2026, 1, 5)
    ratings = [
        (
            start + dt.timedelta(days=pick.randint(0, 10 * 7 - 1)),
            pick.choice([C, M, X]),
            pick.choice(["", "a", "b", "c", "d", "e", "f"]),
        )
        for _ in range(pick.randint(0, 40))
    ]
    OutputRating.objects.bulk_create(
        OutputRating(ai_tool=tool, rating=v, rated_on=day, rater=r)
        for day, v, r in ratings
    )
    from dashboards.metrics.accuracy import rating_cells

    for floor in (3, 5):
        cells = rating_cells(floor=floor, today=start + dt.timedelta(weeks=10))
        found = [
            (cell.first, cell.last, sorted(cell.counts.elements()))
            for cell in cells.get(tool.pk, [])
        ]
        assert found == _cells_one_rating_at_a_time(ratings, floor)
