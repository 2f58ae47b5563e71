"""Who may do what on the board. Views and services both ask here."""

from __future__ import annotations

import datetime as dt

from feedback.models import Comment, Concern
from org.models import AITool

EDIT_WINDOW = dt.timedelta(minutes=15)
# The window in words, for the messages and pages that state it.
EDIT_WINDOW_TEXT = f"{EDIT_WINDOW // dt.timedelta(minutes=1)} minutes"


def person_of(user):
    return getattr(user, "person", None) if user.is_authenticated else None


def can_moderate(user) -> bool:
    return user.is_authenticated and user.has_perm("feedback.moderate_concerns")


def can_manage(user, concern: Concern) -> bool:
    """Change status or owner, answer officially, merge: the owner or a moderator."""
    person = person_of(user)
    return can_moderate(user) or (person is not None and concern.owner_id == person.pk)


def can_post_update(user, ai_tool: AITool | None = None) -> bool:
    """HR, or the accountable owner of the tool the update is about."""
    if user.is_authenticated and user.has_perm("feedback.post_updates"):
        return True
    person = person_of(user)
    return person is not None and ai_tool is not None and ai_tool.owner_id == person.pk


def can_edit(user, post: Concern | Comment, now: dt.datetime) -> bool:
    """Authors edit their own posts for a short window; nobody else edits them."""
    person = person_of(user)
    if person is None or post.hidden_at is not None:
        return False
    author_id = post.raised_by_id if isinstance(post, Concern) else post.author_id
    return author_id == person.pk and now - post.created_at <= EDIT_WINDOW
