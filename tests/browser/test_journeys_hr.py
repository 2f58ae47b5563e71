"""HR's first hour in a real browser, each page checked by axe-core: a weekly
survey made from a template, previewed and activated; the scheduler's tick sends
it; then participation, every dashboard, a filter, a CSV, and a small team that
the anonymity floor merges with its sibling."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from org.roles import Role
from surveys.models import Survey
from tests.browser.journeys import Journey
from tests.dashboards.helpers import closed_round
from tests.dashboards.test_pages_overview import WEEK_1, pulse_survey, respond
from tests.org.factories import DepartmentFactory, PersonFactory, TeamFactory

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def _last_round_answered_by_teams_of_2_4_and_6():
    """A paused pulse with one closed round: Small (2 answers) is under the floor."""
    survey, questions = pulse_survey(min_group_size=3, status=Survey.Status.PAUSED)
    round_ = closed_round(survey, WEEK_1)
    support = DepartmentFactory(name="Support")
    teams = [
        TeamFactory(name=n, department=support) for n in ("Small", "Medium", "Large")
    ]
    for team, count in zip(teams, (2, 4, 6), strict=True):
        respond(round_, team, questions, count=count, trust=count // 2 + 1)
    return teams


def test_hr_launches_a_weekly_survey_and_reads_the_dashboards(
    live_server, chromium, settings, tmp_path
):
    settings.CANDOR_BASE_URL = live_server.url
    hr = PersonFactory(roles={Role.HR})
    teams = _last_round_answered_by_teams_of_2_4_and_6()
    staff = [PersonFactory(team=teams[i % 3], roles={Role.EMPLOYEE}) for i in range(6)]
    today = timezone.localdate()

    journey = Journey(chromium, live_server, person=hr)
    page = journey.page
    try:
        journey.visit("/surveys/from-template/?key=ai-rollout-pulse")
        page.select_option("#id_template", "ai-rollout-pulse")
        page.fill("#id_title", "Weekly AI pulse")
        page.get_by_role("button", name="Create survey").click()
        page.wait_for_url(re.compile(r"/surveys/\d+/$"))
        journey.check()
        survey = Survey.objects.get(title="Weekly AI pulse")
        assert survey.status == Survey.Status.DRAFT

        journey.visit(f"/surveys/{survey.pk}/edit/")
        page.select_option("#id_cadence", "weekly")
        page.select_option("#id_weekday", str(today.weekday()))
        page.fill("#id_first_date", today.isoformat())
        page.fill("#id_start_time", "00:00")
        page.get_by_role("button", name=re.compile("Save")).click()
        page.wait_for_url(re.compile(rf"/surveys/{survey.pk}/$"))
        journey.check()

        journey.visit(f"/surveys/{survey.pk}/preview/")
        assert page.locator("input[type=radio]").count() > 0

        journey.visit(f"/surveys/{survey.pk}/activate/")
        audience = page.get_by_test_id("audience").inner_text()
        assert audience.startswith(f"{len(staff) + 1} people")  # HR is staff too
        assert page.get_by_test_id("overlaps").inner_text().startswith("None")
        assert "Opens within a minute" in page.get_by_test_id("next-round").inner_text()
        page.get_by_role("button", name="Activate survey").click()
        page.wait_for_url(re.compile(rf"/surveys/{survey.pk}/$"))
        journey.check()

        call_command("scheduler_tick", stdout=open("/dev/null", "w"))
        invited = {address for message in mail.outbox for address in message.to}
        assert {person.email for person in staff} <= invited
        journey.visit(f"/surveys/{survey.pk}/")
        assert "7 sent, 0 answered" in page.get_by_test_id("rounds").inner_text()

        for path in (
            "/dashboards/",
            "/dashboards/concerns/",
            "/dashboards/customers/",
            "/dashboards/comments/",
            "/dashboards/tools/",
        ):
            assert journey.visit(path).status == 200, path

        journey.visit("/dashboards/")
        # Small answered twice, under the floor of 3: never shown alone.
        drivers = page.get_by_test_id("table-drivers").text_content()
        assert "Medium + Small" in drivers and "<td>Small</td>" not in page.content()
        page.select_option("#filter-department", label="Support")
        page.get_by_role("button", name="Apply").click()
        page.wait_for_url(re.compile(r"department=\d+"))
        journey.check()
        with page.expect_download() as download:
            page.get_by_test_id("csv-drivers").click()
        saved = tmp_path / "drivers.csv"
        download.value.save_as(saved)
        rows = saved.read_text().splitlines()
        assert any(row.startswith("Medium + Small,") for row in rows), rows
        assert not any(row.startswith("Small,") for row in rows), rows
    finally:
        journey.close()

    assert journey.problems == []
