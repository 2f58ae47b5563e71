"""An invitation keeps the team its person was in when invited, so participation
counted by team never moves when someone changes team later."""

from __future__ import annotations

import pytest

from surveys.models import Invitation
from surveys.services.rounds import round_fan_out
from tests.org.factories import CustomerFactory, PersonFactory, TeamFactory
from tests.surveys.factories import RoundFactory, SurveyFactory

pytestmark = pytest.mark.django_db


def test_the_fan_out_keeps_each_persons_team_and_department_then():
    first, second = TeamFactory(), TeamFactory()
    mover = PersonFactory(team=first)
    round_ = RoundFactory(survey=SurveyFactory())

    round_fan_out(round_)
    mover.team = second
    mover.save()

    invitation = Invitation.objects.get(round=round_, person=mover)
    assert (invitation.team, invitation.department) == (first, first.department)


def test_a_customer_invitation_has_no_team():
    customer = CustomerFactory()
    round_ = RoundFactory(survey=SurveyFactory(audience="customers"))

    round_fan_out(round_)

    invitation = Invitation.objects.get(round=round_, customer=customer)
    assert (invitation.team, invitation.department) == (None, None)
