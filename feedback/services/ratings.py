"""Rating an AI tool's output in two clicks: correct, mostly correct or incorrect.

A rating keeps no person and only the day, like an anonymous survey answer, and
counts in AI accuracy beside the survey's accuracy answers
(`dashboards.metrics.ai_accuracy`).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.crypto import salted_hmac

from core.ratelimit import limit_hit, limit_reached
from feedback.models import OutputRating
from feedback.permissions import person_of
from feedback.services.concerns import RateLimited
from org.models import Accuracy, AITool

NOTE_LIMIT = 500
# Ratings per person per window: plenty for a working day, too few for a script.
RATE_LIMIT, RATE_WINDOW = 30, 3600


def rater_key(*, person_id: int, tool_id: int) -> str:
    """Who rated a tool, as a keyed hash: the same for one person's ratings of one
    tool, unreadable without SECRET_KEY (see OutputRating.rater)."""
    return salted_hmac(
        "feedback.rater", f"{person_id}:{tool_id}", algorithm="sha256"
    ).hexdigest()


def output_rate(
    *,
    ai_tool: AITool,
    rating: str,
    note: str = "",
    by_user,
    now: dt.datetime | None = None,
) -> OutputRating:
    """Record one verdict on `ai_tool`'s output by a signed-in person."""
    person = person_of(by_user)
    if person is None:
        raise PermissionDenied(
            "Only people in the organisation can rate an AI tool's output."
        )
    if ai_tool.status == AITool.Status.RETIRED:
        raise ValidationError(
            f"{ai_tool.name} is retired: its output can no longer be rated."
        )
    if rating not in Accuracy.values:
        raise ValidationError(
            {"rating": "Choose correct, mostly correct or incorrect."}
        )
    note = (note or "").strip()
    if "\x00" in note:  # as a form's text field refuses it; PostgreSQL cannot store it
        raise ValidationError({"note": "The note cannot contain a null character."})
    if len(note) > NOTE_LIMIT:
        raise ValidationError(
            {"note": f"Keep the note to {NOTE_LIMIT} characters or fewer."}
        )
    # Counted per person, but the person is not stored with the rating.
    who = f"p{person.pk}"
    if limit_reached("rate_output", who, limit=RATE_LIMIT, window_seconds=RATE_WINDOW):
        raise RateLimited(
            f"You have rated {RATE_LIMIT} outputs in the last hour. Thank you! "
            "Please wait a while before rating more."
        )
    limit_hit("rate_output", who, window_seconds=RATE_WINDOW)
    return OutputRating.objects.create(
        ai_tool=ai_tool,
        rating=rating,
        note=note,
        rater=rater_key(person_id=person.pk, tool_id=ai_tool.pk),
        rated_on=timezone.localdate(
            now or timezone.now(), ZoneInfo(settings.TIME_ZONE)
        ),
    )
