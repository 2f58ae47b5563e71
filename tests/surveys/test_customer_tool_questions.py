"""Customers rate the service they got with an AI tool's help: the customer-trust
template asks about each live tool that serves customers, with an optional
satisfaction (CSAT) question naming the tool."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from org.models import AITool
from surveys.library import survey_from_template
from surveys.models import Question
from tests.org.factories import AIToolFactory
from tests.surveys.factories import QuestionFactory, SurveyFactory

pytestmark = pytest.mark.django_db

Kind = Question.Kind
FIRST_DATE = dt.date(2026, 4, 6)


def live(name: str, *, serves_customers: bool) -> AITool:
    return AIToolFactory(
        name=name, status=AITool.Status.LIVE, serves_customers=serves_customers
    )


def test_customer_trust_asks_about_each_live_tool_that_serves_customers():
    chatbot = live("Help Chatbot", serves_customers=True)
    copilot = live("Support Copilot", serves_customers=True)
    live("Code Assistant", serves_customers=False)
    AIToolFactory(name="Reply Drafter", serves_customers=True)  # a pilot: not asked

    survey = survey_from_template("customer-trust", first_date=FIRST_DATE)

    questions = list(survey.questions.order_by("position"))
    assert [(q.kind, q.ai_tool) for q in questions] == [
        (Kind.CSAT, None),  # the overall satisfaction comes first
        (Kind.CSAT, chatbot),
        (Kind.CSAT, copilot),
        (Kind.ENPS, None),
        (Kind.LIKERT, None),
        (Kind.FREE_TEXT, None),
    ]
    assert questions[2].text == (
        "How satisfied were you with the help you got from Support Copilot?"
    )
    assert not questions[1].required and not questions[2].required
    assert [q.position for q in questions] == [1, 2, 3, 4, 5, 6]


def test_customer_trust_has_no_tool_question_when_no_tool_serves_customers():
    live("Code Assistant", serves_customers=False)

    survey = survey_from_template("customer-trust", first_date=FIRST_DATE)

    assert not survey.questions.exclude(ai_tool=None).exists()
    assert survey.questions.count() == 4


def test_the_employee_pulse_still_asks_hours_and_accuracy_per_live_tool():
    copilot = live("Support Copilot", serves_customers=True)
    coder = live("Code Assistant", serves_customers=False)

    survey = survey_from_template("ai-rollout-pulse", first_date=FIRST_DATE)

    per_tool = survey.questions.exclude(ai_tool=None).order_by("position")
    assert [(q.kind, q.ai_tool) for q in per_tool] == [
        (Kind.HOURS_SAVED, coder),  # tools in name order
        (Kind.AI_ACCURACY, coder),
        (Kind.HOURS_SAVED, copilot),
        (Kind.AI_ACCURACY, copilot),
    ]
    assert not survey.questions.filter(kind=Kind.CSAT).exists()


def test_tools_given_explicitly_are_the_ones_asked_about():
    live("Help Chatbot", serves_customers=True)
    chosen = live("Support Copilot", serves_customers=True)

    survey = survey_from_template(
        "customer-trust", first_date=FIRST_DATE, tools=[chosen]
    )

    assert list(
        survey.questions.exclude(ai_tool=None).values_list("ai_tool", flat=True)
    ) == [chosen.pk]


def test_a_satisfaction_question_may_name_an_ai_tool():
    question = QuestionFactory.build(
        survey=QuestionFactory().survey,
        kind=Kind.CSAT,
        driver="",
        ai_tool=live("Support Copilot", serves_customers=True),
    )

    question.full_clean()  # no error


@pytest.mark.parametrize("kind", [Kind.LIKERT, Kind.ENPS, Kind.FREE_TEXT])
def test_other_kinds_still_may_not_name_an_ai_tool(kind):
    question = QuestionFactory.build(
        survey=QuestionFactory().survey,
        kind=kind,
        driver="",
        ai_tool=live("Support Copilot", serves_customers=True),
    )

    with pytest.raises(ValidationError) as error:
        question.full_clean()

    assert error.value.message_dict["ai_tool"] == [
        "Only accuracy, hours-saved and satisfaction questions name an AI tool: "
        "clear it."
    ]


def test_hr_names_an_ai_tool_on_a_satisfaction_question_in_the_builder(signed_in, hr):
    survey = SurveyFactory(audience="customers")
    copilot = live("Support Copilot", serves_customers=True)

    response = signed_in(hr).post(
        reverse("surveys:question_create", args=[survey.pk]),
        {
            "kind": "csat",
            "text": "How satisfied were you with our drafted replies?",
            "help_text": "",
            "driver": "",
            "required": "",
            "choices": "",
            "max_hours": 40,
            "ai_tool": copilot.pk,
        },
    )

    assert response.status_code == 302
    question = survey.questions.get()
    assert (question.kind, question.ai_tool, question.required) == (
        Kind.CSAT,
        copilot,
        False,
    )
