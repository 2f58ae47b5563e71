"""`{{ concern.status|status_badge }}` gives the Bootstrap colour of a status."""

from __future__ import annotations

from django import template

from feedback.models import Status

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
