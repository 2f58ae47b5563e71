"""CSAT and NPS against a hand count, through the privacy engine: a closed round's
customers (who answer from no team) are one cell, shown when they reach the
survey's floor; each AI tool's customers are a population of their own."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from dashboards.filters import Filters
from dashboards.metrics import customers
from surveys.models import Answer, Question, Round
from tests.dashboards.helpers import closed_round, response_in
from tests.org.factories import AIToolFactory
from tests.surveys.factories import QuestionFactory, RoundFactory, SurveyFactory

pytestmark = pytest.mark.django_db


def test_csat_and_nps_per_week():
    survey = SurveyFactory(audience="customers", min_group_size=3)
    csat = QuestionFactory(survey=survey, kind=Question.Kind.CSAT, driver="")
    nps = QuestionFactory(survey=survey, kind=Question.Kind.ENPS, driver="")
    round_ = closed_round(survey, dt.datetime(2026, 3, 4, 9, tzinfo=dt.UTC))
    # CSAT 5, 4, 3, 2: half satisfied -> 50. NPS 10, 9, 8, 0: 50 - 25 -> 25.
    for satisfaction, recommend in ((5, 10), (4, 9), (3, 8), (2, 0)):
        response = response_in(round_, segment="Enterprise")
        response.save()
        Answer.objects.create(
            response=response, question=csat, number=Decimal(satisfaction)
        )
        Answer.objects.create(
            response=response, question=nps, number=Decimal(recommend)
        )

    [week] = customers.csat_trend(Filters())
    assert (week["week"], week["n"], week["csat"]) == (dt.date(2026, 3, 2), 4, 50.0)
    assert customers.nps_trend(Filters())[0]["nps"] == 25.0
    # A round whose floor is 5 (as kept when it opened): 4 customers are too few.
    Round.objects.filter(pk=round_.pk).update(min_group_size=5)
    [hidden] = customers.csat_trend(Filters())
    assert (hidden["n"], hidden["csat"], hidden["suppressed"]) == (None, None, True)
    assert hidden["reason"] == "fewer than 5 responses"


def test_an_open_rounds_customers_count_once_it_closes():
    survey = SurveyFactory(audience="customers", min_group_size=3)
    csat = QuestionFactory(survey=survey, kind=Question.Kind.CSAT, driver="")
    round_ = RoundFactory(survey=survey, starts_at=MARCH_4)
    customer_answers(round_, {csat: [5, 4, 1]})

    before = customers.csat_trend(Filters())
    round_.closed_at = MARCH_4 + dt.timedelta(days=5)
    round_.save()

    assert before == []
    assert [(r["n"], r["csat"]) for r in customers.csat_trend(Filters())] == [(3, 66.7)]


# --- CSAT per AI tool ----------------------------------------------------------------

MARCH_4 = dt.datetime(2026, 3, 4, 9, tzinfo=dt.UTC)  # week of Monday 2 March
APRIL_1 = dt.datetime(2026, 4, 1, 9, tzinfo=dt.UTC)  # week of Monday 30 March


def customer_answers(round_, answers_by_question):
    """One response per position: answers_by_question maps question -> scores,
    None where that customer skipped the question."""
    [n] = {len(scores) for scores in answers_by_question.values()}
    for i in range(n):
        response = response_in(round_, segment="Enterprise")
        response.save()
        for question, scores in answers_by_question.items():
            if scores[i] is not None:
                Answer.objects.create(
                    response=response, question=question, number=Decimal(scores[i])
                )


@pytest.fixture
def tool_survey():
    """A customer survey with the overall CSAT and one CSAT per AI tool."""
    survey = SurveyFactory(audience="customers", min_group_size=5)
    copilot = AIToolFactory(name="Support Copilot", serves_customers=True)
    chatbot = AIToolFactory(name="Help Chatbot", serves_customers=True)
    questions = {
        "overall": QuestionFactory(survey=survey, kind=Question.Kind.CSAT, driver=""),
        "copilot": QuestionFactory(
            survey=survey, kind=Question.Kind.CSAT, driver="", ai_tool=copilot
        ),
        "chatbot": QuestionFactory(
            survey=survey, kind=Question.Kind.CSAT, driver="", ai_tool=chatbot
        ),
    }
    return survey, copilot, chatbot, questions


def test_tool_csat_counts_the_customers_each_tool_helped(tool_survey):
    survey, copilot, chatbot, q = tool_survey
    march = closed_round(survey, MARCH_4)
    customer_answers(
        march,
        {
            q["overall"]: [5, 5, 4, 4, 4, 4, 1],
            # 6 customers: 5, 4, 4 and 5 satisfied of 6 -> 66.7; one skipped it.
            q["copilot"]: [5, 4, 4, 3, 2, 5, None],
            # 5 customers: 2 satisfied of 5 -> 40.0.
            q["chatbot"]: [None, None, 5, 3, 4, 1, 2],
        },
    )

    rows = customers.tool_csat(Filters())

    assert [
        (r["tool_name"], r["week"], r["n"], r["csat"], r["suppressed"]) for r in rows
    ] == [
        ("Help Chatbot", dt.date(2026, 3, 2), 5, 40.0, False),
        ("Support Copilot", dt.date(2026, 3, 2), 6, 66.7, False),
    ]
    assert [r["tool"] for r in rows] == [chatbot.pk, copilot.pk]


def test_tool_csat_hides_a_tools_small_round_and_only_that_round(tool_survey):
    survey, copilot, chatbot, q = tool_survey
    # March: 6 helped by the copilot; April: only 3 -> hidden. March stays shown:
    # a date range takes whole rounds, so no view adds April to March.
    customer_answers(
        closed_round(survey, MARCH_4),
        {
            q["overall"]: [4] * 6,
            q["copilot"]: [5, 4, 4, 3, 2, 5],
            q["chatbot"]: [5] * 6,
        },
    )
    customer_answers(
        closed_round(survey, APRIL_1),
        {
            q["overall"]: [4] * 6,
            q["copilot"]: [5, 5, 1, None, None, None],
            q["chatbot"]: [4] * 6,
        },
    )

    rows = customers.tool_csat(Filters())

    by_tool = {}
    for row in rows:
        by_tool.setdefault(row["tool_name"], []).append(
            (row["week"], row["n"], row["csat"], row["suppressed"], row["reason"])
        )
    assert by_tool["Support Copilot"] == [
        (dt.date(2026, 3, 2), 6, 66.7, False, ""),
        (dt.date(2026, 3, 30), None, None, True, "fewer than 5 responses"),
    ]
    # Another tool's customers are another population: its rounds stand alone.
    assert by_tool["Help Chatbot"] == [
        (dt.date(2026, 3, 2), 6, 100.0, False, ""),
        (dt.date(2026, 3, 30), 6, 100.0, False, ""),
    ]


def test_tool_csat_below_the_floor_shows_no_figure(tool_survey):
    survey, _, _, q = tool_survey
    customer_answers(
        closed_round(survey, MARCH_4),
        {q["overall"]: [4] * 4, q["copilot"]: [5, 4, 4, 3], q["chatbot"]: [5] * 4},
    )

    rows = customers.tool_csat(Filters())

    assert all(r["suppressed"] and r["csat"] is None and r["n"] is None for r in rows)
    assert {r["reason"] for r in rows} == {"fewer than 5 responses"}
    assert {r["tool_name"] for r in rows} == {"Support Copilot", "Help Chatbot"}


def test_tool_csat_keeps_to_the_filtered_tool_and_survey(tool_survey):
    survey, copilot, _, q = tool_survey
    customer_answers(
        closed_round(survey, MARCH_4),
        {
            q["overall"]: [4] * 6,
            q["copilot"]: [5, 4, 4, 3, 2, 5],
            q["chatbot"]: [5] * 6,
        },
    )
    other = SurveyFactory(audience="customers", min_group_size=5)
    elsewhere = QuestionFactory(
        survey=other, kind=Question.Kind.CSAT, driver="", ai_tool=copilot
    )
    customer_answers(closed_round(other, MARCH_4), {elsewhere: [1] * 6})

    rows = customers.tool_csat(Filters(tool=copilot.pk, survey=survey.pk))

    assert [(r["tool"], r["n"], r["csat"]) for r in rows] == [(copilot.pk, 6, 66.7)]
    # Without the survey filter both surveys' copilot answers count: 4 of 12.
    [both] = customers.tool_csat(Filters(tool=copilot.pk))
    assert (both["n"], both["csat"]) == (12, 33.3)


def test_tool_csat_leaves_out_employee_answers_and_other_kinds():
    pulse = SurveyFactory(audience="employees", min_group_size=3)
    tool = AIToolFactory(name="Support Copilot")
    hours = QuestionFactory(
        survey=pulse, kind=Question.Kind.HOURS_SAVED, driver="", ai_tool=tool
    )
    customer_answers(closed_round(pulse, MARCH_4), {hours: [5] * 6})

    assert customers.tool_csat(Filters()) == []


def test_overall_csat_leaves_out_the_tool_satisfaction_items(tool_survey):
    survey, _, _, q = tool_survey
    customer_answers(
        closed_round(survey, MARCH_4),
        {
            # Overall: 5 of 6 satisfied -> 83.3, whatever the tools' items say.
            q["overall"]: [5, 5, 4, 4, 4, 1],
            q["copilot"]: [1, 1, 1, 1, 1, 1],
            q["chatbot"]: [2, 2, 2, 2, 2, None],
        },
    )

    [week] = customers.csat_trend(Filters())

    assert (week["n"], week["csat"]) == (6, 83.3)
