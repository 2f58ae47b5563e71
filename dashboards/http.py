"""The HTTP side of the dashboard pages: a page object (`dashboards.pages`) as HTML
or, with `?csv=<chart>`, one chart's CSV; the notes as messages; the filter form's
choices; the tabs. Views call `page_response` and say only what differs."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from dashboards.csv import csv_response
from dashboards.filters import Filters
from dashboards.pages import EMPLOYEES, Chart, Page, SurveyPage
from dashboards.scope import Reach, Scope, tabs_for
from org.models import AITool, Department, Team
from surveys.models import Survey


def csv_download(
    request: HttpRequest, page: Page, names: list[str]
) -> HttpResponse | None:
    name = request.GET.get("csv")
    if name is None:
        return None
    if name not in names:
        raise Http404("No such chart on this page.")
    table = page.charts([name], draw=False)[0].table
    return csv_response(f"candor-{name}.csv", table.columns, table.rows)


def csv_link(filters: Filters, name: str) -> str:
    """The link to one chart's CSV: the page's URL with its filters and `csv=`."""
    query = filters.query_string()
    return f"?{query}&csv={name}" if query else f"?csv={name}"


def warn(request: HttpRequest, notes: list[str]) -> None:
    for note in notes:
        messages.warning(request, note)


def page_response(
    request: HttpRequest,
    built,
    template: str,
    *,
    audience: str = EMPLOYEES,
    more: Callable[[SurveyPage, dict], dict] = lambda page, options: {},
) -> HttpResponse:
    """A survey page (`catalog.Built`) as HTML, or one chart's CSV with `?csv=`:
    the notes as messages, every chart drawn, the filter form's choices, and what
    `more(page, options)` adds once the charts are built."""
    page = built.page
    if response := csv_download(request, page, built.names):
        return response
    warn(request, built.notes)
    charts = page.charts(built.names)
    options = filter_options(built.scope, audience)
    context = {
        **page_context(page, charts),
        "options": options,
        "tabs": tabs_for(request.user, built.tab),
    }
    return render(request, template, {**context, **more(page, options)})


def page_context(page: SurveyPage, charts: list[Chart]) -> dict[str, object]:
    for chart in charts:
        chart.csv_url = csv_link(page.scope.filters, chart.name)
    return {
        "charts": charts,
        "filters": page.scope.filters,
        "reach": page.scope.reach.value,
        "floor": page.floor,
        "events": page.events,
        "has_figures": any(chart.figure for chart in charts),
        "headlines": getattr(page, "headlines", []),
    }


def filter_options(scope: Scope, audience: str) -> dict[str, list]:
    """The choices of the filter form, limited to what the person may pick."""
    options: dict[str, list] = {
        "surveys": list(Survey.objects.filter(audience=audience).only("title")),
        "departments": [],
        "teams": [],
        "tools": [],
    }
    if audience == EMPLOYEES and scope.reach != Reach.PUBLISHED:
        teams = Team.objects.all()
        departments = Department.objects.all()
        if scope.teams is not None:
            teams = teams.filter(pk__in=scope.teams)
            departments = departments.filter(teams__in=scope.teams).distinct()
        options["teams"] = list(teams.select_related("department"))
        options["departments"] = list(departments)
    if audience == EMPLOYEES:
        options["tools"] = list(AITool.objects.only("name"))
    return options
