"""Rate an AI output: the one POST behind the three buttons on an AI tool's page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from feedback.services.concerns import RateLimited
from feedback.services.ratings import output_rate
from org.models import Accuracy, AITool


@login_required
@require_POST
def rate_output(request: HttpRequest, pk: int) -> HttpResponse:
    tool = get_object_or_404(AITool, pk=pk)
    try:
        rating = output_rate(
            ai_tool=tool,
            rating=request.POST.get("rating", ""),
            note=request.POST.get("note", ""),
            by_user=request.user,
        )  # an account without a person gets PermissionDenied: 403
    except (ValidationError, RateLimited) as exc:
        messages.error(request, " ".join(_messages(exc)))
    else:
        verdict = Accuracy(rating.rating).label.lower()
        messages.success(
            request,
            f"Thank you: your rating ({verdict}) counts in {tool.name}'s accuracy.",
        )
    return redirect("org:aitool_detail", pk=tool.pk)


def _messages(exc: Exception) -> list[str]:
    return exc.messages if isinstance(exc, ValidationError) else [str(exc)]
