"""{% open_surveys person %}: the person's open surveys, for their home page."""

from __future__ import annotations

from django import template
from django.utils import timezone

from surveys.selectors import open_invitations_for

register = template.Library()


@register.inclusion_tag("surveys/_open_surveys.html")
def open_surveys(person) -> dict[str, object]:
    invitations = open_invitations_for(person, now=timezone.now()) if person else []
    return {"invitations": invitations}
