"""The board, raising a concern, and "You said, we did"."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from feedback import selectors
from feedback.forms import BoardFilterForm, ConcernForm, attach_errors
from feedback.permissions import can_moderate, person_of
from feedback.services.concerns import RateLimited, concern_raise
from feedback.views._common import poster

PAGE_SIZE = 20


@login_required
def board(request: HttpRequest) -> HttpResponse:
    filters = BoardFilterForm(request.GET)
    filters.is_valid()  # bad values are dropped and named below, never a 500
    if filters.ignored():
        messages.warning(
            request,
            "Ignored a filter that did not make sense: "
            + ", ".join(filters.ignored())
            + ".",
        )
    concerns = selectors.concern_board(
        filters=filters.filters(),
        viewer=person_of(request.user),
        moderator=can_moderate(request.user),
        now=timezone.now(),
    )
    page = Paginator(concerns, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "feedback/board.html",
        {"filters": filters, "page": page, "can_post": person_of(request.user)},
    )


@login_required
def concern_create(request: HttpRequest) -> HttpResponse:
    person = poster(request)
    data = request.POST if request.method == "POST" else None
    form = ConcernForm(data, initial={"ai_tool": request.GET.get("tool")})
    status = 400 if data is not None else 200
    if form.is_valid():
        try:
            concern = concern_raise(by=person, **form.cleaned_data)
        except ValidationError as error:
            attach_errors(form, error)
        except RateLimited as error:
            form.add_error(None, str(error))
            status = 429
        else:
            messages.success(
                request,
                f"Thank you. Your concern is #{concern.pk}; "
                f"{concern.owner.name} is accountable for an answer.",
            )
            return redirect("feedback:concern_detail", pk=concern.pk)
    return render(request, "feedback/concern_form.html", {"form": form}, status=status)


@login_required
def you_said_we_did(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.you_said_we_did(), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "feedback/you_said_we_did.html", {"page": page})
