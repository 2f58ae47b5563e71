"""Answering a round: from a link (or a signed-in page) to one saved response.

The response is saved synchronously in one transaction (a broker outage delays
emails, never an answer) and claims the invitation with a conditional UPDATE, so a
double submit, even two at once, stores one response. An anonymous response is
saved sealed in that transaction (on PostgreSQL, the claim and the sealed row are
one statement), and written out later in a shuffled batch
(`surveys.services.release`); the invitation only records that it was answered.
"""

from __future__ import annotations

import datetime as dt
import enum

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from surveys.models import (
    Answer,
    Invitation,
    Question,
    Response,
    SealedResponse,
    Survey,
)
from surveys.selectors import questions_for
from surveys.services.release import answer_build, sealed_response_build


class LinkState(enum.StrEnum):
    OPEN = "open"
    ANSWERED = "answered"
    CLOSED = "closed"
    NOT_OPEN_YET = "not_open_yet"  # a link to a round that starts later
    EMPTY = "empty"  # the survey has no question (yet) to answer
    # The person or customer was deactivated: their links take nothing more, so a
    # leaver's answer never counts for the team they left.
    INACTIVE = "inactive"


class NotAnswerable(Exception):
    def __init__(self, state: LinkState):
        super().__init__(state)
        self.state = state


def invitation_state(invitation: Invitation, *, now: dt.datetime) -> LinkState:
    """What a link to this invitation may do at `now`: the one rule the answer page
    (to show it, and to take a post) and `response_submit` both ask."""
    if not invitation.recipient.is_active:
        return LinkState.INACTIVE
    if invitation.answered:
        return LinkState.ANSWERED
    round_ = invitation.round
    if round_.closed_at is not None or now >= round_.closes_at:
        return LinkState.CLOSED
    if now < round_.starts_at:
        return LinkState.NOT_OPEN_YET
    return LinkState.OPEN


def privacy_statement(survey: Survey) -> str:
    """How privacy works for this survey, in one plain sentence."""
    org, floor = settings.CANDOR_ORG_NAME, survey.min_group_size
    if survey.privacy == Survey.Privacy.ANONYMOUS:
        return (
            "This survey is anonymous: your answers are saved without your name or "
            "any link back to you, and results are only shown for groups of at least "
            f"{floor} people."
        )
    if survey.privacy == Survey.Privacy.CONFIDENTIAL:
        return (
            "This survey is confidential: your answers are kept with your invitation, "
            f"but nobody at {org} can see who said what, and results are only shown "
            f"for groups of at least {floor} people."
        )
    return (
        f"This survey is named: {org}'s HR team will see your name beside your answers."
    )


_TIMES = {1: "once", 2: "twice", 3: "three times"}


def reminder_policy(survey: Survey) -> str:
    """How often a person who has not answered is reminded, in one plain sentence
    (from `survey.reminder_count`, 0 to 3)."""
    if not survey.reminder_count:
        return "We won't send you reminders for this survey."
    times = _TIMES.get(survey.reminder_count, f"{survey.reminder_count} times")
    return f"We'll remind you {times} if you haven't answered, then stop."


def response_submit(
    *,
    invitation: Invitation,
    answers: dict[Question, object],
    asked: list[Question] | None = None,
    kinds: list[str] | None = None,
    now: dt.datetime | None = None,
) -> Response | None:
    """Save one response; raises NotAnswerable if answered already, closed, or its
    person or customer was deactivated.

    `answers` maps each answered question to its cleaned value (int, Decimal or
    str); unanswered optional questions are simply absent. `asked` is
    `questions_for(invitation=invitation)` when the caller has it already (the
    answering page loads it once per request); answers to any other question
    are ignored. `kinds`, the kinds of all the survey's questions when the caller
    has them (`answer_link`), spares the sealed size its query. Returns the
    Response, or None for an anonymous survey, whose response waits sealed for
    its batch.
    """
    now = now or timezone.now()
    round_ = invitation.round
    state = invitation_state(invitation, now=now)
    if state != LinkState.OPEN:
        raise NotAnswerable(state)
    if asked is None:
        asked = questions_for(invitation=invitation)
    if not asked:
        raise NotAnswerable(LinkState.EMPTY)  # nothing to save, nothing to count
    asked_ids = {question.pk for question in asked}
    given = [
        (question, _clean(question, value))
        for question, value in answers.items()
        if value not in (None, "") and question.pk in asked_ids
    ]
    customer = invitation.customer
    # The team and department the person had when invited, as participation
    # counts them: someone moving team mid-round answers for the cell that
    # counted them invited (invariant 1), never for their new team.
    group = {
        "team_id": invitation.team_id,
        "department_id": invitation.department_id,
        "segment": customer.segment if customer else "",
    }
    response = None
    if round_.survey.privacy == Survey.Privacy.ANONYMOUS:
        # Nothing written here may tell which response is this invitation's:
        # the claim's transaction id is on the sealed row too (invariant 2).
        sealed = sealed_response_build(
            round_=round_, answers=given, kinds=kinds, **group
        )
        if not _claim_sealed(invitation, sealed):
            raise NotAnswerable(LinkState.ANSWERED)
    else:
        with transaction.atomic():
            if not _claim(invitation):
                raise NotAnswerable(LinkState.ANSWERED)
            response = Response.objects.create(
                round=round_, invitation=invitation, **group
            )
            Answer.objects.bulk_create(
                answer_build(response, question, value) for question, value in given
            )
    invitation.answered = True
    return response


def _claim(invitation: Invitation) -> bool:
    """Mark the invitation answered unless it already was (a double submit)."""
    unanswered = Invitation.objects.filter(pk=invitation.pk, answered=False)
    return unanswered.update(answered=True) == 1


def _claim_sealed(invitation: Invitation, sealed: SealedResponse) -> bool:
    """Claim the invitation and store its sealed response: both or neither."""
    if connection.vendor != "postgresql":
        with transaction.atomic():
            if not _claim(invitation):
                return False
            sealed.save(force_insert=True)
        return True
    # On PostgreSQL one statement, a transaction of its own: one round trip
    # instead of four (BEGIN, the claim, the row, COMMIT) on every answer.
    with connection.cursor() as cursor:
        cursor.execute(
            _CLAIM_SEALED,
            [
                invitation.pk,
                sealed.pk,
                sealed.round_id,
                sealed.sealed_group,
                sealed.sealed_answers,
            ],
        )
        return cursor.rowcount == 1


# bandit B608: only the models' own table names; values are parameters.
_CLAIM_SEALED = (
    f'WITH claimed AS (UPDATE "{Invitation._meta.db_table}" '  # noqa: S608  # nosec B608
    'SET "answered" = true WHERE "id" = %s AND NOT "answered" RETURNING "id") '
    f'INSERT INTO "{SealedResponse._meta.db_table}" '
    '("id", "round_id", "sealed_group", "sealed_answers") '
    "SELECT %s, %s, %s, %s FROM claimed"
)


def _clean(question: Question, value: object) -> str:
    """A cleaned value as text, the form in which a sealed response keeps it."""
    if question.kind == Question.Kind.FREE_TEXT:
        return str(value).strip()
    return str(value)
