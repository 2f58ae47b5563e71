"""The error pages (400, 403, 404, 500) in the site's layout, with a way back.

`config/urls.py` names them as Django's handlers. 410 and 429 are not handlers:
views that answer them render `410.html` or `429.html` (or a page extending one).
The 400 and 500 pages are rendered without the request, so that nothing a context
processor needs (the signed-in user, the database, the session) can fail a second
time while they are shown.
"""

from __future__ import annotations

from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseServerError,
)
from django.shortcuts import render
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token


@requires_csrf_token
def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    # Without the request too: a bad Host header is refused before the middleware
    # that signs people in has run, so there is no user for the page to read.
    return HttpResponseBadRequest(loader.get_template("400.html").render())


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "403.html", status=403)


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "404.html", status=404)


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    return HttpResponseServerError(loader.get_template("500.html").render())
