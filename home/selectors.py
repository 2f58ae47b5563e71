"""Reads for the pages that combine apps: each app's own selectors, gathered for one
page, so no app below has to know about the others."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from feedback import selectors as board
from feedback.models import Concern
from feedback.permissions import can_moderate
from org.models import User
from org.selectors import Home, home_for
from surveys.models import Invitation
from surveys.selectors import open_invitations_for


@dataclass
class HomePage(Home):
    """org's part of the home page, and each app's section for the person. A
    section that is not shown is None."""

    invitations: list[Invitation] | None
    my_concerns: list[Concern] | None
    owned_concerns: list[Concern] | None
    flag_count: int | None  # flags waiting for a moderator, for moderators only


def home_page_for(*, user: User, now: dt.datetime) -> HomePage:
    home = home_for(user=user)
    person = home.person
    return HomePage(
        **vars(home),
        invitations=open_invitations_for(person, now=now) if person else None,
        my_concerns=board.concerns_of(person=person, now=now) if person else None,
        owned_concerns=(
            board.concerns_owned_by(person=person, now=now) if person else None
        ),
        flag_count=board.open_flag_count() if can_moderate(user) else None,
    )
