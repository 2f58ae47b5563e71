"""Rollout events drawn on every trend: an AI tool going live or being retired, and
an update (to a tool or a policy) posted on the board. Two queries in all."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from feedback.models import Update
from org.models import AITool


@dataclass(frozen=True)
class Event:
    day: dt.date
    kind: str  # "live", "retired" or "update"
    label: str


def rollout_events(
    *, since: dt.date, until: dt.date, tool: int | None = None
) -> list[Event]:
    """The events from `since` to `until` (inclusive), oldest first. With a tool,
    that tool's events and the updates about no tool in particular (policies)."""
    tools = AITool.objects.filter(
        Q(live_since__date__range=(since, until))
        | Q(retired_at__date__range=(since, until))
    )
    updates = Update.objects.filter(created_at__date__range=(since, until))
    if tool is not None:
        tools = tools.filter(pk=tool)
        updates = updates.filter(Q(ai_tool_id=tool) | Q(ai_tool=None))
    events = []
    for name, live_since, retired_at in tools.values_list(
        "name", "live_since", "retired_at"
    ):
        for kind, moment in (("live", live_since), ("retired", retired_at)):
            if moment and since <= (day := _local_day(moment)) <= until:
                events.append(Event(day, kind, f"{name} {kind}"))
    for title, tool_name, created_at in updates.values_list(
        "title", "ai_tool__name", "created_at"
    ):
        about = f"{tool_name} update" if tool_name else "Policy update"
        events.append(Event(_local_day(created_at), "update", f"{about}: {title}"))
    return sorted(events, key=lambda event: (event.day, event.kind, event.label))


def _local_day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()
