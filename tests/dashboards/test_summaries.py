"""Per-round summaries: a closed, fully released round is summarised once, and
every figure of every dashboard page read from summaries (a view of everyone
adding them up per round in the database, any other view per cell) is the one
its raw answers and invitations give, to the bit."""

from __future__ import annotations

import datetime as dt
import random
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from config.scheduler import tick_all
from dashboards.filters import Filters
from dashboards.metrics import comments, customers, participation, pulse
from dashboards.metrics.accuracy import accuracy_by_tool, accuracy_trend
from dashboards.models import DriverCell, RoundSummary, UnitComment, UnitFigure
from dashboards.privacy import EVERYONE, People, populations, round_infos
from dashboards.summaries import (
    figure_populations,
    round_summarise,
    rounds_summarise_due,
    unit_rows,
)
from org.models import Accuracy
from surveys.models import Answer, Invitation, Question, SealedResponse, Survey
from tests.dashboards.helpers import closed_round, response_in
from tests.org.factories import (
    AIToolFactory,
    DepartmentFactory,
    PersonFactory,
    TeamFactory,
)
from tests.surveys.factories import QuestionFactory, RoundFactory, SurveyFactory

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)  # a Monday
NOW = START + dt.timedelta(days=60)
Kind = Question.Kind


def _participation(view: Filters) -> list[dict]:
    return participation.participation(view, participation.rounds_seen(view))


def _team_participation(view: Filters) -> list[dict]:
    return participation.team_participation(view, participation.rounds_seen(view))


METRICS = (
    pulse.sentiment_trend,
    pulse.enps_trend,
    pulse.comment_sentiment_trend,
    pulse.driver_heatmap,
    pulse.hours_saved,
    accuracy_by_tool,
    accuracy_trend,
    _participation,
    _team_participation,
    comments.comment_rounds,
    customers.csat_trend,
    customers.tool_csat,
    customers.nps_trend,
    customers.comment_sentiment_trend,
)


@pytest.fixture
def history():
    """Two employee surveys (floors 3 and 5) over four weeks, two of them with a
    round of each, everyone in the teams invited; teams of 1 to 9 people in
    three departments, some below the floor, one round answered by two people
    only; an optional driver question, hours and verdicts for two tools (hours
    for none too), comments with and without a score; and a customer survey
    (NPS, CSAT overall and with a tool's help, comments), some of its rounds
    below the floor."""
    pick = random.Random(7)  # noqa: S311 (a fixed history, not a secret)
    tools = [AIToolFactory(name="Copilot"), AIToolFactory(name="Claude")]
    teams = [
        TeamFactory(name=f"T{n}", department=department)
        for department in (DepartmentFactory() for _ in range(3))
        for n in range(4)
    ]
    staff = {team: PersonFactory.create_batch(9, team=team) for team in teams}
    surveys = [
        _employee_survey(floor, threshold, tools)
        for floor, threshold in ((3, 4), (5, 5))
    ]
    customer = _customer_survey(tools[0])
    rounds = []
    for week in range(4):
        for index, (survey, questions) in enumerate(surveys):
            if index and week % 2:
                continue
            starts = START + dt.timedelta(days=7 * week, hours=index)
            round_ = closed_round(survey, starts)
            rounds.append(round_)
            for team in teams:
                answering = pick.randint(0, 9)
                if index == 1 and week == 2:
                    # The whole round: two people, below its floor.
                    answering = 2 if team is teams[1] else 0
                _invite(round_, staff[team], answering)
                for _ in range(answering):
                    _answer(round_, team, questions, pick)
        # Two customers in the second week: below the floor.
        count = 2 if week == 1 else pick.randint(3, 12)
        _customers(customer, START + dt.timedelta(days=7 * week), count, pick)
    return teams, tools, surveys, rounds


def _employee_survey(floor: int, threshold: int, tools) -> tuple:
    survey = SurveyFactory(min_group_size=floor, comment_threshold=threshold)
    questions = [
        QuestionFactory(survey=survey, driver="trust"),
        QuestionFactory(survey=survey, driver="job_security"),
        QuestionFactory(survey=survey, driver="workload", required=False),
        QuestionFactory(survey=survey, driver=""),
        QuestionFactory(survey=survey, kind=Kind.ENPS, driver=""),
        *(
            QuestionFactory(survey=survey, kind=Kind.HOURS_SAVED, driver="", ai_tool=t)
            for t in (*tools, None)
        ),
        *(
            QuestionFactory(
                survey=survey,
                kind=Kind.AI_ACCURACY,
                driver="",
                ai_tool=t,
                required=False,
            )
            for t in tools
        ),
        # One survey's comments are about a driver: the page lists them by it.
        QuestionFactory(
            survey=survey,
            kind=Kind.FREE_TEXT,
            driver="trust" if floor == 3 else "",
            required=False,
        ),
    ]
    return survey, questions


def _customer_survey(tool) -> tuple:
    survey = SurveyFactory(audience=Survey.Audience.CUSTOMERS, min_group_size=3)
    questions = [
        QuestionFactory(survey=survey, kind=Kind.ENPS, driver=""),
        QuestionFactory(survey=survey, kind=Kind.CSAT, driver=""),
        QuestionFactory(survey=survey, kind=Kind.CSAT, driver="", ai_tool=tool),
        QuestionFactory(survey=survey, kind=Kind.FREE_TEXT, driver="", required=False),
    ]
    return survey, questions


def _invite(round_, people, answering: int) -> None:
    """Everyone in the team invited, the first `answering` of them answered."""
    Invitation.objects.bulk_create(
        Invitation(
            round=round_,
            person=person,
            team=person.team,
            department=person.team.department,
            sent_at=round_.starts_at,
            answered=n < answering,
        )
        for n, person in enumerate(people)
    )


def _customers(customer, starts, count: int, pick) -> None:
    survey, questions = customer
    round_ = closed_round(survey, starts)
    for _ in range(count):
        response = response_in(round_, segment="")
        response.save()
        _answers(response, questions, pick)


def _answer(round_, team, questions, pick) -> None:
    response = response_in(round_, team=team, department=team.department)
    response.save()
    _answers(response, questions, pick)


def _answers(response, questions, pick) -> None:
    answers = []
    for question in questions:
        kind = question.kind
        if not question.required and pick.random() < 0.4:
            continue
        if kind == Kind.LIKERT:
            value = Decimal(pick.randint(1, 5))
        elif kind == Kind.ENPS:
            value = Decimal(pick.randint(0, 10))
        elif kind == Kind.CSAT:
            value = Decimal(pick.randint(1, 5))
        elif kind == Kind.HOURS_SAVED:
            value = Decimal(pick.randint(0, 120)) / 10  # 0.1 steps: inexact floats
        elif kind == Kind.AI_ACCURACY:
            answers.append(
                Answer(
                    response=response,
                    question=question,
                    choice=pick.choice([*Accuracy.values, "not_sure"]),
                )
            )
            continue
        else:
            scored = pick.random() < 0.8
            answers.append(
                Answer(
                    response=response,
                    question=question,
                    text="words",
                    # VADER's four decimals, as `surveys.sentiment` keeps them.
                    sentiment=round(pick.uniform(-1, 1), 4) if scored else None,
                )
            )
            continue
        answers.append(Answer(response=response, question=question, number=value))
    Answer.objects.bulk_create(answers)


def _views(teams, tools, surveys) -> list[Filters]:
    """Everyone, each team, department, survey and tool, a date range, a
    leader's teams, and published results only."""
    return [
        Filters(),
        *(Filters(team=team.pk) for team in teams),
        *(Filters(department=d) for d in {team.department_id for team in teams}),
        *(Filters(survey=survey.pk) for survey, _ in surveys),
        *(Filters(tool=tool.pk) for tool in tools),
        Filters(since=(START + dt.timedelta(days=7)).date()),
        Filters(until=(START + dt.timedelta(days=14)).date()),
        Filters(teams=(teams[0].pk, teams[1].pk, teams[5].pk)),
        Filters(teams=(teams[0].pk,), team=teams[0].pk),
        Filters(published_only=True),
    ]


def _figures(views) -> list:
    return [[metric(view) for metric in METRICS] for view in views]


CSVS = {
    "dashboards:overview": (
        "sentiment",
        "comments",
        "drivers",
        "participation",
        "team_participation",
    ),
    "dashboards:tools": ("hours", "hours_total", "accuracy"),
    "dashboards:customers": ("csat_nps", "customer_comments"),
}


CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="\w+"')


def _comment_lists(views) -> list:
    """The comments each view lists, for every driver and tone asked, two to a
    round (so the ranking cuts most rounds short)."""
    return [
        comments.comments(view, shuffle_key="a key", driver=driver, tone=tone, limit=2)
        for view in views
        for driver in (None, "trust", "workload")
        for tone in (None, *comments.Tone)
    ]


def _pages(client, teams, tools) -> list[bytes]:
    """Every chart's CSV of every page, for everyone and for a team, each
    tool's page, and the comments page (its texts, in their order)."""
    found = []
    for query in ({}, {"team": teams[1].pk}, {"department": teams[4].department_id}):
        for name, charts in CSVS.items():
            for chart in charts:
                found.append(client.get(reverse(name), {**query, "csv": chart}).content)
        page = client.get(reverse("dashboards:comments"), query).content
        found.append(CSRF.sub(b"", page))  # a new token each time: not a figure
    for tool in tools:
        url = reverse("dashboards:tool", args=[tool.pk])
        for chart in ("tool_hours", "tool_accuracy", "beside"):
            found.append(client.get(url, {"csv": chart}).content)
    return found


def test_every_figure_read_from_summaries_is_the_one_raw_rows_give(
    history, hr, signed_in
):
    teams, tools, surveys, rounds = history
    views = _views(teams, tools, surveys)
    client = signed_in(hr)
    raw, raw_pages = _figures(views), _pages(client, teams, tools)
    raw_comments = _comment_lists(views)
    assert any(row.comments for rows in raw_comments for row in rows)
    assert any(row.more for rows in raw_comments for row in rows)

    assert rounds_summarise_due(now=NOW) == len(rounds) + 4  # and the customers'
    summarised = _figures(views)

    assert summarised == raw
    assert _pages(client, teams, tools) == raw_pages
    assert _comment_lists(views) == raw_comments
    assert any(b"words" in page for page in raw_pages)  # the comments listed
    everyone = raw[0]
    assert any(row["suppressed"] for row in everyone[3])  # some cells hidden
    # A week's round below its floor, left out and said so: with every team it
    # invited, never only the one whose people answered (T1).
    assert any(
        "without Department" in row["covers"] and "T0 + T1 + T2 + T3" in row["covers"]
        for row in everyone[0]
    )
    assert any(row["suppressed"] for row in everyone[10])  # a customers' round
    assert UnitFigure.objects.filter(figure="driver", driver="workload").exists()
    for name in ("accuracy", "csat", "tool_csat", "invitees"):
        assert UnitFigure.objects.filter(figure=name).exists(), name
    # Each round's whole: no team, no department, one row per key.
    wholes = UnitFigure.objects.filter(whole=True)
    assert not wholes.filter(team__isnull=False).exists()
    assert wholes.filter(figure="index").count() == len(rounds)


def test_half_the_rounds_summarised_give_the_same_figures(history, hr, signed_in):
    """Summarised and raw rounds side by side in one week and one view."""
    teams, tools, surveys, rounds = history
    views = _views(teams, tools, surveys)
    client = signed_in(hr)
    raw, raw_pages = _figures(views), _pages(client, teams, tools)

    raw_comments = _comment_lists(views)
    for round_ in rounds[::2]:
        assert round_summarise(round_=round_, now=NOW)

    assert _figures(views) == raw
    assert _pages(client, teams, tools) == raw_pages
    assert _comment_lists(views) == raw_comments


def test_a_view_of_everyone_reads_a_summarised_round_as_one_whole(history):
    """Rounds, not rounds x teams: a summarised round is one row of everyone's
    numbers, its cells unread; a round below the floor is read per unit, to
    say whose figure it hides."""
    teams, _, surveys, rounds = history
    rounds_summarise_due(now=NOW)
    infos = round_infos(Filters())

    found = figure_populations("index", infos, People())
    cells = figure_populations(
        "index", infos, People(department=teams[0].department_id)
    )

    small = {
        info.pk
        for info in infos.values()
        if info.day == (START + dt.timedelta(days=14)).date()
        and info.survey == surveys[1][0].pk
    }
    wholes = [p for p in found if p.round.pk not in small]
    assert len(found) == len(infos)
    assert all(list(p.stats) == [EVERYONE] for p in wholes)
    # Every unit the round invited, though only one of them answered.
    assert [len(p.stats) for p in found if p.round.pk in small] == [len(teams)]
    assert [list(p.stats) for p in found if p.round.pk in small] != [[EVERYONE]]
    assert all(EVERYONE not in p.stats for p in cells)
    with pytest.raises(ValueError, match="everyone"):
        wholes[0].choose(People(team=teams[0].pk))


def test_the_heatmap_of_everyone_adds_up_the_stored_cells(history):
    """Each summarised round keeps its cells of the index's people, cut at its
    floor; the heatmap of everyone reads those, in a fixed number of queries
    (the rounds, the cells, their drivers, the names), not the teams' rows."""
    teams, _, _, rounds = history
    raw = pulse.driver_heatmap(Filters())
    rounds_summarise_due(now=NOW)

    assert DriverCell.objects.filter(driver="", shown=False).exists()
    assert DriverCell.objects.filter(counted=False).exclude(driver="").exists()
    assert set(RoundSummary.objects.values_list("floor", flat=True)) == {3, 5}
    with CaptureQueriesContext(connection) as queries:
        assert pulse.driver_heatmap(Filters()) == raw
    assert not any("dashboards_unitfigure" in q["sql"] for q in queries)
    assert len(queries) <= 8


def test_the_comments_of_summarised_rounds_are_ranked_from_their_summary(history):
    """Not from every answer ever given: one query over the shown rounds' stored
    comments, which never joins the responses to find a comment's round."""
    _, _, _, rounds = history
    rounds_summarise_due(now=NOW)
    shown = comments.comment_rounds(Filters())

    with CaptureQueriesContext(connection) as queries:
        comments.fill_comments(shown, shuffle_key="a key")

    assert len(queries) == 1
    assert "dashboards_unitcomment" in queries[0]["sql"]
    assert "surveys_response" not in queries[0]["sql"]
    assert any(row.comments for row in shown)
    assert all(row.summarised for row in shown)
    written = Answer.objects.filter(question__kind=Kind.FREE_TEXT).exclude(text="")
    assert UnitComment.objects.count() == written.count()


@pytest.mark.parametrize("summarised", [False, True])
def test_invitees_are_their_own_frame(history, summarised):
    """Participation per team cuts its cells from the invitees' rows alone: the
    units every invitation went to (the privacy engine's frame) are theirs, so
    reading the frame again gives the same cells, raw or summarised."""
    if summarised:
        rounds_summarise_due(now=NOW)
    rounds = {info.pk: info for info in participation.rounds_seen(Filters())}
    rows = unit_rows("invitees", rounds)

    framed = populations(rows, rounds)
    alone = populations(rows, rounds, framed=False)

    assert [(p.round.pk, p.cells) for p in alone] == [
        (p.round.pk, p.cells) for p in framed
    ]
    assert len(alone) == len(rounds)


def test_a_round_whose_floor_moved_since_is_cut_again_from_its_units(history):
    """A round from before rounds kept their floor follows its survey's: raised
    after the round was summarised, its stored cells are stale and unread."""
    teams, tools, surveys, rounds = history
    survey = surveys[0][0]
    survey.rounds.update(min_group_size=None)  # kept none: from before they did
    rounds_summarise_due(now=NOW)
    before = pulse.driver_heatmap(Filters())
    survey.min_group_size = 4
    survey.save(update_fields=["min_group_size"])
    views = _views(teams, tools, surveys)

    summarised = _figures(views)
    RoundSummary.objects.all().delete()  # every figure from raw answers again
    assert _figures(views) == summarised
    assert pulse.driver_heatmap(Filters()) != before


def test_pages_read_the_summary_not_the_answers_of_a_summarised_round(history):
    teams, _, surveys, rounds = history
    before = pulse.sentiment_trend(Filters())
    assert round_summarise(round_=rounds[0], now=NOW)

    # An answer written behind the summary's back (none can be, the round is
    # closed) moves nothing: the page reads the summary.
    response = response_in(rounds[0], team=teams[0], department=teams[0].department)
    response.save()
    Answer.objects.create(response=response, question=surveys[0][1][0], number=5)

    assert pulse.sentiment_trend(Filters()) == before


def test_rows_left_without_their_summary_are_written_again_not_added_to(history):
    _, _, _, rounds = history
    assert round_summarise(round_=rounds[0], now=NOW)
    rows = list(UnitFigure.objects.filter(round=rounds[0]).values_list("people"))
    cells = DriverCell.objects.filter(round=rounds[0]).count()
    RoundSummary.objects.all().delete()

    assert round_summarise(round_=rounds[0], now=NOW)
    again = list(UnitFigure.objects.filter(round=rounds[0]).values_list("people"))
    assert sorted(again) == sorted(rows)
    assert DriverCell.objects.filter(round=rounds[0]).count() == cells


def test_summarising_twice_writes_nothing_more(history):
    _, _, _, rounds = history
    assert round_summarise(round_=rounds[0], now=NOW)
    rows = list(UnitFigure.objects.filter(round=rounds[0]).values())

    assert not round_summarise(round_=rounds[0], now=NOW + dt.timedelta(days=1))
    assert list(UnitFigure.objects.filter(round=rounds[0]).values()) == rows
    summary = RoundSummary.objects.get(round=rounds[0])
    assert summary.summarised_at == NOW


def test_a_round_open_or_with_sealed_answers_waiting_is_not_summarised():
    survey = SurveyFactory()
    still_open = RoundFactory(survey=survey, starts_at=START, closed_at=None)
    sealed = closed_round(survey, START + dt.timedelta(days=7))
    SealedResponse.objects.create(round=sealed, sealed_group=b"", sealed_answers=b"")

    assert rounds_summarise_due(now=NOW) == 0
    assert not round_summarise(round_=still_open, now=NOW)
    assert not round_summarise(round_=sealed, now=NOW)
    assert not RoundSummary.objects.exists()

    SealedResponse.objects.filter(round=sealed).delete()  # its last batch released
    assert rounds_summarise_due(now=NOW) == 1
    assert list(RoundSummary.objects.values_list("round", flat=True)) == [sealed.pk]


def test_the_scheduler_summarises_rounds_after_the_surveys_close_them(history):
    _, _, _, rounds = history
    reports = tick_all(now=NOW, inline=True)

    assert f"dashboards: {len(rounds) + 4} summarised" in reports
    assert "dashboards: nothing due" in tick_all(now=NOW, inline=True)
    assert RoundSummary.objects.count() == len(rounds) + 4
