"""The survey invariants that the database itself enforces (docs/design.md)."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from org.models import Person, User
from surveys.models import Answer, Invitation, Question, Response, Round, Survey
from surveys.services.rounds import questions_asked_in
from tests.org.factories import CustomerFactory
from tests.surveys.factories import (
    InvitationFactory,
    QuestionFactory,
    RoundFactory,
    SurveyFactory,
)

pytestmark = pytest.mark.django_db


def refused(**kwargs):
    return pytest.raises(IntegrityError, **kwargs)


def test_the_anonymity_floor_cannot_go_below_three_in_forms_or_the_database():
    survey = SurveyFactory.build(min_group_size=2)

    with pytest.raises(ValidationError) as error:
        survey.full_clean()
    with refused(), transaction.atomic():
        survey.save()

    assert "min_group_size" in error.value.message_dict
    assert not Survey.objects.exists()


def test_a_survey_schedule_uses_the_org_time_zone(settings):
    settings.TIME_ZONE = "Europe/Berlin"

    schedule = SurveyFactory.build(cadence="monthly").schedule()

    assert str(schedule.tz) == "Europe/Berlin"
    assert schedule.first_date == dt.date(2026, 3, 2)


def test_there_is_one_round_per_survey_and_start():
    first = RoundFactory()

    with refused(), transaction.atomic():
        RoundFactory(survey=first.survey, starts_at=first.starts_at)

    assert Round.objects.count() == 1


def test_a_round_must_close_after_it_starts():
    with refused(), transaction.atomic():
        RoundFactory(closes_at=dt.datetime(2026, 3, 1, tzinfo=dt.UTC))

    assert not Round.objects.exists()


def test_a_person_is_invited_once_per_round():
    invitation = InvitationFactory()

    with refused(), transaction.atomic():
        InvitationFactory(round=invitation.round, person=invitation.person)

    assert Invitation.objects.count() == 1


def test_an_invitation_has_exactly_one_recipient():
    invitation = InvitationFactory()

    with refused(), transaction.atomic():
        InvitationFactory(round=invitation.round, customer=CustomerFactory())
    with refused(), transaction.atomic():
        InvitationFactory(round=invitation.round, person=None)

    assert Invitation.objects.count() == 1


def test_one_response_per_invitation_is_enforced_by_the_database():
    invitation = InvitationFactory()
    Response.objects.create(round=invitation.round, invitation=invitation)

    with refused(), transaction.atomic():
        Response.objects.create(round=invitation.round, invitation=invitation)

    assert Response.objects.count() == 1


def test_a_response_has_no_key_to_a_person_and_no_exact_time():
    related = {
        field.related_model
        for field in Response._meta.get_fields()
        if field.is_relation and field.related_model
    }
    times = [
        f.name
        for f in Response._meta.get_fields()
        if f.get_internal_type() == "DateTimeField"
    ]

    assert Person not in related and User not in related
    assert times == []
    assert Response._meta.pk.get_internal_type() == "UUIDField"
    assert isinstance(Response._meta.pk.default(), uuid.UUID)


def test_an_accuracy_question_must_name_its_ai_tool():
    with refused(), transaction.atomic():
        QuestionFactory(kind=Question.Kind.AI_ACCURACY, ai_tool=None)

    assert not Question.objects.exists()


def test_hr_may_manage_surveys_and_others_may_not():
    def codenames(role):
        return set(
            Group.objects.get(name=role).permissions.values_list("codename", flat=True)
        )

    assert "manage_surveys" in codenames("HR")
    assert "manage_surveys" not in codenames("Leader") | codenames("Employee")


@pytest.mark.django_db
def test_an_asked_question_cannot_change_kind_even_in_the_admin_path():

    question = QuestionFactory()
    round_ = RoundFactory(survey=question.survey)
    questions_asked_in(round_)  # as the scheduler does when a round opens
    question.refresh_from_db()
    response = Response.objects.create(round=round_)
    Answer.objects.create(response=response, question=question, number=4)
    question.kind = "hours_saved"
    with pytest.raises(ValidationError, match="has been asked in a round"):
        question.full_clean()
    question.kind, question.text = "likert", "Reworded, same kind"
    question.full_clean()


@pytest.mark.django_db
def test_an_answered_question_cannot_be_deleted_alone_but_goes_with_its_survey():
    from django.db.models import RestrictedError

    question = QuestionFactory()
    round_ = RoundFactory(survey=question.survey)
    response = Response.objects.create(round=round_)
    Answer.objects.create(response=response, question=question, number=4)
    with pytest.raises(RestrictedError):
        question.delete()
    question.survey.delete()
    assert not Answer.objects.exists() and not Response.objects.exists()
