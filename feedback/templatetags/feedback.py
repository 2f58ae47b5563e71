"""The board's home-page sections and its small display helpers.

{% my_concerns person %}, {% owned_concerns person %}, {% board_moderation user %};
`{{ concern.status|status_badge }}` gives the Bootstrap colour of a status.
"""

from __future__ import annotations

from django import template
from django.utils import timezone

from feedback import selectors
from feedback.models import Status
from feedback.permissions import can_moderate

register = template.Library()

_BADGES = {
    Status.NEW: "secondary",
    Status.ACKNOWLEDGED: "info",
    Status.IN_PROGRESS: "primary",
    Status.RESOLVED: "success",
    Status.DECLINED: "dark",
}


@register.filter
def status_badge(status: str) -> str:
    return _BADGES.get(status, "secondary")


@register.inclusion_tag("feedback/_home_my_concerns.html")
def my_concerns(person) -> dict[str, object]:
    """Concerns the person raised under their name or follows."""
    if person is None:
        return {"concerns": None}
    return {"concerns": selectors.concerns_of(person=person, now=timezone.now())}


@register.inclusion_tag("feedback/_home_owned_concerns.html")
def owned_concerns(person) -> dict[str, object]:
    """Concerns the person is accountable for; shown only to someone who owns one."""
    if person is None:
        return {"concerns": None, "person": None}
    concerns = selectors.concerns_owned_by(person=person, now=timezone.now())
    return {"concerns": concerns, "person": person}


@register.inclusion_tag("feedback/_home_moderation.html")
def board_moderation(user) -> dict[str, object]:
    """HR's way to the board and to the flags waiting for a moderator."""
    if not can_moderate(user):
        return {"show": False}
    return {"show": True, "flag_count": selectors.open_flag_count()}
