"""What a concern's owner and HR do: move its status, reassign, merge; and what
moderators do: hide posts and work through the flags."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from feedback import selectors
from feedback.forms import HideForm, MergeForm, ReassignForm, StatusForm, attach_errors
from feedback.models import Comment, Concern, Flag
from feedback.permissions import can_moderate
from feedback.services import concerns as services
from feedback.services import moderation
from feedback.views._common import (
    comment_or_404,
    concern_or_404,
    detail_response,
    manager_of,
    poster,
)

# Notices of unknown fate shown on the moderation page: recent enough to act on.
NOTICES_FATE_UNKNOWN_SHOWN = dt.timedelta(days=30)


@login_required
@require_POST
def concern_status(request: HttpRequest, pk: int) -> HttpResponse:
    concern = concern_or_404(request, pk)
    person = manager_of(request, concern)
    moves = services.ALLOWED_MOVES.get(concern.status, ())
    form = StatusForm(request.POST, moves=moves)
    if form.is_valid():
        try:
            concern = services.concern_set_status(
                concern=concern, by=person, **form.cleaned_data
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(
                request, f"#{concern.pk} is now {concern.get_status_display().lower()}."
            )
            return redirect("feedback:concern_detail", pk=concern.pk)
    return detail_response(request, concern, status=400, status_form=form)


@login_required
@require_POST
def concern_reassign(request: HttpRequest, pk: int) -> HttpResponse:
    concern = concern_or_404(request, pk)
    person = manager_of(request, concern)
    form = ReassignForm(request.POST)
    if form.is_valid():
        try:
            services.concern_reassign(concern=concern, by=person, **form.cleaned_data)
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, f"{concern.owner.name} now owns #{concern.pk}.")
            return redirect("feedback:concern_detail", pk=concern.pk)
    return detail_response(request, concern, status=400, reassign_form=form)


@login_required
@require_POST
def concern_merge(request: HttpRequest, pk: int) -> HttpResponse:
    duplicate = concern_or_404(request, pk)
    person = manager_of(request, duplicate)
    form = MergeForm(request.POST)
    if form.is_valid():
        number = form.cleaned_data["survivor"]
        found = selectors.concerns_by_number(numbers=[number], moderator=False)
        survivor = found[0] if found else None
        try:
            if survivor is None:
                raise ValidationError({"survivor": f"There is no concern #{number}."})
            services.concern_merge(duplicate=duplicate, survivor=survivor, by=person)
        except ValidationError as error:
            attach_errors(form, error)
        except PermissionDenied:
            form.add_error("survivor", f"You may not merge into #{number}.")
        else:
            messages.success(request, f"Merged #{duplicate.pk} into #{number}.")
            return redirect("feedback:concern_detail", pk=number)
    return detail_response(request, duplicate, status=400, merge_form=form)


@login_required
@require_POST
def concern_hide(request: HttpRequest, pk: int) -> HttpResponse:
    concern = concern_or_404(request, pk)
    return _hide(request, concern, target=concern)


@login_required
@require_POST
def comment_hide(request: HttpRequest, pk: int) -> HttpResponse:
    comment = comment_or_404(request, pk)
    return _hide(request, comment.concern, target=comment)


def _hide(
    request: HttpRequest, concern: Concern, *, target: Concern | Comment
) -> HttpResponse:
    person = poster(request)
    if not can_moderate(request.user):
        raise PermissionDenied("Only moderators can hide posts.")
    form = HideForm(request.POST, label="Why hide it")
    if form.is_valid():
        try:
            moderation.hide(target=target, by=person, **form.cleaned_data)
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, "Hidden. The reason shows in its place.")
            if request.POST.get("back") == "moderation":
                return redirect("feedback:moderation")
            return redirect("feedback:concern_detail", pk=concern.pk)
    if request.POST.get("back") == "moderation":
        messages.error(
            request, "Not hidden: " + " ".join(form.errors.get("reason", []))
        )
        return redirect("feedback:moderation")
    return detail_response(request, concern, status=400, hide_form=form)


@login_required
def moderation_page(request: HttpRequest) -> HttpResponse:
    if not can_moderate(request.user):
        raise PermissionDenied("Only moderators see the flags.")
    now = timezone.now()
    return render(
        request,
        "feedback/moderation.html",
        {
            "flags": selectors.open_flags(),
            "hide_form": HideForm(label="Why hide it"),
            "notices_fate_unknown": selectors.notices_fate_unknown(
                since=now - NOTICES_FATE_UNKNOWN_SHOWN, now=now
            ),
        },
    )


@login_required
@require_POST
def flag_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    flag = get_object_or_404(Flag, pk=pk)
    moderation.flag_dismiss(target_flag=flag, by=poster(request))
    messages.success(request, "Flag dismissed; the post stays as it is.")
    return redirect("feedback:moderation")
