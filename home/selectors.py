"""Reads for the pages that combine apps: each app's own selectors, gathered for one
page, so no app below has to know about the others."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from core.timewords import span_words
from dashboards.filters import Filters
from dashboards.metrics import ToolAccuracy, ai_accuracy
from dashboards.scope import tool_scope
from dashboards.suppression import ACCURACY_MIN_SHOWN
from feedback import selectors as board
from feedback.models import Concern
from feedback.permissions import can_moderate, person_of
from feedback.services.ratings import NOTE_LIMIT
from org.models import Accuracy, AITool, Person, User
from org.selectors import Home, aitool_editable_by, home_for
from surveys.models import Invitation
from surveys.selectors import open_invitations_for


@dataclass(frozen=True)
class WaitingConcern:
    """A concern the person owns, with when its response is due in words."""

    concern: Concern
    when: str  # "overdue by 2 days", "due in 3 hours", "answered, quiet for 4 days"


@dataclass(frozen=True)
class WaitingSurvey:
    """A survey the person has not answered, with when it closes in words."""

    invitation: Invitation
    when: str  # "closes in 2 days"


@dataclass(frozen=True)
class Waiting:
    """What is waiting for one person, the most pressing first in each list."""

    concerns: list[WaitingConcern]
    surveys: list[WaitingSurvey]


@dataclass
class HomePage(Home):
    """org's part of the home page, and each app's section for the person. A
    section that is not shown is None."""

    waiting: Waiting | None
    my_concerns: list[Concern] | None
    flag_count: int | None  # flags waiting for a moderator, for moderators only


def home_page_for(*, user: User, now: dt.datetime) -> HomePage:
    home = home_for(user=user)
    person = home.person
    return HomePage(
        **vars(home),
        waiting=waiting_for(person=person, now=now) if person else None,
        my_concerns=board.concerns_of(person=person, now=now) if person else None,
        flag_count=board.open_flag_count() if can_moderate(user) else None,
    )


def waiting_for(*, person: Person, now: dt.datetime) -> Waiting:
    """The open concerns `person` owns, overdue ones first then by due time, and
    the surveys open to them they have not answered, the soonest to close first.
    Only their own: both lists are keyed on the person."""
    return Waiting(
        concerns=[
            WaitingConcern(concern, _response_due_words(concern, now))
            for concern in board.concerns_waiting_for(person=person, now=now)
        ],
        surveys=[
            WaitingSurvey(
                invitation,
                f"closes in {span_words(invitation.round.closes_at - now)}",
            )
            for invitation in open_invitations_for(person, now=now)
        ],
    )


def _response_due_words(concern: Concern, now: dt.datetime) -> str:
    if concern.first_responded_at is not None:
        return f"answered, quiet for {span_words(now - concern.last_activity_at)}"
    due = concern.first_response_due_at
    if due < now:
        return f"overdue by {span_words(now - due)}"
    return f"due in {span_words(due - now)}"


@dataclass(frozen=True)
class RatingPanel:
    """An AI tool's accuracy, and the buttons to rate one of its outputs."""

    accuracy: ToolAccuracy
    can_rate: bool
    retired: bool
    choices: list[tuple[str, str]]
    note_limit: int = NOTE_LIMIT
    min_shown: int = ACCURACY_MIN_SHOWN

    @property
    def shown(self) -> bool:
        return self.accuracy.total >= self.min_shown


@dataclass(frozen=True)
class ToolPage:
    """What an AI tool's page shows beside the tool itself, for one viewer."""

    can_edit: bool
    # The tool's dashboard, linked only for those its own check lets in.
    dashboard: bool
    panel: RatingPanel


def tool_page_for(*, tool: AITool, user: User) -> ToolPage:
    return ToolPage(
        can_edit=aitool_editable_by(tool=tool, user=user),
        dashboard=tool_scope(user, tool, Filters()) is not None,
        panel=rating_panel_for(tool=tool, user=user),
    )


def rating_panel_for(*, tool: AITool, user: User) -> RatingPanel:
    found = ai_accuracy(tools=[tool])
    return RatingPanel(
        accuracy=found[0] if found else ToolAccuracy(tool.pk, tool.name),
        can_rate=person_of(user) is not None,
        retired=tool.status == AITool.Status.RETIRED,
        choices=list(Accuracy.choices),
    )
