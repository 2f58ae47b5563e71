"""The dashboard pages: the overview (everyone signed in, scoped), customers (HR),
concerns (HR and leaders) and HR's "publish results" action. The AI tools pages
are in `tool_views`, the comments page in `comment_views`; what they share, in
`pages`.

Each page reads its filters from the URL, narrows them to what the person may see
(`dashboards.scope`), asks the metrics for rows, and hands each chart's figure,
table and CSV link to the template. `?csv=<chart>` on the same URL downloads one
chart's numbers with the same filters. The number of queries is fixed per page and
filter set: it does not grow with the data or the number of teams.
"""

from __future__ import annotations

from dataclasses import replace

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from dashboards.filters import Filters
from dashboards.metrics import loop
from dashboards.pages import (
    CUSTOMERS,
    EMPLOYEES,
    LIST_LIMIT,
    ConcernPage,
    SurveyPage,
    csv_download,
    filter_options,
    page_context,
    warn,
)
from dashboards.scope import ORG_RESULTS, Reach, dashboard_scope
from org.models import AITool, Person
from org.roles import Role, roles_of
from surveys.models import Round
from surveys.services.publishing import round_publish


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    filters, problems = Filters.from_query(request.GET)
    scope = dashboard_scope(request.user, filters)
    page = SurveyPage(scope, EMPLOYEES)
    names = ["sentiment", "participation", "drivers", "comments"]
    if scope.reach == Reach.PUBLISHED:
        names = ["sentiment", "participation"]
    if response := csv_download(request, page, names):
        return response
    warn(request, [*problems, *scope.notes])
    charts = page.charts(names)
    return render(
        request,
        "dashboards/overview.html",
        {
            **page_context(page, charts),
            "options": filter_options(scope, EMPLOYEES),
            "publishable": page.participation if scope.reach == Reach.ORG else [],
            "return_to": request.get_full_path(),
        },
    )


@login_required
@permission_required(ORG_RESULTS, raise_exception=True)
def customer_overview(request: HttpRequest) -> HttpResponse:
    filters, problems = Filters.from_query(request.GET)
    if filters.team or filters.department:
        problems.append(
            "Customer answers have no team or department: those filters were removed."
        )
    scope = dashboard_scope(request.user, replace(filters, team=None, department=None))
    page = SurveyPage(scope, CUSTOMERS)
    names = ["csat_nps", "customer_comments"]
    if response := csv_download(request, page, names):
        return response
    warn(request, problems)
    return render(
        request,
        "dashboards/customers.html",
        {
            **page_context(page, page.charts(names)),
            "options": filter_options(scope, CUSTOMERS),
        },
    )


@login_required
def concern_overview(request: HttpRequest) -> HttpResponse:
    """Loop closure: concerns raised and closed, answered on time, overdue, and the
    leaders' scorecard. HR sees every concern, a leader only those they own."""
    person = _concern_owner_view(request.user)
    filters, problems = Filters.from_query(request.GET)
    dropped = [
        name for name in ("department", "team", "survey") if getattr(filters, name)
    ]
    if dropped:
        problems.append(
            "Concerns are filtered by date and AI tool only: the "
            f"{' and '.join(dropped)} filter{'s were' if len(dropped) > 1 else ' was'}"
            " removed."
        )
    filters = Filters(since=filters.since, until=filters.until, tool=filters.tool)
    scope = loop.concerns(since=filters.since, until=filters.until, tool=filters.tool)
    if person is not None:
        scope = scope.filter(owner=person)
    page = ConcernPage(scope, filters, now=timezone.now())
    names = [
        "flow",
        "median",
        "on_time_owner",
        "on_time_category",
        "overdue",
        "scorecard",
    ]
    if response := csv_download(request, page, names):
        return response
    warn(request, problems)
    charts = {chart.name: chart for chart in page.charts(names)}
    query = filters.query_string()
    for chart in charts.values():
        chart.csv_url = f"?{query}&csv={chart.name}" if query else f"?csv={chart.name}"
    return render(
        request,
        "dashboards/concerns.html",
        {
            "charts": [charts[name] for name in ("flow", "on_time_owner")],
            "category_chart": charts["on_time_category"],
            "median": charts["median"],
            "overdue": charts["overdue"],
            "overdue_rows": page.overdue_rows[:LIST_LIMIT],
            "overdue_count": len(page.overdue_rows),
            "scorecard": charts["scorecard"],
            "filters": filters,
            "own_only": person is not None,
            "events": page.events,
            "has_figures": any(chart.figure for chart in charts.values()),
            "options": {"tools": list(AITool.objects.only("name"))},
        },
    )


def _concern_owner_view(user) -> Person | None:
    """None for HR (every concern); a leader's person (only theirs); else 403."""
    if user.has_perm(ORG_RESULTS):
        return None
    if _is_leader(user):
        return user.person
    raise PermissionDenied("The concerns dashboard is for HR and leaders.")


def _is_leader(user) -> bool:
    person = getattr(user, "person", None)
    return person is not None and (
        Role.LEADER in roles_of(user) or person.managed_teams.exists()
    )


@login_required
@permission_required(ORG_RESULTS, raise_exception=True)
@require_POST
def round_publish_view(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = get_object_or_404(Round.objects.select_related("survey"), pk=pk)
    person = getattr(request.user, "person", None)
    if person is None:
        raise PermissionDenied("Publishing needs a person record.")
    try:
        round_publish(round=round_, by=person)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Results of {round_} are now shared with everyone.")
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}):
        back = "dashboards:overview"
    return redirect(back)
