"""Participation per round: sent, answered and rate, never who; hidden entirely for
a round with fewer invitees than the survey's minimum group size."""

from __future__ import annotations

import datetime as dt

import pytest

from surveys.selectors import participation_for_rounds
from tests.surveys.factories import InvitationFactory, RoundFactory, SurveyFactory

pytestmark = pytest.mark.django_db

SENT = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)


def _round(invited: int, answered: int, bounced: int = 0, floor: int = 5):
    round_ = RoundFactory(survey=SurveyFactory(min_group_size=floor))
    for n in range(invited):
        InvitationFactory(
            round=round_,
            sent_at=SENT,
            answered=n < answered,
            bounced_at=SENT if n >= invited - bounced else None,
        )
    return round_


def test_sent_answered_and_rate_for_a_big_enough_round():
    [seen] = participation_for_rounds([_round(invited=8, answered=6)])
    assert (seen.visible, seen.sent, seen.answered, seen.rate) == (True, 8, 6, 0.75)


def test_a_round_below_the_floor_shows_no_numbers_at_all():
    [seen] = participation_for_rounds([_round(invited=4, answered=1)])
    assert (seen.visible, seen.sent, seen.answered, seen.rate) == (False, 0, 0, None)


def test_bounced_emails_do_not_count_as_sent():
    [seen] = participation_for_rounds([_round(invited=7, answered=3, bounced=2)])
    assert (seen.sent, seen.answered) == (5, 3)


def test_one_query_whatever_the_number_of_rounds(django_assert_num_queries):
    rounds = [_round(invited=5, answered=n) for n in range(4)]
    with django_assert_num_queries(1):
        seen = participation_for_rounds(rounds)
    assert [p.answered for p in seen] == [0, 1, 2, 3]
