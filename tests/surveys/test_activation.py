"""A survey is scheduled only with at least one question: activating and resuming
refuse otherwise, the admin refuses emptying a scheduled survey, the scheduler opens
no round for one scheduled by hand without a question, and its links save no empty
response."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib import admin
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.urls import reverse

from org.models import User
from surveys.admin import QuestionInline
from surveys.models import Question, Response, Round, Survey
from surveys.services import builder, lifecycle
from surveys.services.answering import (
    LinkState,
    NotAnswerable,
    invitation_state,
    response_submit,
)
from surveys.services.builder import ASKED_KEPT
from surveys.services.rounds import rounds_open_due
from tests.surveys.factories import (
    InvitationFactory,
    QuestionFactory,
    RoundFactory,
    SurveyFactory,
)
from tests.surveys.helpers import MONDAY_9, weekly_pulse
from tests.surveys.test_builder import survey_data

pytestmark = pytest.mark.django_db

NO_QUESTIONS = "Add at least one question before activating the survey"
Status = Survey.Status


# --- the builder ------------------------------------------------------------------


def test_a_survey_hr_creates_is_a_draft(signed_in, hr):
    response = signed_in(hr).post(reverse("surveys:survey_create"), survey_data())

    assert response.status_code == 302
    assert (
        "status"
        not in signed_in(hr)
        .get(reverse("surveys:survey_create"))
        .context["form"]
        .fields
    )
    assert Survey.objects.get().status == Status.DRAFT


def test_hr_cannot_activate_a_survey_without_a_question(signed_in, hr, time_machine):
    time_machine.move_to(MONDAY_9 - dt.timedelta(days=7))
    survey = SurveyFactory(status=Status.DRAFT, first_date=dt.date(2026, 3, 2))

    response = signed_in(hr).post(reverse("surveys:survey_activate", args=[survey.pk]))

    assert response.status_code == 409
    assert any(NO_QUESTIONS in error for error in response.context["errors"])
    survey.refresh_from_db()
    assert survey.status == Status.DRAFT


def test_hr_activates_a_survey_once_it_has_a_question(signed_in, hr, time_machine):
    time_machine.move_to(MONDAY_9 - dt.timedelta(days=7))
    survey = SurveyFactory(status=Status.DRAFT, first_date=dt.date(2026, 3, 2))
    QuestionFactory(survey=survey)

    response = signed_in(hr).post(reverse("surveys:survey_activate", args=[survey.pk]))

    assert response.status_code == 302
    survey.refresh_from_db()
    assert survey.status == Status.SCHEDULED


def test_the_service_refuses_resuming_a_survey_without_a_question():
    survey = SurveyFactory(title="Paused", status=Status.PAUSED)

    with pytest.raises(ValidationError) as refused:
        lifecycle.survey_resume(survey=survey)

    assert any(NO_QUESTIONS in message for message in refused.value.messages)
    assert Survey.objects.get(pk=survey.pk).status == Status.PAUSED


def test_the_only_question_of_a_scheduled_survey_cannot_be_deleted(signed_in, hr):
    question = QuestionFactory(survey=SurveyFactory(status=Status.SCHEDULED))

    response = signed_in(hr).post(
        reverse("surveys:question_delete", args=[question.pk])
    )

    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "This is the only question of a scheduled survey: add another one first, or "
        "pause the survey."
    ]
    assert Question.objects.filter(pk=question.pk).exists()


def test_a_question_is_deleted_when_another_remains_or_the_survey_is_not_scheduled():
    first = QuestionFactory(survey=SurveyFactory(status=Status.SCHEDULED), position=1)
    QuestionFactory(survey=first.survey, position=2)
    paused = QuestionFactory(survey=SurveyFactory(status=Status.PAUSED))
    draft = QuestionFactory(survey=SurveyFactory(status=Status.DRAFT))

    builder.question_delete(question=first)
    builder.question_delete(question=paused)
    builder.question_delete(question=draft)

    assert list(Question.objects.values_list("position", flat=True)) == [1]


# --- the admin --------------------------------------------------------------------


def admin_question_formset(survey: Survey, data: dict[str, str]):
    request = RequestFactory().post("/admin/")
    request.user = User(is_superuser=True, is_active=True, is_staff=True)
    formset_class = QuestionInline(Survey, admin.site).get_formset(request, survey)
    return formset_class(data, instance=survey, prefix="questions")


def management(total: int, initial: int) -> dict[str, str]:
    return {
        "questions-TOTAL_FORMS": str(total),
        "questions-INITIAL_FORMS": str(initial),
        "questions-MIN_NUM_FORMS": "0",
        "questions-MAX_NUM_FORMS": "1000",
    }


def test_the_admin_refuses_a_scheduled_survey_without_questions():
    survey = Survey(status=Status.SCHEDULED)  # being added, with its questions

    formset = admin_question_formset(survey, management(0, 0))

    assert not formset.is_valid()
    assert any(NO_QUESTIONS in error for error in formset.non_form_errors())


def test_the_admin_refuses_deleting_a_scheduled_surveys_last_question():
    question = QuestionFactory(survey=SurveyFactory(status=Status.SCHEDULED))
    data = {
        **management(1, 1),
        "questions-0-id": str(question.pk),
        "questions-0-survey": str(question.survey_id),
        "questions-0-position": "1",
        "questions-0-kind": question.kind,
        "questions-0-text": question.text,
        "questions-0-driver": question.driver,
        "questions-0-required": "on",
        "questions-0-choices": "[]",
        "questions-0-DELETE": "on",
    }

    formset = admin_question_formset(question.survey, data)

    assert not formset.is_valid()
    assert any(NO_QUESTIONS in error for error in formset.non_form_errors())
    data.pop("questions-0-DELETE")
    assert admin_question_formset(question.survey, data).is_valid()


def test_the_admin_refuses_deleting_a_question_a_round_has_asked():
    survey = SurveyFactory(status=Status.DRAFT)
    asked, fresh = QuestionFactory(survey=survey), QuestionFactory(survey=survey)
    Question.objects.filter(pk=asked.pk).update(first_asked_at=MONDAY_9)

    def deleting(question) -> dict[str, str]:
        return {
            **management(1, 1),
            "questions-0-id": str(question.pk),
            "questions-0-survey": str(survey.pk),
            "questions-0-position": "1",
            "questions-0-kind": question.kind,
            "questions-0-text": question.text,
            "questions-0-driver": question.driver,
            "questions-0-required": "on",
            "questions-0-choices": "[]",
            "questions-0-DELETE": "on",
        }

    refused = admin_question_formset(survey, deleting(asked))
    assert not refused.is_valid()
    assert any(ASKED_KEPT in error for error in refused.non_form_errors())
    assert admin_question_formset(survey, deleting(fresh)).is_valid()


# --- the scheduler and the answering page -----------------------------------------


def test_the_scheduler_opens_no_round_for_a_scheduled_survey_without_a_question():
    pulse, _ = weekly_pulse(people=2)
    empty = SurveyFactory(cadence="weekly", weekday=0, start_time=dt.time(9, 0))

    opened = rounds_open_due(now=MONDAY_9)

    assert [round_.survey for round_ in opened] == [pulse]
    assert not Round.objects.filter(survey=empty).exists()


@pytest.fixture
def empty_round_invitation(employee):
    survey = SurveyFactory(privacy=Survey.Privacy.CONFIDENTIAL)
    round_ = RoundFactory(
        survey=survey,
        starts_at=MONDAY_9 - dt.timedelta(days=1),
        closes_at=MONDAY_9 + dt.timedelta(days=4),
    )
    return InvitationFactory(round=round_, person=employee)


def test_the_service_refuses_an_empty_response_to_a_survey_without_questions(
    empty_round_invitation,
):
    with pytest.raises(NotAnswerable) as refused:
        response_submit(invitation=empty_round_invitation, answers={}, now=MONDAY_9)

    assert refused.value.state == LinkState.EMPTY
    assert not Response.objects.exists()
    empty_round_invitation.refresh_from_db()  # still unanswered
    assert invitation_state(empty_round_invitation, now=MONDAY_9) == LinkState.OPEN


def test_the_answer_page_says_there_is_nothing_to_answer(
    signed_in, employee, empty_round_invitation, time_machine
):
    time_machine.move_to(MONDAY_9)
    client = signed_in(employee)
    url = reverse("surveys:answer_signed_in", args=[empty_round_invitation.pk])

    shown, posted = client.get(url), client.post(url, {})

    assert (shown.status_code, posted.status_code) == (410, 410)
    assert "There is nothing to answer yet" in posted.content.decode()
    assert not Response.objects.exists()
    empty_round_invitation.refresh_from_db()  # still unanswered
    assert invitation_state(empty_round_invitation, now=MONDAY_9) == LinkState.OPEN
