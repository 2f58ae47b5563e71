"""HR's comments page: employees' free-text answers, round by round, behind the
comment threshold (`dashboards.metrics.comments`). Who may open it, its filters and
its counts come from the catalog (`dashboards.catalog.comments`), as its CSV's and
the API's."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render

from core.replica import reads_from_replica
from dashboards import catalog
from dashboards.http import csv_download, csv_link, filter_options, warn
from dashboards.metrics import comments as metrics
from dashboards.scope import tabs_for
from surveys.models import Question, Survey

# Rounds listed per page, newest first: a round can hold hundreds of comments.
ROUNDS_PER_PAGE = 3


@login_required
@reads_from_replica
def comments(request: HttpRequest) -> HttpResponse:
    """The comments of the rounds in view, three rounds a page; with `?csv=commenters`
    the number who wrote a comment per round (the catalog's page, as the API's)."""
    built = catalog.comments(request.user, request.GET)
    if response := csv_download(request, built.page, built.names):
        return response
    driver, tone, more_problems = comment_choices(request.GET)
    scope, counts = built.scope, built.page
    page = Paginator(counts.rounds, ROUNDS_PER_PAGE).get_page(request.GET.get("page"))
    metrics.fill_comments(
        page.object_list,
        shuffle_key=settings.SECRET_KEY,
        driver=driver,
        tone=tone,
    )
    warn(request, [*built.notes, *more_problems])
    options = filter_options(scope, Survey.Audience.EMPLOYEES)
    return render(
        request,
        "dashboards/comments.html",
        {
            "filters": scope.filters,
            "options": {**options, "tools": []},
            "reach": scope.reach,
            "driver": driver or "",
            "drivers": Question.Driver.choices,
            "tone": tone or "",
            # The main filter form carries the reading choices along.
            "keep_filters": [
                (name, value)
                for name, value in (("driver", driver), ("tone", tone))
                if value
            ],
            "tones": [(t.value, t.label) for t in metrics.Tone],
            "threshold": counts.threshold,
            "rounds": page.object_list,
            "page": page,
            "page_query": _without_page(request.GET),
            "cap": metrics.SHOWN_PER_ROUND,
            "csv_url": csv_link(scope.filters, "commenters"),
            "tabs": tabs_for(request.user, built.tab),
        },
    )


def comment_choices(
    query: QueryDict,
) -> tuple[str | None, metrics.Tone | None, list[str]]:
    """The driver and tone asked for; a bad value is ignored with a message."""
    problems = []
    driver = (query.get("driver") or "").strip() or None
    if driver is not None and driver not in Question.Driver.values:
        problems.append(
            f"Ignored driver={driver!r}: choose one of the drivers in the list."
        )
        driver = None
    raw = (query.get("tone") or "").strip()
    tone = None
    if raw:
        try:
            tone = metrics.Tone(raw)
        except ValueError:
            problems.append(
                f"Ignored tone={raw!r}: expected positive, neutral or negative."
            )
    return driver, tone, problems


def _without_page(query: QueryDict) -> str:
    """The query string of this view without its page number."""
    query = query.copy()
    query.pop("page", None)
    return query.urlencode()
