"""What the board's views share: who is asking, and the concern page they re-render
with a form's errors."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from feedback import selectors
from feedback.forms import (
    CommentForm,
    FlagForm,
    HideForm,
    MergeForm,
    ReassignForm,
    StatusForm,
)
from feedback.models import Comment, Concern
from feedback.permissions import can_edit, can_manage, can_moderate, person_of
from feedback.services.concerns import ALLOWED_MOVES
from org.models import Person

NO_PERSON = (
    "Only people in the organisation can post; this account has no person record."
)


def poster(request: HttpRequest) -> Person:
    """The Person acting; an account without one may read but not post (403)."""
    person = person_of(request.user)
    if person is None:
        raise PermissionDenied(NO_PERSON)
    return person


def concern_or_404(request: HttpRequest, pk: int) -> Concern:
    """A concern the viewer may open: a hidden one is 404 for non-moderators."""
    concerns = selectors.concern_page(
        moderator=can_moderate(request.user), now=timezone.now()
    )
    return get_object_or_404(concerns, pk=pk)


def comment_or_404(request: HttpRequest, pk: int) -> Comment:
    """A comment on a concern the viewer may open."""
    comment = get_object_or_404(Comment.objects.select_related("concern"), pk=pk)
    if comment.concern.hidden_at is not None and not can_moderate(request.user):
        raise Http404("No such comment.")  # never confirm what a hidden one holds
    return comment


def manager_of(request: HttpRequest, concern: Concern) -> Person:
    """The owner or a moderator acting on the concern, else 403."""
    person = poster(request)
    if not can_manage(request.user, concern):
        raise PermissionDenied("Only the concern's owner or HR may do this.")
    return person


def detail_response(
    request: HttpRequest, concern: Concern, *, status: int = 200, **forms: object
) -> HttpResponse:
    """The concern's page; an action that failed passes its bound form in `forms`."""
    user, now = request.user, timezone.now()
    moderator, manager = can_moderate(user), can_manage(user, concern)
    thread = selectors.concern_thread(concern=concern)
    comments = [c for top in thread.comments for c in (top, *top.reply_list)]
    open_to_moves = manager and concern.merged_into_id is None
    moves = ALLOWED_MOVES.get(concern.status, ()) if open_to_moves else ()
    context: dict[str, object] = {
        "concern": concern,
        "history": selectors.concern_history(concern=concern),
        "thread": thread,
        "updates": selectors.concern_updates(concern=concern),
        "merged_from": selectors.concern_merged_from(
            concern=concern, moderator=moderator
        ),
        "viewer": selectors.viewer_state(concern=concern, person=person_of(user)),
        "can_post": person_of(user) is not None,
        "can_manage": manager,
        "can_moderate": moderator,
        "can_update": manager and selectors.update_tools(user=user) is not None,
        "can_edit": can_edit(user, concern, now),
        "editable_comments": {c.pk for c in comments if can_edit(user, c, now)},
        "comment_form": CommentForm(can_answer=manager),
        "status_form": StatusForm(moves=moves) if moves else None,
        "reassign_form": ReassignForm() if manager else None,
        "merge_form": MergeForm() if open_to_moves else None,
        "hide_form": HideForm(label="Why hide it") if moderator else None,
        "flag_form": FlagForm(label="What is wrong with it"),
        **forms,
    }
    return render(request, "feedback/concern_detail.html", context, status=status)
