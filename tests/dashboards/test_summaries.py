"""Per-round summaries: a closed, fully released round is summarised once, and
every figure of the Sentiment page read from summaries is the one its raw
answers give, to the bit."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest
from django.urls import reverse

from config.scheduler import tick_all
from dashboards.filters import Filters
from dashboards.metrics import comments, customers, pulse
from dashboards.models import RoundSummary, UnitFigure
from dashboards.summaries import round_summarise, rounds_summarise_due
from surveys.models import Answer, Question, SealedResponse, Survey
from tests.dashboards.helpers import closed_round, response_in
from tests.org.factories import AIToolFactory, DepartmentFactory, TeamFactory
from tests.surveys.factories import QuestionFactory, RoundFactory, SurveyFactory

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)  # a Monday
NOW = START + dt.timedelta(days=60)
METRICS = (
    pulse.sentiment_trend,
    pulse.enps_trend,
    pulse.comment_sentiment_trend,
    pulse.driver_heatmap,
    pulse.hours_saved,
    customers.nps_trend,
)


@pytest.fixture
def history():
    """Two employee surveys (floors 3 and 5) over four weeks, two of them with a
    round of each; teams of 1 to 9 people in three departments, some below the
    floor; an optional driver question, hours for two tools and none, comments
    with and without a score; and a customer survey."""
    pick = random.Random(7)  # noqa: S311 (a fixed history, not a secret)
    tools = [AIToolFactory(name="Copilot"), AIToolFactory(name="Claude")]
    teams = [
        TeamFactory(name=f"T{n}", department=department)
        for department in (DepartmentFactory() for _ in range(3))
        for n in range(4)
    ]
    surveys = []
    for floor, threshold in ((3, 4), (5, 5)):
        survey = SurveyFactory(min_group_size=floor, comment_threshold=threshold)
        questions = [
            QuestionFactory(survey=survey, driver="trust"),
            QuestionFactory(survey=survey, driver="job_security"),
            QuestionFactory(survey=survey, driver="workload", required=False),
            QuestionFactory(survey=survey, driver=""),
            QuestionFactory(survey=survey, kind=Question.Kind.ENPS, driver=""),
            *(
                QuestionFactory(
                    survey=survey, kind=Question.Kind.HOURS_SAVED, driver="", ai_tool=t
                )
                for t in (*tools, None)
            ),
            QuestionFactory(
                survey=survey, kind=Question.Kind.FREE_TEXT, driver="", required=False
            ),
        ]
        surveys.append((survey, questions))
    customer = SurveyFactory(audience=Survey.Audience.CUSTOMERS, min_group_size=3)
    nps = QuestionFactory(survey=customer, kind=Question.Kind.ENPS, driver="")
    rounds = []
    for week in range(4):
        for index, (survey, questions) in enumerate(surveys):
            if index and week % 2:
                continue
            starts = START + dt.timedelta(days=7 * week, hours=index)
            round_ = closed_round(survey, starts)
            rounds.append(round_)
            for team in teams:
                for _ in range(pick.randint(0, 9)):
                    _answer(round_, team, questions, pick)
        round_ = closed_round(customer, START + dt.timedelta(days=7 * week))
        for _ in range(pick.randint(2, 12)):
            response = response_in(round_, segment="")
            response.save()
            Answer.objects.create(
                response=response, question=nps, number=pick.randint(0, 10)
            )
    return teams, tools, surveys, rounds


def _answer(round_, team, questions, pick) -> None:
    response = response_in(round_, team=team, department=team.department)
    response.save()
    answers = []
    for question in questions:
        kind = question.kind
        if not question.required and pick.random() < 0.4:
            continue
        if kind == Question.Kind.LIKERT:
            value = Decimal(pick.randint(1, 5))
        elif kind == Question.Kind.ENPS:
            value = Decimal(pick.randint(0, 10))
        elif kind == Question.Kind.HOURS_SAVED:
            value = Decimal(pick.randint(0, 120)) / 10  # 0.1 steps: inexact floats
        else:
            scored = pick.random() < 0.8
            answers.append(
                Answer(
                    response=response,
                    question=question,
                    text="words",
                    sentiment=pick.uniform(-1, 1) if scored else None,
                )
            )
            continue
        answers.append(Answer(response=response, question=question, number=value))
    Answer.objects.bulk_create(answers)


def _views(teams, tools, surveys) -> list[Filters]:
    """Everyone, each team, department, survey and tool, a date range, and a
    leader's teams."""
    return [
        Filters(),
        *(Filters(team=team.pk) for team in teams),
        *(Filters(department=d) for d in {team.department_id for team in teams}),
        *(Filters(survey=survey.pk) for survey, _ in surveys),
        *(Filters(tool=tool.pk) for tool in tools),
        Filters(since=(START + dt.timedelta(days=7)).date()),
        Filters(teams=(teams[0].pk, teams[1].pk, teams[5].pk)),
        Filters(teams=(teams[0].pk,), team=teams[0].pk),
    ]


def _figures(views) -> list:
    return [
        [metric(view) for metric in METRICS] + [comments.comment_rounds(view)]
        for view in views
    ]


def _pages(client) -> list[bytes]:
    url = reverse("dashboards:overview")
    return [
        client.get(url, {"csv": name}).content
        for name in ("sentiment", "comments", "drivers")
    ]


def test_every_figure_read_from_summaries_is_the_one_raw_answers_give(
    history, hr, signed_in
):
    teams, tools, surveys, rounds = history
    views = _views(teams, tools, surveys)
    client = signed_in(hr)
    raw, raw_pages = _figures(views), _pages(client)

    assert rounds_summarise_due(now=NOW) == len(rounds) + 4  # and the customers'
    summarised = _figures(views)

    assert summarised == raw
    assert _pages(client) == raw_pages
    assert any(row["suppressed"] for row in raw[0][3])  # some cells hidden
    assert UnitFigure.objects.filter(figure="driver", driver="workload").exists()


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
