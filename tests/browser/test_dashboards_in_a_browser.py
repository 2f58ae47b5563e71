"""The AI tools dashboard in a real browser: every figure drawn by plotly.js from our
own static files, nothing fetched from another host, no script errors."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.test import Client

from org.roles import Role
from tests.dashboards.test_pages_overview import WEEK_1, WEEK_2
from tests.dashboards.test_tool_metrics import C, M, X, answer_tool, tool_survey
from tests.feedback.factories import ConcernFactory
from tests.org.factories import AIToolFactory, PersonFactory, TeamFactory
from tests.surveys.factories import RoundFactory

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

# No refusal by the Content-Security-Policy is expected any more: plotly.js finds its
# stylesheet (dashboards/_chart_head.html) and adds no <style>. Kept as a filter so a
# refusal plotly.js cannot avoid could be named here, with its reason.
REFUSED_BY_DESIGN: tuple[str, ...] = ()


def _unexpected(message: str) -> bool:
    return not any(digest in message for digest in REFUSED_BY_DESIGN)


def test_hr_sees_every_chart_of_a_tool_drawn_from_our_own_files(live_server, chromium):
    hr = PersonFactory(roles={Role.HR})
    tool = AIToolFactory(name="Drafter")
    survey, questions = tool_survey(tool)
    for week in (WEEK_1, WEEK_2):
        answer_tool(
            # Closed: the dashboards count closed rounds only.
            RoundFactory(
                survey=survey, starts_at=week, closed_at=week + dt.timedelta(days=5)
            ),
            TeamFactory(),
            questions,
            hours=[2, 3, 4, 5],
            verdicts=[C, M, X, C],
        )
    ConcernFactory(ai_tool=tool)
    client = Client()
    client.force_login(hr.user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value

    context = chromium.new_context()
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": session,
                "url": live_server.url,
            }
        ]
    )
    page = context.new_page()
    errors: list[str] = []
    elsewhere: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda message: (
            errors.append(message.text)
            if message.type == "error" and _unexpected(message.text)
            else None
        ),
    )
    page.on(
        "request",
        lambda request: (
            None
            if request.url.startswith(live_server.url)
            or request.url.startswith("data:")
            else elsewhere.append(request.url)
        ),
    )
    try:
        for path in ("/dashboards/tools/", f"/dashboards/tools/{tool.pk}/"):
            page.goto(live_server.url + path)
            charts = page.locator(".dashboard-chart")
            expected = charts.count()
            assert expected >= 3
            # Each figure drawn with its marks (lines or bars), not an empty frame.
            page.wait_for_function(
                """n => [...document.querySelectorAll('.dashboard-chart')]
                    .filter(c => c.querySelector('.main-svg g.trace')).length >= n""",
                arg=expected,
                timeout=15000,
            )
    finally:
        context.close()

    assert errors == []
    assert elsewhere == []
