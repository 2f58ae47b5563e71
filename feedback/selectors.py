"""Reads for the board: lists, a concern's page, home-page sections, moderation,
notices that may not have arrived.

Who may see what is decided here once: hidden posts only for moderators, the
customers' link only customer-audience concerns, and never who supported a
concern or who raised an anonymous one (no query here returns them).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.db.models import (
    BooleanField,
    Case,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)

from core.delivery import CLAIM_LEASE, SendState
from core.ids import row_ids
from feedback.models import (
    Audience,
    Comment,
    Concern,
    Flag,
    Notice,
    Status,
    StatusChange,
    Subscription,
    Update,
    Vote,
)
from feedback.permissions import can_post_update, person_of
from org.models import AITool, Person, User
from org.roles import Role

OPEN_STATUSES = (Status.NEW, Status.ACKNOWLEDGED, Status.IN_PROGRESS)
# The board's sorts, by the value the page, its form and the API's `sort` take.
SORTS: dict[str, str] = {
    "newest": "Newest first",
    "support": "Most supported",
    "unanswered": "Oldest unanswered first",
    "overdue": "Overdue first",
    "due": "Due soonest",
}
_ORDER = {
    "newest": ("-created_at", "-pk"),
    "support": ("-support_count", "-created_at", "-pk"),
    # Unanswered before answered, each with the earliest due time first.
    "unanswered": ("answered_rank", "first_response_due_at", "pk"),
    # Overdue ones, the longest overdue first; then the rest, newest first.
    "overdue": (F("overdue_due_at").asc(nulls_last=True), "-created_at", "-pk"),
    # Open ones awaiting a first response by due time (overdue ones have the
    # earliest), then the rest, newest first.
    "due": (F("awaiting_due_at").asc(nulls_last=True), "-created_at", "-pk"),
}


def _awaiting_response() -> Q:
    """Open and without a first official response: its due time still binds."""
    return Q(status__in=OPEN_STATUSES, first_responded_at=None)


def _overdue(now: dt.datetime) -> Q:
    return _awaiting_response() & Q(first_response_due_at__lt=now)


def _due_at_when(condition: Q) -> Case:
    """The first-response due time of the concerns matching `condition`, else NULL."""
    return Case(
        When(condition, then=F("first_response_due_at")),
        default=None,
        output_field=DateTimeField(),
    )


@dataclass(frozen=True)
class BoardFilters:
    search: str = ""
    status: str = ""
    category: str = ""
    audience: str = ""
    ai_tool_id: int | None = None
    owner_id: int | None = None
    mine: bool = False
    following: bool = False
    sort: str = "newest"


@dataclass
class ViewerState:
    """What the person looking at a concern has done to it (their own choices)."""

    supported: bool = False
    following: bool = False


@dataclass
class Thread:
    comments: list[Comment] = field(default_factory=list)  # top level, with .reply_list
    count: int = 0


def _visible(moderator: bool) -> QuerySet[Concern]:
    concerns = Concern.objects.all()
    return concerns if moderator else concerns.filter(hidden_at=None)


def _with_markers(concerns: QuerySet[Concern], now: dt.datetime) -> QuerySet[Concern]:
    """Adds `is_overdue`: open, unanswered and past its first-response due time."""
    return concerns.annotate(
        is_overdue=ExpressionWrapper(_overdue(now), output_field=BooleanField())
    )


def concern_board(
    *,
    filters: BoardFilters,
    viewer: Person | None,
    moderator: bool,
    now: dt.datetime,
) -> QuerySet[Concern]:
    """The board's rows, filtered and sorted, with everything a row shows joined in."""
    concerns = _with_markers(_visible(moderator), now).select_related(
        "owner", "ai_tool"
    )
    if filters.search:
        concerns = concerns.filter(
            Q(title__icontains=filters.search) | Q(body__icontains=filters.search)
        )
    exact = {
        "status": filters.status,
        "category": filters.category,
        "audience": filters.audience,
        "ai_tool_id": filters.ai_tool_id,
        "owner_id": filters.owner_id,
    }
    concerns = concerns.filter(**{k: v for k, v in exact.items() if v})
    if filters.mine or filters.following:
        if viewer is None:
            return concerns.none()
        if filters.mine:  # raised_by is empty on anonymous concerns
            concerns = concerns.filter(raised_by=viewer)
        if filters.following:
            concerns = concerns.filter(
                Exists(
                    Subscription.objects.filter(
                        concern=OuterRef("pk"), person=viewer, active=True
                    )
                )
            )
    return _sorted(concerns, filters.sort, now)


def _sorted(
    concerns: QuerySet[Concern], sort: str, now: dt.datetime
) -> QuerySet[Concern]:
    """`concerns` in the order of the sort named `sort` (SORTS; else newest)."""
    if sort == "unanswered":
        concerns = concerns.annotate(
            answered_rank=Case(
                When(first_responded_at=None, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
    elif sort == "overdue":
        concerns = concerns.annotate(overdue_due_at=_due_at_when(_overdue(now)))
    elif sort == "due":
        concerns = concerns.annotate(awaiting_due_at=_due_at_when(_awaiting_response()))
    return concerns.order_by(*_ORDER.get(sort, _ORDER["newest"]))


def board_owners() -> QuerySet[Person]:
    """People who own at least one concern: the owner filter's choices."""
    return Person.objects.filter(
        Exists(Concern.objects.filter(owner=OuterRef("pk")))
    ).order_by("name")


def possible_owners() -> QuerySet[Person]:
    """Who a concern can be reassigned to: active leaders, HR and AI tools' owners."""
    roles = [Role.LEADER.value, Role.HR.value]
    return (
        Person.objects.filter(user__is_active=True)
        .filter(
            Q(user__groups__name__in=roles)
            | Exists(AITool.objects.filter(owner=OuterRef("pk")))
        )
        .distinct()
        .order_by("name")
    )


def concern_page(*, moderator: bool, now: dt.datetime) -> QuerySet[Concern]:
    """The concerns whose page the viewer may open, with what the page shows."""
    return _with_markers(_visible(moderator), now).select_related(
        "owner", "ai_tool", "raised_by", "merged_into", "hidden_by"
    )


def concern_history(*, concern: Concern) -> list[StatusChange]:
    return list(concern.history.select_related("actor", "from_owner", "to_owner"))


def concern_thread(*, concern: Concern) -> Thread:
    """Top-level comments in order, each with its replies as `reply_list`.

    Hidden comments stay in the list (their place in the discussion shows, with the
    moderator's reason); templates show their text to moderators only.
    """
    comments = list(concern.comments.select_related("author", "hidden_by"))
    by_id = {comment.pk: comment for comment in comments}
    top: list[Comment] = []
    for comment in comments:
        comment.reply_list = []
    for comment in comments:
        parent = by_id.get(comment.parent_id) if comment.parent_id else None
        if parent is not None:
            parent.reply_list.append(comment)
        else:
            top.append(comment)
    return Thread(comments=top, count=len(comments))


def comment_by_pk(*, pk: int | None) -> Comment | None:
    return Comment.objects.filter(pk=pk).first() if pk else None


def concern_merged_from(*, concern: Concern, moderator: bool) -> list[Concern]:
    return list(_visible(moderator).filter(merged_into=concern).order_by("pk"))


def concern_updates(*, concern: Concern) -> list[Update]:
    return list(concern.updates.select_related("author", "ai_tool"))


def viewer_state(*, concern: Concern, person: Person | None) -> ViewerState:
    if person is None:
        return ViewerState()
    return ViewerState(
        supported=Vote.objects.filter(concern=concern, person=person).exists(),
        following=Subscription.objects.filter(
            concern=concern, person=person, active=True
        ).exists(),
    )


def concerns_by_number(*, numbers: list[int], moderator: bool) -> list[Concern]:
    """The concerns with these numbers the viewer may see; a number no concern
    can have (typed by a person, so any size) finds nothing."""
    return list(_visible(moderator).filter(pk__in=row_ids(numbers)).order_by("pk"))


def you_said_we_did() -> QuerySet[Concern]:
    """Resolved concerns with their written outcomes, the latest resolution first."""
    return (
        Concern.objects.filter(status=Status.RESOLVED, hidden_at=None)
        .annotate(
            resolved_at=Max("history__at", filter=Q(history__to_status=Status.RESOLVED))
        )
        .select_related("owner", "ai_tool")
        .prefetch_related(
            Prefetch("updates", queryset=Update.objects.select_related("ai_tool"))
        )
        .order_by("-resolved_at", "-pk")
    )


def update_list(*, moderator: bool) -> QuerySet[Update]:
    return Update.objects.select_related("author", "ai_tool").prefetch_related(
        Prefetch("concerns", queryset=_visible(moderator).order_by("pk"))
    )


def update_tools(*, user: User | AnonymousUser) -> QuerySet[AITool] | None:
    """The tools a user may post updates about: every tool for HR, their own for a
    tool's owner, None for everyone else."""
    if can_post_update(user):
        return AITool.objects.order_by("name")
    person = person_of(user)
    if person is None or not person.owned_tools.exists():
        return None
    return person.owned_tools.order_by("name")


def open_flags() -> list[Flag]:
    """Unresolved flags, oldest first. Who flagged is left out on purpose."""
    return list(
        Flag.objects.filter(resolved_at=None)
        .select_related("concern", "comment__concern", "comment__author")
        .order_by("created_at", "pk")
    )


def open_flag_count() -> int:
    return Flag.objects.filter(resolved_at=None).count()


def concerns_of(*, person: Person, now: dt.datetime, limit: int = 10) -> list[Concern]:
    """ "My concerns": raised by the person under their name, or followed."""
    following = Subscription.objects.filter(
        concern=OuterRef("pk"), person=person, active=True
    )
    return list(
        _with_markers(_visible(False), now)
        .filter(Q(raised_by=person) | Q(Exists(following)))
        .select_related("owner")
        .order_by("-last_activity_at", "-pk")[:limit]
    )


def concerns_waiting_for(
    *, person: Person, now: dt.datetime, limit: int = 20
) -> list[Concern]:
    """The open concerns `person` owns, what needs them first: overdue ones (the
    longest overdue first), then those awaiting a first response (the earliest due
    first), then answered ones still open (the quietest first). Each has
    `is_overdue`; the due time of those answered no longer binds."""
    concerns = _visible(False).filter(
        owner=person, merged_into=None, status__in=OPEN_STATUSES
    )
    return list(
        _with_markers(concerns, now)
        .annotate(
            wait_rank=Case(
                When(_overdue(now), then=Value(0)),
                When(first_responded_at=None, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            ),
            wait_key=Case(
                When(first_responded_at=None, then=F("first_response_due_at")),
                default=F("last_activity_at"),
                output_field=DateTimeField(),
            ),
        )
        .order_by("wait_rank", "wait_key", "pk")[:limit]
    )


def customer_concerns() -> QuerySet[Concern]:
    """What a customer's link shows: customer-audience concerns, none hidden."""
    return Concern.objects.filter(
        audience=Audience.CUSTOMERS, hidden_at=None
    ).select_related("ai_tool")


def official_responses(*, concern: Concern) -> list[Comment]:
    return list(
        concern.comments.filter(official=True, hidden_at=None).select_related("author")
    )


def notices_fate_unknown(*, since: dt.datetime, now: dt.datetime) -> int:
    """Notices claimed since `since` that went to the mail server whose reply was
    lost, or whose worker died after handing them over (handed, its lease long
    run out): they may not have arrived, and are not sent again."""
    return (
        Notice.objects.filter(sent_at__gte=since)
        .filter(
            Q(send_state=SendState.FATE_UNKNOWN)
            | Q(send_state=SendState.HANDED, sent_at__lt=now - CLAIM_LEASE)
        )
        .count()
    )
