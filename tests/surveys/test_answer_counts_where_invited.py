"""An answer counts for the team its person had when invited, as participation
counts them: moving team mid-round never moves an answer into the new team's cell."""

from __future__ import annotations

import datetime as dt

import pytest

from surveys.models import Response, Survey
from surveys.services.answering import response_submit
from tests.org.factories import TeamFactory
from tests.surveys.factories import InvitationFactory, QuestionFactory, RoundFactory

pytestmark = pytest.mark.django_db


def test_an_answer_after_a_move_counts_for_the_team_invited():
    round_ = RoundFactory(survey__privacy=Survey.Privacy.CONFIDENTIAL)
    question = QuestionFactory(survey=round_.survey)
    before, after = TeamFactory(), TeamFactory()
    invitation = InvitationFactory(round=round_, person__team=before)
    assert invitation.team == before

    invitation.person.team = after
    invitation.person.save()
    response_submit(
        invitation=invitation,
        answers={question: 4},
        now=round_.starts_at + dt.timedelta(hours=1),
    )

    response = Response.objects.get()
    assert (response.team, response.department) == (before, before.department)
