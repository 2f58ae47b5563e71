"""CSAT and NPS against a hand count."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from dashboards.filters import Filters
from dashboards.metrics import customers
from surveys.models import Answer, Question, Response
from tests.org.factories import AIToolFactory
from tests.surveys.factories import QuestionFactory, RoundFactory, SurveyFactory

pytestmark = pytest.mark.django_db


def test_csat_and_nps_per_week():
    survey = SurveyFactory(audience="customers", min_group_size=3)
    csat = QuestionFactory(survey=survey, kind=Question.Kind.CSAT, driver="")
    nps = QuestionFactory(survey=survey, kind=Question.Kind.ENPS, driver="")
    round_ = RoundFactory(
        survey=survey, starts_at=dt.datetime(2026, 3, 4, 9, tzinfo=dt.UTC)
    )
    # CSAT 5, 4, 3, 2: half satisfied -> 50. NPS 10, 9, 8, 0: 50 - 25 -> 25.
    for satisfaction, recommend in ((5, 10), (4, 9), (3, 8), (2, 0)):
        response = Response.objects.create(round=round_, segment="Enterprise")
        Answer.objects.create(
            response=response, question=csat, number=Decimal(satisfaction)
        )
        Answer.objects.create(
            response=response, question=nps, number=Decimal(recommend)
        )

    [week] = customers.csat_trend(Filters(), floor=3)
    assert (week["week"], week["n"], week["csat"]) == (dt.date(2026, 3, 2), 4, 50.0)
    assert customers.nps_trend(Filters(), floor=3)[0]["nps"] == 25.0
    assert customers.csat_trend(Filters(), floor=5)[0]["csat"] is None


# --- CSAT per AI tool ----------------------------------------------------------------

MARCH_4 = dt.datetime(2026, 3, 4, 9, tzinfo=dt.UTC)  # week of Monday 2 March
APRIL_1 = dt.datetime(2026, 4, 1, 9, tzinfo=dt.UTC)  # week of Monday 30 March


def customer_answers(round_, answers_by_question):
    """One response per position: answers_by_question maps question -> scores,
    None where that customer skipped the question."""
    [n] = {len(scores) for scores in answers_by_question.values()}
    for i in range(n):
        response = Response.objects.create(round=round_, segment="Enterprise")
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
    march = RoundFactory(survey=survey, starts_at=MARCH_4)
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

    rows = customers.tool_csat(Filters(), floor=5)

    assert [
        (r["tool_name"], r["week"], r["n"], r["csat"], r["suppressed"]) for r in rows
    ] == [
        ("Help Chatbot", dt.date(2026, 3, 2), 5, 40.0, False),
        ("Support Copilot", dt.date(2026, 3, 2), 6, 66.7, False),
    ]
    assert [r["tool"] for r in rows] == [chatbot.pk, copilot.pk]


def test_tool_csat_hides_a_tools_small_weeks_with_a_sibling(tool_survey):
    survey, copilot, chatbot, q = tool_survey
    # March: 6 helped by the copilot; April: only 3 -> hidden, and March with it
    # (else April could be derived from a total over both).
    customer_answers(
        RoundFactory(survey=survey, starts_at=MARCH_4),
        {
            q["overall"]: [4] * 6,
            q["copilot"]: [5, 4, 4, 3, 2, 5],
            q["chatbot"]: [5] * 6,
        },
    )
    customer_answers(
        RoundFactory(survey=survey, starts_at=APRIL_1),
        {
            q["overall"]: [4] * 6,
            q["copilot"]: [5, 5, 1, None, None, None],
            q["chatbot"]: [4] * 6,
        },
    )

    rows = customers.tool_csat(Filters(), floor=5)

    by_tool = {}
    for row in rows:
        by_tool.setdefault(row["tool_name"], []).append(
            (row["week"], row["n"], row["csat"], row["suppressed"])
        )
    assert by_tool["Support Copilot"] == [
        (dt.date(2026, 3, 2), None, None, True),
        (dt.date(2026, 3, 30), None, None, True),
    ]
    # Another tool's weeks are not its siblings: they stay shown.
    assert by_tool["Help Chatbot"] == [
        (dt.date(2026, 3, 2), 6, 100.0, False),
        (dt.date(2026, 3, 30), 6, 100.0, False),
    ]


def test_tool_csat_below_the_floor_shows_no_figure(tool_survey):
    survey, _, _, q = tool_survey
    customer_answers(
        RoundFactory(survey=survey, starts_at=MARCH_4),
        {q["overall"]: [4] * 4, q["copilot"]: [5, 4, 4, 3], q["chatbot"]: [5] * 4},
    )

    rows = customers.tool_csat(Filters(), floor=5)

    assert all(r["suppressed"] and r["csat"] is None and r["n"] is None for r in rows)
    assert {r["tool_name"] for r in rows} == {"Support Copilot", "Help Chatbot"}


def test_tool_csat_keeps_to_the_filtered_tool_and_survey(tool_survey):
    survey, copilot, _, q = tool_survey
    customer_answers(
        RoundFactory(survey=survey, starts_at=MARCH_4),
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
    customer_answers(
        RoundFactory(survey=other, starts_at=MARCH_4), {elsewhere: [1] * 6}
    )

    rows = customers.tool_csat(Filters(tool=copilot.pk, survey=survey.pk), floor=5)

    assert [(r["tool"], r["n"], r["csat"]) for r in rows] == [(copilot.pk, 6, 66.7)]
    # Without the survey filter both surveys' copilot answers count: 4 of 12.
    [both] = customers.tool_csat(Filters(tool=copilot.pk), floor=5)
    assert (both["n"], both["csat"]) == (12, 33.3)


def test_tool_csat_leaves_out_employee_answers_and_other_kinds():
    pulse = SurveyFactory(audience="employees", min_group_size=3)
    tool = AIToolFactory(name="Support Copilot")
    hours = QuestionFactory(
        survey=pulse, kind=Question.Kind.HOURS_SAVED, driver="", ai_tool=tool
    )
    customer_answers(RoundFactory(survey=pulse, starts_at=MARCH_4), {hours: [5] * 6})

    assert customers.tool_csat(Filters(), floor=3) == []


def test_overall_csat_leaves_out_the_tool_satisfaction_items(tool_survey):
    survey, _, _, q = tool_survey
    customer_answers(
        RoundFactory(survey=survey, starts_at=MARCH_4),
        {
            # Overall: 5 of 6 satisfied -> 83.3, whatever the tools' items say.
            q["overall"]: [5, 5, 4, 4, 4, 1],
            q["copilot"]: [1, 1, 1, 1, 1, 1],
            q["chatbot"]: [2, 2, 2, 2, 2, None],
        },
    )

    [week] = customers.csat_trend(Filters(), floor=5)

    assert (week["n"], week["csat"]) == (6, 83.3)
