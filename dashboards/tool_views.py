"""The AI tools dashboards: every tool's hours saved, accuracy and open concerns
side by side, and one page per tool with its whole record: owner, purpose,
acceptable use, hours saved, accuracy, customers' satisfaction with the service
it helps give, and its concerns.

HR sees every tool organisation-wide; a leader sees their teams' answers and the
concerns they own or whose tool they own; a tool's owner sees that tool's page
organisation-wide. The figures go through the same floor and differencing guard
as the other pages (`dashboards.scope`).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from dashboards import catalog
from dashboards.pages import (
    EMPLOYEES,
    LIST_LIMIT,
    csv_download,
    filter_options,
    page_context,
    warn,
)
from dashboards.scope import Reach
from org.models import AITool


@login_required
def tool_overview(request: HttpRequest) -> HttpResponse:
    built = catalog.tools(request.user, request.GET)
    page = built.page
    if response := csv_download(request, page, built.names):
        return response
    warn(request, built.notes)
    charts = page.charts(built.names)
    return render(
        request,
        "dashboards/tools.html",
        {
            **page_context(page, charts),
            "options": filter_options(built.scope, EMPLOYEES),
            "tools": AITool.objects.order_by("name").only("name", "status"),
        },
    )


@login_required
def tool_detail(request: HttpRequest, pk: int) -> HttpResponse:
    tool = get_object_or_404(AITool.objects.select_related("owner"), pk=pk)
    built = catalog.tool(request.user, request.GET, tool)
    page = built.page
    if response := csv_download(request, page, built.names):
        return response
    warn(request, built.notes)
    charts = page.charts(built.names)
    options = filter_options(built.scope, EMPLOYEES)
    options["tools"] = []  # the page is the tool's
    if built.scope.reach == Reach.OWNER:
        options["teams"] = options["departments"] = []
    return render(
        request,
        "dashboards/tool.html",
        {
            **page_context(page, charts),
            "tool": tool,
            "options": options,
            "totals": page.totals,
            "concern_list": page.concern_list[:LIST_LIMIT],
            "concern_count": len(page.concern_list),
        },
    )
