"""Pages that combine apps: the home page and an AI tool's page. Each asks the
apps' selectors (through home.selectors) and hands the templates plain data."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from home import selectors


@login_required
def home(request: HttpRequest) -> HttpResponse:
    page = selectors.home_page_for(user=request.user, now=timezone.now())
    return render(request, "home/home.html", {"home": page})
