"""Raising a concern, and everything its owner or HR does to it.

Every change is recorded in StatusChange (who, when, from, to, note) and tells the
concern's followers through the outbox, in the same transaction.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from core.ratelimit import limit_hit, limit_reached
from feedback.models import (
    BODY_LIMIT,
    TITLE_LIMIT,
    Audience,
    Category,
    Concern,
    Notice,
    Status,
    StatusChange,
    Subscription,
    Vote,
)
from feedback.permissions import EDIT_WINDOW, EDIT_WINDOW_TEXT, can_manage
from feedback.services.notify import followers_notify, notice_create
from feedback.services.ownership import owner_for, policy_for
from feedback.services.worktime import working_days_after
from org.models import AITool, Customer, Person

# Where a concern may go from each status. Reopening brings a closed concern back
# to "acknowledged": someone has to pick it up again.
ALLOWED_MOVES: dict[str, tuple[str, ...]] = {
    Status.NEW: (Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.DECLINED),
    Status.ACKNOWLEDGED: (Status.IN_PROGRESS, Status.RESOLVED, Status.DECLINED),
    Status.IN_PROGRESS: (Status.RESOLVED, Status.DECLINED),
    Status.RESOLVED: (Status.ACKNOWLEDGED,),
    Status.DECLINED: (Status.ACKNOWLEDGED,),
}
NEEDS_WRITING = {
    Status.RESOLVED: "Resolving needs a written outcome: say what changed.",
    Status.DECLINED: "Declining needs a written reason the raiser can read.",
}
# What a customer may raise a concern about: the categories about the service they
# get. Job security, training and workload are the staff's own.
CUSTOMER_CATEGORIES: tuple[str, ...] = (
    Category.ACCURACY,
    Category.SURVEILLANCE,
    Category.FAIRNESS,
    Category.GOVERNANCE,
    Category.OTHER,
)
# Posts (concerns and comments) per person per window.
POST_LIMIT, POST_WINDOW = 10, 600


class RateLimited(Exception):
    """Too many posts in a short time; the message says when to try again."""


def concern_raise(
    *,
    title: str,
    body: str,
    category: str,
    by: Person | None = None,
    customer: Customer | None = None,
    anonymous: bool = False,
    ai_tool: AITool | None = None,
    now: dt.datetime | None = None,
) -> Concern:
    """Raise a concern: it gets its owner, its due time and its first history line.

    Anonymous: no person or customer is stored, the raiser is not subscribed, and
    the owner is not chosen by the raiser's team (which would hint at who it was).
    """
    now = now or timezone.now()
    title, body = _clean_text(title=title, body=body)
    if category not in Category.values:
        raise ValidationError({"category": "Choose one of the categories listed."})
    if by is None and customer is None:
        raise ValidationError("A concern is raised by a person or a customer.")
    if customer is not None and category not in CUSTOMER_CATEGORIES:
        raise ValidationError({"category": "Choose one of the categories listed."})
    post_rate_check(by, customer)
    owner = owner_for(
        category=category, ai_tool=ai_tool, raiser=None if anonymous else by
    )
    policy = policy_for(category)
    with transaction.atomic():
        concern = Concern.objects.create(
            title=title,
            body=body,
            category=category,
            ai_tool=ai_tool,
            audience=Audience.CUSTOMERS if customer else Audience.EMPLOYEES,
            raised_by=None if anonymous else by,
            raised_by_customer=None if anonymous else customer,
            anonymous=anonymous,
            owner=owner,
            created_at=now,
            last_activity_at=now,
            first_response_due_at=working_days_after(now, policy.response_days),
        )
        StatusChange.objects.create(
            concern=concern,
            actor=None if anonymous else by,
            at=now,
            to_status=Status.NEW,
            to_owner=owner,
            note="Raised anonymously." if anonymous else "",
        )
        if by is not None and not anonymous:
            Subscription.objects.create(concern=concern, person=by)
        _tell_owner(concern, owner, now, note="")
    return concern


def concern_edit(
    *, concern: Concern, by: Person, title: str, body: str, now=None
) -> Concern:
    now = now or timezone.now()
    if concern.raised_by_id != by.pk or concern.hidden_at is not None:
        raise PermissionDenied("Only the person who raised a concern may edit it.")
    if now - concern.created_at > EDIT_WINDOW:
        raise PermissionDenied(
            f"A concern can be edited for {EDIT_WINDOW_TEXT} after posting; "
            "add a comment instead."
        )
    concern.title, concern.body = _clean_text(title=title, body=body)
    concern.edited_at = now
    concern.save(update_fields=["title", "body", "edited_at"])
    return concern


# What a status change says to followers, after the name of who made it.
_STATUS_SENTENCES = {
    Status.NEW: "moved this concern back to new",
    Status.ACKNOWLEDGED: "acknowledged this concern",
    Status.IN_PROGRESS: "started work on this concern",
    Status.RESOLVED: "marked this concern resolved",
    Status.DECLINED: "declined this concern",
}


def status_change_sentence(*, by: str, from_status: str, to_status: str) -> str:
    """ "Morgan Reyes marked this concern resolved", without the final stop (a
    note may follow): one sentence per status, and reopening says so."""
    if from_status in NEEDS_WRITING and to_status not in NEEDS_WRITING:
        return f"{by} reopened this concern"
    return f"{by} {_STATUS_SENTENCES[Status(to_status)]}"


def concern_set_status(
    *, concern: Concern, by: Person, to_status: str, note: str = "", now=None
) -> Concern:
    now = now or timezone.now()
    _require_manager(by, concern)
    note = (note or "").strip()
    if concern.merged_into_id is not None:
        # Its thread continues in the survivor; reopening it would split it again.
        raise ValidationError(
            f"This concern was merged into #{concern.merged_into_id}: "
            "change the status there."
        )
    if to_status not in ALLOWED_MOVES.get(concern.status, ()):
        allowed = ", ".join(
            Status(s).label.lower() for s in ALLOWED_MOVES.get(concern.status, ())
        )
        raise ValidationError(
            {
                "to_status": f"A {Status(concern.status).label.lower()} concern can "
                f"move to: {allowed or 'nothing'}."
            }
        )
    if to_status in NEEDS_WRITING and not note:
        raise ValidationError({"note": NEEDS_WRITING[to_status]})
    if len(note) > BODY_LIMIT:
        raise ValidationError({"note": f"Keep the note under {BODY_LIMIT} characters."})
    with transaction.atomic():
        locked = Concern.objects.select_for_update().get(pk=concern.pk)
        if locked.status != concern.status:
            raise ValidationError(
                "Someone changed this concern's status a moment ago; reload the page."
            )
        from_status = locked.status
        locked.status = to_status
        locked.outcome = note if to_status in NEEDS_WRITING else ""
        locked.last_activity_at = now
        fields = ["status", "outcome", "last_activity_at"]
        if to_status in NEEDS_WRITING and locked.first_responded_at is None:
            # A written outcome or reason is an official answer.
            locked.first_responded_at = now
            fields.append("first_responded_at")
        locked.save(update_fields=fields)
        StatusChange.objects.create(
            concern=locked,
            actor=by,
            at=now,
            from_status=from_status,
            to_status=to_status,
            note=note,
        )
        message = status_change_sentence(
            by=by.name, from_status=from_status, to_status=to_status
        ) + (f":\n\n{note}" if note else ".")
        followers_notify(
            concern=locked,
            subject=f"#{locked.pk} is {Status(to_status).label.lower()}: "
            f"{locked.title}",
            message=message,
            now=now,
            skip=[by],
        )
    return locked


def concern_reassign(
    *, concern: Concern, by: Person, owner: Person, note: str = "", now=None
) -> Concern:
    now = now or timezone.now()
    _require_manager(by, concern)
    if not owner.is_active:
        raise ValidationError({"owner": "Choose someone who is still here."})
    if owner.pk == concern.owner_id:
        raise ValidationError({"owner": f"{owner.name} already owns this concern."})
    note = note.strip()
    with transaction.atomic():
        previous = concern.owner
        concern.owner = owner
        # The new owner gets the reminder and escalation steps afresh.
        concern.reminded_at = concern.escalated_at = None
        concern.save(update_fields=["owner", "reminded_at", "escalated_at"])
        _owner_changed(
            concern,
            previous,
            by=by,
            note=note,
            message=f"{by.name} made {owner.name} the accountable owner"
            + (f":\n\n{note}" if note else "."),
            now=now,
        )
    return concern


def concern_hand_over(*, concern: Concern, to: Person, now: dt.datetime) -> bool:
    """Give a concern whose owner was deactivated to `to` (see
    `ownership.successor_for`), who is told, as are its followers. Claimed by a
    conditional UPDATE of the owner: False if it already changed hands."""
    previous = concern.owner
    why = "their manager" if previous.manager == to else "next in line for it"
    with transaction.atomic():
        # As a reassignment: the new owner gets the reminder and escalation afresh.
        if not Concern.objects.filter(pk=concern.pk, owner=previous).update(
            owner=to, reminded_at=None, escalated_at=None
        ):
            return False
        concern.owner, concern.reminded_at, concern.escalated_at = to, None, None
        _owner_changed(
            concern,
            previous,
            by=None,
            note=f"{previous.name} is no longer here, so it passes to {to.name}, "
            f"{why}.",
            message=f"{to.name} is now the accountable owner: {previous.name} is no "
            "longer here.",
            now=now,
        )
    return True


def _owner_changed(
    concern: Concern,
    previous: Person,
    *,
    by: Person | None,
    note: str,
    message: str,
    now: dt.datetime,
) -> None:
    """Record the owner `concern` now has and tell them and its followers, in the
    caller's transaction; `by` None when Candor itself handed it over."""
    StatusChange.objects.create(
        concern=concern,
        actor=by,
        at=now,
        from_status=concern.status,
        to_status=concern.status,
        from_owner=previous,
        to_owner=concern.owner,
        note=note,
    )
    _tell_owner(concern, concern.owner, now, note=note)
    followers_notify(
        concern=concern,
        subject=f"#{concern.pk} has a new owner: {concern.owner.name}",
        message=message,
        now=now,
        skip=[by, concern.owner],
    )


def concern_merge(
    *, duplicate: Concern, survivor: Concern, by: Person, now=None
) -> Concern:
    """Fold a duplicate into the survivor: its supporters and followers move over,
    and it is closed with a link to where the discussion continues."""
    now = now or timezone.now()
    if duplicate.pk == survivor.pk:
        raise ValidationError({"survivor": "A concern cannot be merged into itself."})
    if survivor.merged_into_id is not None:
        raise ValidationError(
            {
                "survivor": f"#{survivor.pk} was itself merged; choose the one it "
                "went to."
            }
        )
    if duplicate.merged_into_id is not None:
        raise ValidationError("This concern is already merged.")
    if survivor.hidden_at is not None:
        raise ValidationError(
            {"survivor": f"#{survivor.pk} was hidden by a moderator; choose another."}
        )
    _require_manager(by, duplicate)
    _require_manager(by, survivor)
    with transaction.atomic():
        voters = set(survivor.votes.values_list("person_id", flat=True))
        Vote.objects.bulk_create(
            [
                Vote(concern=survivor, person_id=pk)
                for pk in duplicate.votes.values_list("person_id", flat=True)
                if pk not in voters
            ],
            ignore_conflicts=True,
        )
        followers = set(survivor.subscriptions.values_list("person_id", flat=True))
        Subscription.objects.bulk_create(
            [
                Subscription(concern=survivor, person_id=s.person_id, active=s.active)
                for s in duplicate.subscriptions.all()
                if s.person_id not in followers
            ],
            ignore_conflicts=True,
        )
        Concern.objects.filter(pk=survivor.pk).update(
            support_count=Vote.objects.filter(concern=survivor).count()
        )
        from_status = duplicate.status
        duplicate.merged_into = survivor
        duplicate.status = Status.DECLINED
        duplicate.outcome = f"Merged into #{survivor.pk}: {survivor.title}"
        duplicate.last_activity_at = now
        duplicate.save(
            update_fields=["merged_into", "status", "outcome", "last_activity_at"]
        )
        StatusChange.objects.create(
            concern=duplicate,
            actor=by,
            at=now,
            from_status=from_status,
            to_status=Status.DECLINED,
            note=duplicate.outcome,
        )
        followers_notify(
            concern=survivor,
            subject=f"#{duplicate.pk} was merged into #{survivor.pk}: {survivor.title}",
            message=f"{by.name} merged #{duplicate.pk} ({duplicate.title}) into this "
            "concern. You follow this one now; its thread continues here.",
            now=now,
            skip=[by],
        )
    survivor.refresh_from_db()
    return survivor


def support_count_refresh(concern: Concern) -> None:
    Concern.objects.filter(pk=concern.pk).update(
        support_count=Vote.objects.filter(concern=concern).count()
    )


def _clean_text(*, title: str, body: str) -> tuple[str, str]:
    title, body = (title or "").strip(), (body or "").strip()
    errors = {}
    if not title:
        errors["title"] = "Give the concern a short title."
    elif len(title) > TITLE_LIMIT:
        errors["title"] = f"Keep the title under {TITLE_LIMIT} characters."
    if not body:
        errors["body"] = "Say what worries you; a sentence is enough."
    elif len(body) > BODY_LIMIT:
        errors["body"] = f"Keep it under {BODY_LIMIT} characters."
    if errors:
        raise ValidationError(errors)
    return title, body


def post_rate_check(person: Person | None, customer: Customer | None = None) -> None:
    who = f"p{person.pk}" if person else f"c{customer.pk}"
    if limit_reached("post", who, limit=POST_LIMIT, window_seconds=POST_WINDOW):
        raise RateLimited(
            f"You have posted {POST_LIMIT} times in the last {POST_WINDOW // 60} "
            "minutes. Please wait a few minutes before posting again."
        )
    limit_hit("post", who, window_seconds=POST_WINDOW)


def _require_manager(person: Person, concern: Concern) -> None:
    if not can_manage(person.user, concern):
        raise PermissionDenied("Only the concern's owner or HR may do this.")


def _tell_owner(concern: Concern, owner: Person, now: dt.datetime, note: str) -> None:
    notice_create(
        person=owner,
        kind=Notice.Kind.ASSIGNED,
        subject=f"You own concern #{concern.pk}: {concern.title}",
        template="feedback/email/assigned.txt",
        context={"due": concern.first_response_due_at, "note": note},
        concern=concern,
        now=now,
    )
