"""HR's pages that move a survey through its life (`surveys.services.lifecycle`).

Each page's GET says what the move will do; its POST (CSRF-protected, like every
form) makes it and goes back to the survey, or shows the page again with why not
(409: the survey's state does not allow it, and nothing changed).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from surveys import selectors
from surveys.builder_views import manager_required
from surveys.models import Survey
from surveys.services import lifecycle


@dataclass(frozen=True)
class Move:
    heading: str  # the page's heading and its button
    act: Callable[[Survey, dt.datetime], Survey]
    done: str  # the message once made; {title} is the survey's
    # Activating and resuming show the next round, the audience and the overlap.
    previews: bool = False
    # Checked on GET too, so the page lists what stands in the way.
    check: Callable[[Survey, dt.datetime], None] | None = None
    button: str = "btn-primary"


MOVES = {
    "activate": Move(
        "Activate",
        lambda survey, now: lifecycle.survey_activate(survey=survey, now=now),
        "“{title}” is scheduled: its rounds open on its cadence.",
        previews=True,
        check=lambda survey, now: lifecycle.survey_activate_check(
            survey=survey, now=now
        ),
    ),
    "pause": Move(
        "Pause",
        lambda survey, now: lifecycle.survey_pause(survey=survey),
        "“{title}” is paused: no new round opens. A round already open runs to "
        "its close.",
        button="btn-warning",
    ),
    "resume": Move(
        "Resume",
        lambda survey, now: lifecycle.survey_resume(survey=survey),
        "“{title}” is scheduled again: its rounds open on its cadence.",
        previews=True,
    ),
    "archive": Move(
        "Archive",
        lambda survey, now: lifecycle.survey_archive(survey=survey, now=now),
        "“{title}” is archived: read-only, and its results stay. It is listed "
        "under Archived.",
        button="btn-danger",
    ),
    "restore": Move(
        "Restore",
        lambda survey, now: lifecycle.survey_restore(survey=survey),
        "“{title}” is restored, paused: resume it to open rounds again.",
    ),
}


def _move_page(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    move = MOVES[name]
    survey = get_object_or_404(
        Survey.objects.prefetch_related("departments", "teams__department"), pk=pk
    )
    now = timezone.now()
    errors: list[str] = []
    try:
        if request.method == "POST":
            move.act(survey, now)
            messages.success(request, move.done.format(title=survey.title))
            return redirect("surveys:survey_detail", pk=survey.pk)
        if move.check is not None:
            move.check(survey, now)
    except ValidationError as error:
        errors = error.messages
    context = {
        "survey": survey,
        "move": move,
        "name": name,
        "errors": errors,
        "open_round": selectors.survey_open_round(survey=survey, now=now),
        "preview": (
            selectors.survey_activation_preview(survey=survey, now=now)
            if move.previews
            else None
        ),
        "time_zone": settings.TIME_ZONE,
    }
    status = 409 if errors and request.method == "POST" else 200
    return render(request, "surveys/builder/survey_move.html", context, status=status)


def _view(name: str) -> Callable[..., HttpResponse]:
    @manager_required
    @require_http_methods(["GET", "POST"])
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        return _move_page(request, pk, name)

    view.__name__ = view.__qualname__ = f"survey_{name}"
    return view


survey_activate = _view("activate")
survey_pause = _view("pause")
survey_resume = _view("resume")
survey_archive = _view("archive")
survey_restore = _view("restore")
