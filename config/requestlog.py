"""One log line per request: method, path (secrets redacted), route name, status,
duration in milliseconds, a request id, and whether the person was signed in.

Never who. A line naming the user beside the time and `POST /board/new/` would tie
an anonymous concern to its raiser; so would the `GET /board/<id>/` the raiser is
redirected to a moment later, a "me too" on it, or a signed-in employee's answer
posted from their home page beside the round's batches. Redacting the user on a
list of routes would miss the next such route, so no line names a user at all:
`user` is "signed-in", "anon", or "-" when the request never looked (a static
file, a health check), and the request id (also sent back as `X-Request-ID`)
finds a request a person reports. The path is `request.path`, without the query,
through `redact_secrets`; gunicorn's own access log is off by default for the same
reasons (config/gunicorn.py).
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.functional import empty

from config.logs import redact_secrets

log = logging.getLogger("candor.request")


class RequestLog:
    """Outermost middleware: it times everything, static files and redirects
    included, and logs after the response is built."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        request_id = uuid.uuid4().hex
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        fields = {
            "method": request.method,
            "path": redact_secrets(request.path),
            "route": _route(request),
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            "request_id": request_id,
            "user": _signed_in(request),
        }
        log.info(
            "%(method)s %(path)s route=%(route)s status=%(status)s "
            "duration_ms=%(duration_ms)s request_id=%(request_id)s user=%(user)s",
            fields,
            extra={"fields": fields},
        )
        return response


def _route(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    return match.view_name if match is not None else "-"


def _signed_in(request: HttpRequest) -> str:
    """ "signed-in" or "anon" if the request looked the user up, else "-" (looking
    now would cost a query the request did not need)."""
    user = request.__dict__.get("user")
    if user is None or getattr(user, "_wrapped", None) is empty:
        return "-"
    return "signed-in" if user.is_authenticated else "anon"
