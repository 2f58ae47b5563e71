"""AI tools: governance before rollout, and the dates a tool went live or retired."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils import timezone

from core.unique import unique_save
from org.models import AITool, Team


def aitool_save(
    *, tool: AITool, at: dt.datetime | None = None, teams: Iterable[Team] | None = None
) -> AITool:
    """Validate and save a tool (new or edited), stamping status changes; with
    `teams`, the teams it is rolled out to (none: everyone).

    Every path (our forms, the admin, commands) saves through here or through
    ModelForm validation, and the database constraint refuses the rest. Raises
    django's ValidationError; a name another tool has (whatever its case) is
    refused with code "unique", also when another request took it a moment before.
    """
    at = at or timezone.now()
    previous = None
    if tool.pk:
        previous = (
            AITool.objects.filter(pk=tool.pk).values_list("status", flat=True).first()
        )
    tool.full_clean()
    if tool.status != previous:
        if tool.status == AITool.Status.LIVE:
            tool.live_since, tool.retired_at = at, None
        elif tool.status == AITool.Status.RETIRED:
            tool.retired_at = at
    with unique_save(recheck=tool.full_clean):
        tool.save()
        if teams is not None:
            tool.teams.set(teams)
    return tool
