"""The fan-out writes a round's invitations inside the database, a batch of
recipients to a statement: the rows are those saving each one would write, and a
re-run adds (and counts) only the missing ones."""

from __future__ import annotations

import pytest

from surveys.models import Invitation
from surveys.services import rounds as rounds_service
from surveys.services.rounds import round_fan_out
from tests.org.factories import CustomerFactory, PersonFactory, TeamFactory
from tests.surveys.factories import InvitationFactory, RoundFactory, SurveyFactory

pytestmark = pytest.mark.django_db

# Set by the fan-out per row or per run, not by a default.
OWN = {"id", "round_id", "person_id", "customer_id", "team_id", "department_id"}


def _defaults(invitation: Invitation) -> dict[str, object]:
    row = Invitation.objects.filter(pk=invitation.pk).values().get()
    return {key: value for key, value in row.items() if key not in OWN | {"created_at"}}


def test_a_fanned_out_invitation_holds_what_saving_one_would_write():
    team = TeamFactory()
    invitee, other = PersonFactory(team=team), PersonFactory(team=team)
    round_ = RoundFactory(survey=SurveyFactory())
    saved = Invitation.objects.create(round=RoundFactory(), person=other)

    round_fan_out(round_)

    fanned = Invitation.objects.get(round=round_, person=invitee)
    assert _defaults(fanned) == _defaults(saved)
    assert (fanned.team, fanned.department) == (team, team.department)
    assert fanned.created_at is not None


def test_batches_skip_no_one_between_inactive_people(monkeypatch):
    monkeypatch.setattr(rounds_service, "FANOUT_BATCH", 2)
    people = [PersonFactory() for _ in range(7)]
    for gone in (people[1], people[4]):
        gone.user.is_active = False
        gone.user.save()
    round_ = RoundFactory(survey=SurveyFactory())

    created = round_fan_out(round_)

    invited = set(round_.invitations.values_list("person_id", flat=True))
    assert created == 5
    assert invited == {p.pk for p in people} - {people[1].pk, people[4].pk}


def test_a_rerun_after_a_partial_fan_out_adds_and_counts_only_the_missing(
    monkeypatch,
):
    monkeypatch.setattr(rounds_service, "FANOUT_BATCH", 2)
    people = [PersonFactory() for _ in range(5)]
    round_ = RoundFactory(survey=SurveyFactory())
    for person in people[:3]:  # a run killed after its first batches
        InvitationFactory(round=round_, person=person)

    created = round_fan_out(round_)

    assert created == 2
    assert sorted(round_.invitations.values_list("person_id", flat=True)) == sorted(
        p.pk for p in people
    )
    round_.refresh_from_db()
    assert round_.fanout_done_at is not None
    assert round_fan_out(round_) == 0  # done: not even looked at again


def test_customers_are_fanned_out_by_segment_without_a_team():
    wanted = [CustomerFactory(segment="enterprise") for _ in range(3)]
    CustomerFactory(segment="smb")
    round_ = RoundFactory(
        survey=SurveyFactory(audience="customers", segments=["enterprise"])
    )

    assert round_fan_out(round_) == 3

    rows = round_.invitations.values_list("customer_id", "person_id", "team_id")
    assert sorted(rows) == sorted((c.pk, None, None) for c in wanted)
