"""Who a round goes to: chosen departments or teams, or customers of chosen segments;
and what a response keeps of them (the group, never the person)."""

from __future__ import annotations

import datetime as dt

import pytest

from surveys.models import Invitation, Response, Survey
from surveys.scheduler import survey_tick
from surveys.services.answering import response_submit
from tests.org.factories import CustomerFactory, PersonFactory, TeamFactory
from tests.surveys.factories import QuestionFactory, SurveyFactory
from tests.surveys.helpers import MONDAY_9, release_sealed

pytestmark = pytest.mark.django_db


def _survey(**fields) -> Survey:
    survey = SurveyFactory(
        cadence="weekly", weekday=0, start_time=dt.time(9), first_date=MONDAY_9.date(),
        **fields,
    )  # fmt: skip
    QuestionFactory(survey=survey)
    return survey


def test_chosen_departments_and_teams_are_invited_and_nobody_else(mailoutbox):
    support, platform, growth = TeamFactory(), TeamFactory(), TeamFactory()
    in_support = [PersonFactory(team=support) for _ in range(2)]
    in_platform = [PersonFactory(team=platform) for _ in range(2)]
    PersonFactory(team=growth)
    survey = _survey()
    survey.departments.add(support.department)
    survey.teams.add(platform)

    survey_tick(now=MONDAY_9)

    invited = set(Invitation.objects.values_list("person_id", flat=True))
    assert invited == {p.pk for p in in_support + in_platform}
    assert len(mailoutbox) == 4


def test_customers_of_the_chosen_segments_get_a_link_and_keep_only_their_segment(
    mailoutbox, time_machine
):
    enterprise = [CustomerFactory(segment="Enterprise") for _ in range(3)]
    CustomerFactory(segment="Public sector")
    CustomerFactory(segment="Enterprise", is_active=False)
    survey = _survey(audience=Survey.Audience.CUSTOMERS, segments=["Enterprise"])
    survey.min_group_size = 3  # all three answer: a segment of at least the floor
    survey.save()

    survey_tick(now=MONDAY_9)
    assert sorted(m.to[0] for m in mailoutbox) == sorted(c.email for c in enterprise)

    time_machine.move_to(MONDAY_9 + dt.timedelta(hours=2), tick=False)
    question = survey.questions.get()
    for customer in enterprise:
        invitation = Invitation.objects.get(customer=customer)
        response_submit(invitation=invitation, answers={question: 5})
    release_sealed()
    assert set(Response.objects.values_list("segment", "team", "invitation")) == {
        ("Enterprise", None, None)
    }
