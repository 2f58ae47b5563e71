"""The AI tools dashboards: every tool's hours saved, accuracy and open concerns
side by side, and one page per tool with its whole record: owner, purpose,
acceptable use, hours saved, accuracy, customers' satisfaction with the service
it helps give, and its concerns.

HR sees every tool organisation-wide; a leader sees their teams' answers and the
concerns they own or whose tool they own; a tool's owner sees that tool's page
organisation-wide. The figures go through the privacy engine like every other
page's (`dashboards.privacy`).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from core.replica import reads_from_replica
from dashboards import catalog
from dashboards.http import page_response
from dashboards.pages import LIST_LIMIT
from dashboards.scope import Reach
from org.models import AITool


@login_required
@reads_from_replica
def tool_overview(request: HttpRequest) -> HttpResponse:
    built = catalog.tools(request.user, request.GET)
    return page_response(
        request,
        built,
        "dashboards/tools.html",
        more=lambda page, options: {
            "tools": AITool.objects.order_by("name").only("name", "status")
        },
    )


@login_required
@reads_from_replica
def tool_detail(request: HttpRequest, pk: int) -> HttpResponse:
    tool = get_object_or_404(AITool.objects.select_related("owner"), pk=pk)
    built = catalog.tool(request.user, request.GET, tool)

    def more(page, options: dict) -> dict:
        options["tools"] = []  # the page is the tool's
        if built.scope.reach == Reach.OWNER:
            options["teams"] = options["departments"] = []
        return {
            "tool": tool,
            "totals": page.totals,
            "concern_list": page.concern_list[:LIST_LIMIT],
            "concern_count": len(page.concern_list),
        }

    return page_response(request, built, "dashboards/tool.html", more=more)
