"""Pages that combine apps: the home page and an AI tool's page. Each asks the
apps' selectors (through home.selectors) and hands the templates plain data."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from home import selectors
from org.models import AITool


@login_required
def home(request: HttpRequest) -> HttpResponse:
    page = selectors.home_page_for(user=request.user, now=timezone.now())
    return render(request, "home/home.html", {"home": page})


@login_required
@permission_required("org.view_aitool", raise_exception=True)
def aitool_detail(request: HttpRequest, pk: int) -> HttpResponse:
    tool = get_object_or_404(AITool.objects.select_related("owner__user"), pk=pk)
    page = selectors.tool_page_for(tool=tool, user=request.user)
    return render(request, "home/aitool_detail.html", {"tool": tool, "page": page})
