"""The Content-Security-Policy every response carries: scripts, styles, images and
fonts from our own origin only, no inline script or style, no framing.

The pages are built for it (plotly.js is served by us and its styles come from a
static file, `static/dashboards/charts.css`), so an injected `<script>` or
`style=` in someone's comment is inert even if escaping ever failed.

plotly.js adds no <style> element of its own: the dashboards' pages carry the
markers it looks for first (dashboards/_chart_head.html).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        # Two inline styles are let through by their hash, both set by plotly.js:
        # the heatmap's image asks for crisp pixels ("image-rendering:
        # optimizeSpeed; ..."), and a colour bar's stripes get an empty style
        # (style=""), which can do nothing.
        "style-src 'self' 'unsafe-hashes' "
        "'sha256-AR/cKIZjWPcPmBUPDA6oti9XBiTbJvz0Cro2J1VzzS8=' "
        "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)


class ContentSecurityPolicy:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy = getattr(settings, "CONTENT_SECURITY_POLICY", POLICY)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.policy:
            response.headers.setdefault("Content-Security-Policy", self.policy)
        return response
