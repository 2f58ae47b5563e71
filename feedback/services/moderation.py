"""Moderation: HR hides a post with a recorded reason; anyone may flag one."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from feedback.models import Comment, Concern, Flag
from feedback.permissions import can_moderate
from org.models import Person

REASON_LIMIT = 300


def hide(*, target: Concern | Comment, by: Person, reason: str, now=None) -> None:
    """Hide a post; it shows as "hidden by moderator: <reason>" from then on."""
    now = now or timezone.now()
    if not can_moderate(by.user):
        raise PermissionDenied("Only moderators can hide posts.")
    reason = _reason(reason)
    with transaction.atomic():
        type(target).objects.filter(pk=target.pk).update(
            hidden_at=now, hidden_by=by, hidden_reason=reason
        )
        Flag.objects.filter(**{_key(target): target}, resolved_at=None).update(
            resolved_at=now
        )
    target.refresh_from_db()


def flag(*, target: Concern | Comment, by: Person, reason: str) -> Flag | None:
    """Flag a post for a moderator; flagging the same post twice changes nothing."""
    reason = _reason(reason)
    try:
        with transaction.atomic():
            return Flag.objects.create(
                **{_key(target): target}, flagged_by=by, reason=reason
            )
    except IntegrityError:
        return None


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Give a reason; it is shown with the post."})
    if len(reason) > REASON_LIMIT:
        raise ValidationError(
            {"reason": f"Keep the reason under {REASON_LIMIT} characters."}
        )
    return reason


def _key(target: Concern | Comment) -> str:
    return "concern" if isinstance(target, Concern) else "comment"


def flag_dismiss(*, target_flag: Flag, by: Person, now=None) -> None:
    """Close a flag that turned out unfounded; the post stays as it is."""
    if not can_moderate(by.user):
        raise PermissionDenied("Only moderators can dismiss flags.")
    Flag.objects.filter(pk=target_flag.pk, resolved_at=None).update(
        resolved_at=now or timezone.now()
    )
