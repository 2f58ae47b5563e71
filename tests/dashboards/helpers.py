"""How the dashboards' tests make answers and participation: the one place that
knows what a response needs besides its round and what marks an invitation
answered, so a change to either (a response that no longer keeps a day, an
invitation answered by a flag) is one edit here."""

from __future__ import annotations

import datetime as dt

from surveys.models import Invitation, Response
from tests.surveys.factories import InvitationFactory, RoundFactory

OPEN_DAYS = dt.timedelta(days=5)


def closed_round(survey, starts_at: dt.datetime, **fields):
    """A round of `survey` that has closed five days after `starts_at` (the
    dashboards count the answers of closed rounds only)."""
    fields.setdefault("closed_at", starts_at + OPEN_DAYS)
    return RoundFactory(survey=survey, starts_at=starts_at, **fields)


def response_in(round_, **fields) -> Response:
    """A response to `round_`, not saved yet (tests save it or bulk-create many);
    it keeps no day, only its round."""
    return Response(round=round_, **fields)


def responses_in(round_, count: int, **fields) -> list[Response]:
    """`count` saved responses to `round_`, in one query."""
    return Response.objects.bulk_create(
        response_in(round_, **fields) for _ in range(count)
    )


def mark_answered(invitation: Invitation) -> Invitation:
    """Mark an invitation as answered (it keeps no day)."""
    invitation.answered = True
    invitation.save(update_fields=["answered"])
    return invitation


def invite(round_, *, answered: bool = False, **fields) -> Invitation:
    """An invitation to `round_`, sent when the round started, answered or not."""
    fields.setdefault("sent_at", round_.starts_at)
    invitation = InvitationFactory(round=round_, **fields)
    return mark_answered(invitation) if answered else invitation
