from __future__ import annotations

import datetime as dt

import factory

from surveys.models import Invitation, Question, Round, Survey
from tests.org.factories import PersonFactory


class SurveyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Survey

    title = factory.Sequence(lambda n: f"AI rollout pulse {n}")
    first_date = dt.date(2026, 3, 2)
    # Most tests are about a survey that runs; a draft is asked for by name.
    status = Survey.Status.SCHEDULED


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    survey = factory.SubFactory(SurveyFactory)
    kind = Question.Kind.LIKERT
    driver = Question.Driver.TRUST
    text = "I trust how our AI tools are used."


class RoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Round

    survey = factory.SubFactory(SurveyFactory)
    starts_at = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    closes_at = factory.LazyAttribute(lambda r: r.starts_at + dt.timedelta(days=5))


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    round = factory.SubFactory(RoundFactory)
    person = factory.SubFactory(PersonFactory)
    # As the fan-out does: the team and department the person is in when invited.
    team = factory.LazyAttribute(lambda i: i.person.team if i.person else None)
    department = factory.LazyAttribute(
        lambda i: i.person.team.department if i.person and i.person.team else None
    )
