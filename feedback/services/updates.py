"""Updates: what changed in an AI tool or a policy, and which concerns it answers."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from feedback.models import BODY_LIMIT, TITLE_LIMIT, Concern, Update
from feedback.permissions import can_post_update
from feedback.services.notify import followers_notify
from org.models import AITool, Person


def update_post(
    *,
    by: Person,
    title: str,
    body: str,
    ai_tool: AITool | None = None,
    concerns: Iterable[Concern] = (),
    now=None,
) -> Update:
    """Post an update; the followers of each concern it answers are told once."""
    now = now or timezone.now()
    if not can_post_update(by.user, ai_tool):
        raise PermissionDenied("Only HR or the AI tool's owner can post an update.")
    title, body = (title or "").strip(), (body or "").strip()
    errors = {}
    if not title or len(title) > TITLE_LIMIT:
        errors["title"] = f"A title needs between 1 and {TITLE_LIMIT} characters."
    if not body or len(body) > BODY_LIMIT:
        errors["body"] = f"Say what changed, in at most {BODY_LIMIT} characters."
    concerns = list(concerns)
    if not can_post_update(by.user):
        # A tool's owner speaks for their tool: attaching an update emails each
        # concern's followers, so only the concerns about it, or their own.
        strays = [
            c.pk
            for c in concerns
            if c.ai_tool_id != getattr(ai_tool, "pk", None) and c.owner_id != by.pk
        ]
        if strays:
            errors["concerns"] = (
                "Only HR attaches an update to concerns about other tools: "
                + ", ".join(f"#{pk}" for pk in strays)
                + "."
            )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        update = Update.objects.create(
            title=title, body=body, ai_tool=ai_tool, author=by, created_at=now
        )
        update.concerns.set(concerns)
        Concern.objects.filter(pk__in=[c.pk for c in concerns]).update(
            last_activity_at=now
        )
        told: set[int] = {by.pk}
        for concern in concerns:
            followers_notify(
                concern=concern,
                subject=f"Update on #{concern.pk}: {title}",
                message=f"{by.name} posted an update that answers this concern:\n\n"
                f"{title}\n\n{body}",
                now=now,
                skip=[Person(pk=pk) for pk in told],
            )
            told |= set(
                concern.subscriptions.filter(active=True).values_list(
                    "person_id", flat=True
                )
            )
    return update
