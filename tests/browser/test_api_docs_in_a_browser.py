"""The API's documentation (Swagger UI at /api/docs/) renders from our own files
under the site's Content-Security-Policy: every endpoint listed, nothing refused."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from org.roles import Role
from tests.org.factories import PersonFactory

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_hr_reads_the_api_docs_under_the_policy(live_server, chromium):
    hr = PersonFactory(roles={Role.HR})
    client = Client()
    client.force_login(hr.user)
    context = chromium.new_context()
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "console",
        lambda message: (
            problems.append(message.text) if message.type == "error" else None
        ),
    )
    page.on(
        "response",
        lambda reply: (
            problems.append(f"{reply.status} {reply.url}")
            if reply.status >= 400
            else None
        ),
    )
    outside: list[str] = []
    page.on(
        "request",
        lambda request: (
            outside.append(request.url)
            if not request.url.startswith(live_server.url)
            and not request.url.startswith("data:")
            else None
        ),
    )
    try:
        response = page.goto(live_server.url + "/api/docs/")
        policy = response.headers.get("content-security-policy", "")
        page.wait_for_selector(".opblock-summary-path", timeout=20_000)
        paths = page.locator(".opblock-summary-path").all_inner_texts()
    finally:
        context.close()

    assert response.status == 200
    assert "script-src 'self';" in policy
    assert "/api/v1/concerns/" in {path.strip() for path in paths}, paths
    assert len(paths) >= 10
    assert outside == []
    assert problems == []
