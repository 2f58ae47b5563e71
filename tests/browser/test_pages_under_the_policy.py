"""Every kind of page in a real browser under the Content-Security-Policy: no
script error and no refused script or style beyond plotly's own by-design ones."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from org.models import PeopleSync
from org.roles import Role
from org.services import people_sync_runs
from tests.browser.test_dashboards_in_a_browser import _unexpected
from tests.dashboards.test_pages_overview import WEEK_1, pulse_survey, respond
from tests.feedback.factories import ConcernFactory
from tests.org.factories import AIToolFactory, PersonFactory, TeamFactory
from tests.surveys.factories import RoundFactory

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_hrs_pages_keep_to_the_policy(live_server, chromium):
    hr = PersonFactory(roles={Role.HR})
    tool = AIToolFactory(owner=hr)
    concern = ConcernFactory(ai_tool=tool, owner=hr)
    survey, questions = pulse_survey(min_group_size=3)
    respond(
        RoundFactory(survey=survey, starts_at=WEEK_1),
        TeamFactory(),
        questions,
        count=5,
        tone=0.3,
    )
    # A large import: one still running (its progress bar), one refused line by line.
    running = PeopleSync.objects.create(
        format="csv", rows=5000, state="running", created_at=WEEK_1, claimed_at=WEEK_1
    )
    people_sync_runs._progress_recorder(running.pk)(2000)  # as its worker does
    rejected = PeopleSync.objects.create(
        format="csv",
        rows=5000,
        state="rejected",
        created_at=WEEK_1,
        error_count=1,
        errors=[{"line": 3, "field": "name", "message": "name is empty"}],
    )
    client = Client()
    client.force_login(hr.user)
    cookie = {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": live_server.url,
    }
    context = chromium.new_context()
    context.add_cookies([cookie])
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"{page.url}: {error}"))
    page.on(
        "console",
        lambda message: (
            problems.append(f"{page.url}: {message.text}")
            if message.type == "error" and _unexpected(message.text)
            else None
        ),
    )
    paths = [
        "/",
        "/board/",
        f"/board/{concern.pk}/",
        "/board/new/",
        "/tools/",
        f"/tools/{tool.pk}/",
        "/surveys/",
        f"/surveys/{survey.pk}/",
        "/people/",
        f"/people/syncs/{running.pk}/",
        f"/people/syncs/{rejected.pk}/",
        "/dashboards/",
        "/dashboards/tools/",
        "/dashboards/concerns/",
        "/dashboards/customers/",
        "/dashboards/comments/",
        "/admin/",
    ]
    try:
        for path in paths:
            response = page.goto(live_server.url + path)
            assert response.status < 400, path
            policy = response.headers.get("content-security-policy", "")
            assert "script-src 'self';" in policy, path
            page.wait_for_load_state("load")
    finally:
        context.close()

    assert problems == []
