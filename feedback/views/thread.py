"""A concern's page and what any signed-in person does there: comment, reply,
edit within the window, "me too", follow, flag."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from feedback import selectors
from feedback.forms import (
    CommentEditForm,
    CommentForm,
    ConcernEditForm,
    FlagForm,
    attach_errors,
)
from feedback.models import Comment, Concern
from feedback.permissions import EDIT_WINDOW_TEXT, can_edit, can_manage
from feedback.services import moderation, thread
from feedback.services.concerns import RateLimited, concern_edit
from feedback.views._common import (
    comment_or_404,
    concern_or_404,
    detail_response,
    poster,
)


@login_required
def concern_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return detail_response(request, concern_or_404(request, pk))


@login_required
def concern_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    concern = concern_or_404(request, pk)
    person = poster(request)
    if not can_edit(request.user, concern, timezone.now()):
        raise PermissionDenied(f"Only the author edits a post, for {EDIT_WINDOW_TEXT}.")
    data = request.POST if request.method == "POST" else None
    initial = {"title": concern.title, "body": concern.body}
    form = ConcernEditForm(data, initial=initial)
    if form.is_valid():
        try:
            concern_edit(concern=concern, by=person, **form.cleaned_data)
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, "Saved your changes.")
            return redirect("feedback:concern_detail", pk=concern.pk)
    return render(
        request,
        "feedback/post_edit.html",
        {
            "form": form,
            "concern": concern,
            "what": "concern",
            "edit_window": EDIT_WINDOW_TEXT,
        },
        status=400 if data is not None else 200,
    )


@login_required
@require_POST
def comment_create(request: HttpRequest, pk: int) -> HttpResponse:
    concern = concern_or_404(request, pk)
    person = poster(request)
    form = CommentForm(request.POST, can_answer=can_manage(request.user, concern))
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        parent = selectors.comment_by_pk(pk=data["parent"])
        if data["parent"] and parent is None:
            form.add_error(None, "The comment you replied to is gone.")
        else:
            try:
                comment = thread.comment_post(
                    concern=concern,
                    by=person,
                    body=data["body"],
                    parent=parent,
                    official=data.get("official", False),
                )
            except ValidationError as error:
                attach_errors(form, error)
            except RateLimited as error:
                form.add_error(None, str(error))
                status = 429
            else:
                if comment.official:
                    messages.success(
                        request,
                        "Your official response is posted, and the concern's "
                        "followers are emailed.",
                    )
                url = reverse("feedback:concern_detail", args=[concern.pk])
                return redirect(f"{url}#comment-{comment.pk}")
    return detail_response(request, concern, status=status, comment_form=form)


@login_required
def comment_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    comment = comment_or_404(request, pk)
    person = poster(request)
    if not can_edit(request.user, comment, timezone.now()):
        raise PermissionDenied(
            f"Only the author edits a comment, for {EDIT_WINDOW_TEXT}."
        )
    data = request.POST if request.method == "POST" else None
    form = CommentEditForm(data, initial={"body": comment.body})
    if form.is_valid():
        try:
            thread.comment_edit(comment=comment, by=person, **form.cleaned_data)
        except ValidationError as error:
            attach_errors(form, error)
        else:
            url = reverse("feedback:concern_detail", args=[comment.concern_id])
            return redirect(f"{url}#comment-{comment.pk}")
    return render(
        request,
        "feedback/post_edit.html",
        {
            "form": form,
            "concern": comment.concern,
            "what": "comment",
            "edit_window": EDIT_WINDOW_TEXT,
        },
        status=400 if data is not None else 200,
    )


@login_required
@require_POST
def support(request: HttpRequest, pk: int) -> HttpResponse:
    concern = concern_or_404(request, pk)
    supported = request.POST.get("supported") == "1"
    try:
        thread.support_set(concern=concern, person=poster(request), supported=supported)
    except ValidationError as error:  # merged or hidden: say where to go instead
        messages.error(request, " ".join(error.messages))
        return detail_response(request, concern, status=400)
    messages.success(
        request,
        "Thank you: your “me too” is counted, without your name."
        if supported
        else "Your “me too” is withdrawn.",
    )
    return redirect("feedback:concern_detail", pk=concern.pk)


@login_required
@require_POST
def follow(request: HttpRequest, pk: int) -> HttpResponse:
    concern = concern_or_404(request, pk)
    following = request.POST.get("following") == "1"
    thread.follow_set(concern=concern, person=poster(request), following=following)
    messages.success(
        request,
        "You will get an email when this concern is answered or changes."
        if following
        else "You no longer follow this concern.",
    )
    return redirect("feedback:concern_detail", pk=concern.pk)


@login_required
@require_POST
def concern_flag(request: HttpRequest, pk: int) -> HttpResponse:
    concern = concern_or_404(request, pk)
    return _flag(request, concern, target=concern)


@login_required
@require_POST
def comment_flag(request: HttpRequest, pk: int) -> HttpResponse:
    comment = comment_or_404(request, pk)
    return _flag(request, comment.concern, target=comment)


def _flag(
    request: HttpRequest, concern: Concern, *, target: Concern | Comment
) -> HttpResponse:
    person = poster(request)
    form = FlagForm(request.POST, label="What is wrong with it")
    if form.is_valid():
        try:
            moderation.flag(target=target, by=person, **form.cleaned_data)
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, "Thank you; a moderator will look at it.")
            return redirect("feedback:concern_detail", pk=concern.pk)
    return detail_response(request, concern, status=400, flag_form=form)
