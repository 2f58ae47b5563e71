"""The dashboard pages: the overview (everyone signed in, scoped), customers (HR),
concerns (HR and leaders) and HR's "publish results" action. The AI tools pages
are in `tool_views`, the comments page in `comment_views`; what they share, in
`pages`.

Each page reads its filters from the URL, narrows them to what the person may see
(`dashboards.scope`), asks the metrics for rows, and hands each chart's figure,
table and CSV link to the template. `?csv=<chart>` on the same URL downloads one
chart's numbers with the same filters. Their reads may go to the read replica
(`core.replica`). The number of queries is fixed per page and
filter set: it does not grow with the data or the number of teams.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from core.replica import reads_from_replica
from dashboards import catalog
from dashboards.http import csv_download, csv_link, page_response, warn
from dashboards.pages import CUSTOMERS, LIST_LIMIT
from dashboards.scope import ORG_RESULTS, Reach, tabs_for
from org.models import AITool
from surveys.models import Round
from surveys.services.publishing import round_publish


@login_required
@reads_from_replica
def overview(request: HttpRequest) -> HttpResponse:
    built = catalog.sentiment(request.user, request.GET)
    return page_response(
        request,
        built,
        "dashboards/overview.html",
        more=lambda page, options: {
            "publishable": page.participation if built.scope.reach == Reach.ORG else [],
            "return_to": request.get_full_path(),
        },
    )


@login_required
@reads_from_replica
def customer_overview(request: HttpRequest) -> HttpResponse:
    built = catalog.customers(request.user, request.GET)
    return page_response(
        request, built, "dashboards/customers.html", audience=CUSTOMERS
    )


@login_required
@reads_from_replica
def concern_overview(request: HttpRequest) -> HttpResponse:
    """Loop closure: concerns raised and closed, answered on time, overdue, and the
    leaders' scorecard. HR sees every concern, a leader only those they own."""
    built = catalog.concerns(request.user, request.GET)
    page = built.page
    if response := csv_download(request, page, built.names):
        return response
    page.listed = LIST_LIMIT  # the CSV has them all
    warn(request, built.notes)
    charts = {chart.name: chart for chart in page.charts(built.names)}
    for chart in charts.values():
        chart.csv_url = csv_link(page.filters, chart.name)
    return render(
        request,
        "dashboards/concerns.html",
        {
            "charts": [charts[name] for name in ("flow", "on_time_owner")],
            "category_chart": charts["on_time_category"],
            "median": charts["median"],
            "overdue": charts["overdue"],
            "overdue_rows": page.overdue_rows,
            "overdue_count": page.overdue_count,
            "scorecard": charts["scorecard"],
            "filters": page.filters,
            "own_only": built.owner_only is not None,
            "events": page.events,
            "has_figures": any(chart.figure for chart in charts.values()),
            "options": {"tools": list(AITool.objects.only("name"))},
            "tabs": tabs_for(request.user, built.tab),
        },
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
    # Back to the page that asked, only by path on this site: redirect() would read
    # any other text as a view's name.
    back = request.POST.get("next", "")
    if back.startswith("/") and url_has_allowed_host_and_scheme(
        back, {request.get_host()}
    ):
        return HttpResponseRedirect(back)
    return redirect("dashboards:overview")
