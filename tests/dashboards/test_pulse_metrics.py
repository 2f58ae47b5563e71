"""Pulse metrics against hand-computed fixtures, through the privacy engine: each
closed round's people in cells of at least the survey's floor, every figure a sum
of whole cells."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from dashboards.filters import Filters
from dashboards.metrics import pulse
from dashboards.privacy import MERGED_AWAY
from surveys.models import Answer, Question
from tests.dashboards.helpers import closed_round, response_in, responses_in
from tests.org.factories import AIToolFactory, DepartmentFactory, TeamFactory
from tests.surveys.factories import QuestionFactory, RoundFactory, SurveyFactory

pytestmark = pytest.mark.django_db

WEEK_1 = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)  # a Monday
WEEK_2 = WEEK_1 + dt.timedelta(days=7)


@pytest.fixture
def pulse_survey():
    survey = SurveyFactory(min_group_size=3, comment_threshold=5)
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
    rounds = [closed_round(survey, start) for start in (WEEK_1, WEEK_2)]
    return survey, questions, rounds, tool


def _respond(round_, team, questions, *, trust, jobs, enps, hours, sentiment=None):
    response = response_in(round_, team=team, department=team.department)
    response.save()
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

    sentiment = pulse.sentiment_trend(Filters())
    enps = pulse.enps_trend(Filters())

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
    [row] = pulse.hours_saved(Filters())
    assert (row["tool_name"], row["hours"], row["per_person"], row["fte"]) == (
        "Copilot",
        10.0,
        3.33,
        0.25,
    )


def test_a_team_below_the_floor_shows_merged_with_its_next_smallest_sibling(
    pulse_survey,
):
    survey, questions, rounds, _ = pulse_survey
    department = DepartmentFactory()
    small, medium, large = (
        TeamFactory(name=name, department=department)
        for name in ("A small", "B medium", "C large")
    )
    for team, size, trust in ((small, 2, 1), (medium, 4, 4), (large, 9, 4)):
        for _ in range(size):
            _respond(rounds[0], team, questions, trust=trust, jobs=2, enps=8, hours=1)

    cells = pulse.driver_heatmap(Filters())

    by_team = {(c["team_name"], c["driver"]): c for c in cells}
    # The small team (2) is never shown alone, nor is the medium one (which would
    # give it away beside the total): the two are one cell of 6.
    assert {name for name, _ in by_team} == {"A small + B medium", "C large"}
    merged = by_team[("A small + B medium", "trust")]
    assert merged["team"] == tuple(sorted((str(small.pk), str(medium.pk))))
    assert (merged["n"], merged["mean"], merged["suppressed"]) == (6, 3.0, False)
    assert by_team[("A small + B medium", "job_security")]["mean"] == 2.0
    assert by_team[("C large", "trust")]["team"] == (str(large.pk),)
    assert by_team[("C large", "trust")]["mean"] == 4.0
    assert by_team[("C large", "job_security")]["mean"] == 2.0
    assert by_team[("C large", "trust")]["n"] == 9


def test_a_leader_sees_a_merged_cell_only_if_they_lead_every_team_in_it(
    pulse_survey,
):
    survey, questions, rounds, _ = pulse_survey
    department = DepartmentFactory()
    small, medium, large = (
        TeamFactory(name=name, department=department)
        for name in ("A small", "B medium", "C large")
    )
    for team, size in ((small, 2), (medium, 4), (large, 9)):
        for _ in range(size):
            _respond(rounds[0], team, questions, trust=4, jobs=2, enps=8, hours=1)

    partly = pulse.driver_heatmap(Filters(teams=(small.pk, large.pk)))
    wholly = pulse.driver_heatmap(Filters(teams=(small.pk, medium.pk)))

    # Leading the small team but not the medium one it is merged with: a hidden
    # row for their own team, saying why, and nothing of the other.
    hidden = [row for row in partly if row["team_name"] == "A small"]
    assert [row["driver"] for row in hidden] == ["job_security", "trust"]
    assert all(
        (row["suppressed"], row["reason"], row["n"], row["mean"])
        == (True, MERGED_AWAY, None, None)
        for row in hidden
    )
    assert {row["team_name"] for row in partly} == {"A small", "C large"}
    assert [row["n"] for row in partly if row["team_name"] == "C large"] == [9, 9]
    # Leading both teams of the cell: the cell, as HR sees it.
    assert {(row["team_name"], row["n"], row["mean"]) for row in wholly} == {
        ("A small + B medium", 6, 4.0),
        ("A small + B medium", 6, 2.0),
    }


def test_a_driver_that_fewer_than_the_floor_answered_in_a_cell_is_blank():
    survey = SurveyFactory(min_group_size=3)
    trust = [
        QuestionFactory(survey=survey, driver="trust", required=False, position=n)
        for n in (1, 2)
    ]
    jobs = QuestionFactory(survey=survey, driver="job_security", position=3)
    round_ = closed_round(survey, WEEK_1)
    team = TeamFactory()
    for person in range(6):
        response = response_in(round_, team=team, department=team.department)
        response.save()
        # Everyone answers job security; only 2 answer the two trust items.
        questions = [jobs, *trust] if person < 2 else [jobs]
        Answer.objects.bulk_create(
            Answer(response=response, question=question, number=Decimal(5))
            for question in questions
        )

    rows = {row["driver"]: row for row in pulse.driver_heatmap(Filters())}

    # 2 people (4 answers) are below the floor of 3: trust says nothing of them.
    assert (rows["job_security"]["n"], rows["job_security"]["mean"]) == (6, 5.0)
    assert (rows["trust"]["mean"], rows["trust"]["suppressed"]) == (None, True)
    assert rows["trust"]["reason"].startswith("fewer than 3")


def test_cells_across_departments_say_which_department_each_team_is_in():
    """The worked example of docs/PRIVACY.md, floor 5: Eng's only team (4)
    joins the smallest cell of the next smallest department, Sales."""
    survey = SurveyFactory(min_group_size=5)
    trust = QuestionFactory(survey=survey, driver="trust")
    round_ = closed_round(survey, WEEK_1)
    sales, ops, eng = (DepartmentFactory(name=n) for n in ("Sales", "Ops", "Eng"))
    for department, name, size in (
        (sales, "S2", 2),
        (sales, "S7", 7),
        (ops, "O3", 3),
        (ops, "O4", 4),
        (ops, "O12", 12),
        (eng, "E6", 4),
    ):
        team = TeamFactory(name=name, department=department)
        for response in responses_in(round_, size, team=team, department=department):
            Answer.objects.create(response=response, question=trust, number=4)

    rows = pulse.driver_heatmap(Filters())
    eng_only = pulse.driver_heatmap(Filters(department=eng.pk))

    assert [(row["team_name"], row["n"]) for row in rows] == [
        ("Eng: E6; Sales: S2 + S7", 13),
        ("O12", 12),
        ("O3 + O4", 7),
    ]
    assert [(row["team_name"], row["n"]) for row in eng_only] == [
        ("Eng: E6; Sales: S2 + S7", 13)
    ]
    [covered] = pulse.sentiment_trend(Filters(department=eng.pk))
    assert (covered["n"], covered["covers"]) == (
        13,
        "with S2 + S7, merged in to reach the floor",
    )


def test_a_weeks_figure_says_round_by_round_whom_it_merged_in_and_left_out(
    pulse_survey,
):
    survey, questions, rounds, _ = pulse_survey
    wednesday = closed_round(survey, WEEK_1 + dt.timedelta(days=2))  # same week
    department = DepartmentFactory()
    a, s, b = (TeamFactory(name=n, department=department) for n in "ASB")
    # Monday: S (2) is merged with A (5); Wednesday: S (4) stands alone.
    for round_, sizes in ((rounds[0], (5, 2, 6)), (wednesday, (5, 4, 6))):
        for team, size in zip((a, s, b), sizes, strict=True):
            for _ in range(size):
                _respond(round_, team, questions, trust=4, jobs=4, enps=9, hours=1)

    [team_s] = pulse.sentiment_trend(Filters(team=s.pk))
    [leader] = pulse.sentiment_trend(Filters(teams=(s.pk, b.pk)))

    assert (team_s["n"], team_s["covers"]) == (
        11,
        "with A in the round of 2 Mar 2026, merged in to reach the floor",
    )
    # A leader of S and B, not A: B in both rounds, S on Wednesday only.
    assert (leader["n"], leader["covers"]) == (
        16,
        f"without S in the round of 2 Mar 2026: {MERGED_AWAY}",
    )


def test_a_round_below_the_floor_shows_no_figure_and_hides_no_other(pulse_survey):
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

    index = pulse.sentiment_trend(Filters())
    tone = pulse.comment_sentiment_trend(Filters())

    # A date range takes whole rounds: the small round is hidden, not its
    # neighbour, which no view can subtract it from.
    assert [(r["n"], r["index"], r["suppressed"], r["reason"]) for r in index] == [
        (None, None, True, "fewer than 3 responses"),
        (6, 50.0, False, ""),
    ]
    assert [(r["sentiment"], r["reason"]) for r in tone] == [
        (None, "fewer than 5 comments"),
        (-0.4, ""),
    ]


def test_comment_figures_need_the_surveys_comment_threshold_of_commenters(
    pulse_survey,
):
    survey, questions, rounds, _ = pulse_survey
    team = TeamFactory()
    for sentiment in (0.5, 0.5, 0.5, 0.5, None):
        _respond(
            rounds[0],
            team,
            questions,
            trust=5,
            jobs=5,
            enps=10,
            hours=1,
            sentiment=sentiment,
        )

    [index] = pulse.sentiment_trend(Filters())
    [tone] = pulse.comment_sentiment_trend(Filters())

    # 5 answered (floor 3), but only 4 commented (threshold 5).
    assert (index["n"], index["index"]) == (5, 100.0)
    assert (tone["n"], tone["sentiment"], tone["suppressed"]) == (None, None, True)
    assert tone["reason"] == "fewer than 5 comments"


def test_only_closed_rounds_count(pulse_survey):
    survey, questions, rounds, _ = pulse_survey
    still_open = RoundFactory(survey=survey, starts_at=WEEK_2 + dt.timedelta(days=7))
    team = TeamFactory()
    for round_, trust in ((rounds[0], 5), (still_open, 1)):
        for _ in range(3):
            _respond(round_, team, questions, trust=trust, jobs=trust, enps=9, hours=1)

    # An open round's figures would move as people answer: none until it closes.
    assert [r["week"] for r in pulse.sentiment_trend(Filters())] == [WEEK_1.date()]
    assert [r["week"] for r in pulse.hours_saved(Filters())] == [WEEK_1.date()]


def test_filters_by_team_and_dates(pulse_survey):
    survey, questions, rounds, _ = pulse_survey
    mine, other = TeamFactory(), TeamFactory()
    for _ in range(3):
        _respond(rounds[0], mine, questions, trust=5, jobs=5, enps=10, hours=1)
        _respond(rounds[0], other, questions, trust=1, jobs=1, enps=0, hours=1)
        _respond(rounds[1], mine, questions, trust=3, jobs=3, enps=8, hours=1)
    only_mine = pulse.sentiment_trend(Filters(team=mine.pk))
    assert [(r["index"], r["covers"]) for r in only_mine] == [(100.0, ""), (50.0, "")]
    week_two = pulse.sentiment_trend(Filters(since=WEEK_2.date()))
    assert [(r["week"], r["n"]) for r in week_two] == [(WEEK_2.date(), 3)]


def test_the_floor_is_the_strictest_among_the_surveys_in_scope(pulse_survey):
    survey, *_ = pulse_survey
    SurveyFactory(min_group_size=7)
    assert pulse.floor_for(Filters()) == 7
    assert pulse.floor_for(Filters(survey=survey.pk)) == 3


# The rounds, one grouped query (the heatmap: two), the invited units; hours saved
# are per AI tool, framed by whom each round asked about it: these rounds, made
# by hand, kept nothing, so the survey's tool questions are read now (one query;
# none for rounds the scheduler opened).
QUERIES = {
    pulse.sentiment_trend: 3,
    pulse.enps_trend: 3,
    pulse.driver_heatmap: 4,
    pulse.hours_saved: 4,
    pulse.comment_sentiment_trend: 3,
}


@pytest.mark.parametrize("teams", [1, 7])
def test_each_metric_takes_the_same_queries_whatever_the_number_of_teams(
    pulse_survey, django_assert_num_queries, teams
):
    survey, questions, rounds, _ = pulse_survey
    department = DepartmentFactory()
    for size in [5, 2, 1, 4, 6, 2, 3][:teams]:  # small ones merged with siblings
        team = TeamFactory(department=department)
        for round_ in rounds:
            for _ in range(size):
                _respond(
                    round_,
                    team,
                    questions,
                    trust=4,
                    jobs=3,
                    enps=9,
                    hours=2,
                    sentiment=0.1,
                )
    for metric, queries in QUERIES.items():
        with django_assert_num_queries(queries):
            rows = metric(Filters())
        assert rows and not any(row["suppressed"] for row in rows)


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
    assert [r["index"] for r in pulse.sentiment_trend(scoped)] == [100.0]
    assert pulse.sentiment_trend(Filters(teams=())) == []
    assert scoped.query_string() == ""
    from django.http import QueryDict

    assert Filters.from_query(QueryDict(f"teams={other.pk}"))[0] == Filters()
