"""`{{ survey.cadence|cadence_label }}` gives "Every two weeks" for "biweekly"."""

from __future__ import annotations

from django import template

from surveys.cadence import cadence_label as _cadence_label

register = template.Library()


@register.filter
def cadence_label(value: str) -> str:
    return _cadence_label(value)
