"""A concern's thread: comments and official responses, "me too" and following."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from feedback.models import COMMENT_LIMIT, Comment, Concern, Subscription, Vote
from feedback.permissions import EDIT_WINDOW, EDIT_WINDOW_TEXT, can_manage
from feedback.services.concerns import post_rate_check, support_count_refresh
from feedback.services.notify import followers_notify
from org.models import Person


def comment_post(
    *,
    concern: Concern,
    by: Person,
    body: str,
    parent: Comment | None = None,
    official: bool = False,
    now=None,
) -> Comment:
    """Post a comment, or an official response (the owner or HR only).

    The first official response stops the reminder clock; every official response
    counts as activity and is emailed to the followers.
    """
    now = now or timezone.now()
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": "Write something first."})
    if len(body) > COMMENT_LIMIT:
        raise ValidationError(
            {"body": f"Keep comments under {COMMENT_LIMIT} characters."}
        )
    if concern.hidden_at is not None:
        raise PermissionDenied("This concern was hidden by a moderator.")
    if official and not can_manage(by.user, concern):
        raise PermissionDenied("Only the concern's owner or HR can respond officially.")
    if parent is not None:
        if parent.concern_id != concern.pk or parent.hidden_at is not None:
            raise ValidationError(
                {"parent": "You can only reply to a visible comment here."}
            )
        parent = parent.parent or parent  # one level of replies
    post_rate_check(by)
    with transaction.atomic():
        comment = Comment.objects.create(
            concern=concern,
            parent=parent,
            author=by,
            body=body,
            official=official,
            created_at=now,
        )
        # Commenters follow, unless they unsubscribed from this concern before.
        Subscription.objects.get_or_create(concern=concern, person=by)
        if official:
            Concern.objects.filter(pk=concern.pk).update(last_activity_at=now)
            Concern.objects.filter(pk=concern.pk, first_responded_at=None).update(
                first_responded_at=now
            )
            followers_notify(
                concern=concern,
                subject=f"Official response on #{concern.pk}: {concern.title}",
                message=f"{by.name} responded officially:\n\n{body}",
                now=now,
                skip=[by],
            )
    return comment


def comment_edit(*, comment: Comment, by: Person, body: str, now=None) -> Comment:
    now = now or timezone.now()
    if comment.author_id != by.pk or comment.hidden_at is not None:
        raise PermissionDenied("Only a comment's author may edit it.")
    if now - comment.created_at > EDIT_WINDOW:
        raise PermissionDenied(
            f"A comment can be edited for {EDIT_WINDOW_TEXT} after posting."
        )
    body = (body or "").strip()
    if not body or len(body) > COMMENT_LIMIT:
        raise ValidationError(
            {"body": f"A comment needs between 1 and {COMMENT_LIMIT} characters."}
        )
    comment.body, comment.edited_at = body, now
    comment.save(update_fields=["body", "edited_at"])
    return comment


def support_set(
    *, concern: Concern, person: Person, supported: bool, follow: bool = False
) -> int:
    """Support ("me too") on or off, one per person; returns the new count."""
    if supported and (concern.merged_into_id or concern.hidden_at):
        raise ValidationError(
            "Support the concern this one was merged into instead."
            if concern.merged_into_id
            else "This concern was hidden by a moderator."
        )
    with transaction.atomic():
        if supported:
            try:
                with transaction.atomic():
                    Vote.objects.create(concern=concern, person=person)
            except IntegrityError:
                pass  # already supported: a double click changes nothing
            if follow:
                follow_set(concern=concern, person=person, following=True)
        else:
            Vote.objects.filter(concern=concern, person=person).delete()
        support_count_refresh(concern)
    concern.refresh_from_db(fields=["support_count"])
    return concern.support_count


def follow_set(*, concern: Concern, person: Person, following: bool) -> None:
    Subscription.objects.update_or_create(
        concern=concern, person=person, defaults={"active": following}
    )
