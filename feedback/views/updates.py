"""Updates about AI tools and policies: everyone reads them; HR and tool owners
post them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from feedback import selectors
from feedback.forms import UpdateForm, attach_errors
from feedback.permissions import can_moderate, can_post_update
from feedback.services.updates import update_post
from feedback.views._common import poster

PAGE_SIZE = 20


@login_required
def update_list(request: HttpRequest) -> HttpResponse:
    updates = selectors.update_list(moderator=can_moderate(request.user))
    page = Paginator(updates, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "feedback/update_list.html",
        {
            "page": page,
            "can_post": selectors.update_tools(user=request.user) is not None,
        },
    )


@login_required
def update_create(request: HttpRequest) -> HttpResponse:
    person = poster(request)
    tools = selectors.update_tools(user=request.user)
    if tools is None:
        raise PermissionDenied("Only HR or an AI tool's owner can post an update.")
    data = request.POST if request.method == "POST" else None
    initial = {"concerns": request.GET.get("concern", "")}
    form = UpdateForm(
        data,
        initial=initial,
        tools=tools,
        tool_required=not can_post_update(request.user),
    )
    if form.is_valid():
        try:
            update_post(by=person, **_with_concerns(form))
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(
                request, "Posted. Followers of the concerns it answers are told."
            )
            return redirect("feedback:update_list")
    return render(
        request,
        "feedback/update_form.html",
        {"form": form},
        status=400 if data is not None else 200,
    )


def _with_concerns(form: UpdateForm) -> dict[str, object]:
    data = dict(form.cleaned_data)
    numbers = data.pop("concerns")
    concerns = selectors.concerns_by_number(numbers=numbers, moderator=False)
    missing = sorted(set(numbers) - {concern.pk for concern in concerns})
    if missing:
        raise ValidationError(
            {"concerns": "No concern " + ", ".join(f"#{n}" for n in missing) + "."}
        )
    return {**data, "concerns": concerns}
