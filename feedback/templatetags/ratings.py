"""The "Rate an AI output" panel of an AI tool's page.

{% load ratings %}{% rating_panel tool as panel %}
{% include "feedback/ratings/_rate_buttons.html" %}
"""

from __future__ import annotations

from dataclasses import dataclass

from django import template

from dashboards.metrics import ToolAccuracy, ai_accuracy
from feedback.permissions import person_of
from feedback.services.ratings import NOTE_LIMIT
from org.models import Accuracy, AITool

register = template.Library()

# Below this many verdicts the shares say more about a few people than about the
# tool, so the page shows only the count.
MIN_SHOWN = 5


@dataclass(frozen=True)
class RatingPanel:
    accuracy: ToolAccuracy
    can_rate: bool
    retired: bool
    choices: list[tuple[str, str]]
    note_limit: int = NOTE_LIMIT
    min_shown: int = MIN_SHOWN

    @property
    def shown(self) -> bool:
        return self.accuracy.total >= self.min_shown


@register.simple_tag(takes_context=True)
def rating_panel(context: template.Context, tool: AITool) -> RatingPanel:
    found = ai_accuracy(tools=[tool])
    user = context.get("user")
    return RatingPanel(
        accuracy=found[0] if found else ToolAccuracy(tool.pk, tool.name),
        can_rate=user is not None and person_of(user) is not None,
        retired=tool.status == AITool.Status.RETIRED,
        choices=list(Accuracy.choices),
    )
