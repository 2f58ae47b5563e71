"""The README's screenshots, taken on request, never in CI's normal run:

    .venv/bin/pytest docs/screenshots/take.py -q

Seeds the demo organisation in a throwaway test database, serves it, and saves
each key page at desktop (1280x800) and phone (390x844) size, viewport only, as
docs/screenshots/<page>-<size>.png.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from feedback.customer_links import customer_board_url
from feedback.models import Concern
from org.models import Customer, Person
from surveys.models import Survey
from tests.browser.conftest import chromium  # noqa: F401  (the fixture)
from tests.browser.journeys import DESKTOP, PHONE, session_cookie
from tests.surveys.factories import QuestionFactory, SurveyFactory

pytestmark = [pytest.mark.django_db(transaction=True)]
HERE = Path(__file__).parent
SIZES = {"desktop": DESKTOP, "phone": PHONE}


def _answer_link() -> str:
    survey = SurveyFactory(
        title="Monday pulse",
        intro="Five questions, two minutes.",
        cadence="once",
        first_date=timezone.localdate(),
        start_time=dt.time(0, 0),
        open_days=3,
        reminder_count=2,
        audience=Survey.Audience.EMPLOYEES,
    )
    for position, text in enumerate(
        (
            "I trust how our AI tools are used.",
            "I know what the AI rollout means for my job.",
            "I had the training I need.",
        ),
        start=1,
    ):
        QuestionFactory(survey=survey, position=position, text=text)
    mail.outbox.clear()
    call_command("scheduler_tick", stdout=open("/dev/null", "w"))  # noqa: SIM115
    body = next(m.body for m in mail.outbox if "Monday pulse" in m.subject + m.body)
    return re.search(r"https?://\S+/s/[\w-]+/", body).group(0)


def test_take_the_screenshots(live_server, chromium, settings):  # noqa: F811
    settings.CANDOR_BASE_URL = live_server.url
    call_command("seed_demo", employees=60, weeks=6, stdout=open("/dev/null", "w"))  # noqa: SIM115
    hr = Person.objects.get(user__email="hr@example.com")
    employee = Person.objects.get(user__email="employee@example.com")
    concern = Concern.objects.filter(merged_into=None, hidden_at=None).first()
    survey = Survey.objects.exclude(status=Survey.Status.ARCHIVED).first()
    customer = Customer.objects.filter(is_active=True).first()
    pages = [
        ("answer", None, _answer_link()),
        ("home", employee, "/"),
        ("board", employee, "/board/?sort=overdue"),
        ("concern", hr, f"/board/{concern.pk}/"),
        ("survey", hr, f"/surveys/{survey.pk}/"),
        ("overview", hr, "/dashboards/"),
        ("concerns-dashboard", hr, "/dashboards/concerns/"),
        ("customer-board", None, customer_board_url(customer)),
    ]
    for size, viewport in SIZES.items():
        for name, person, url in pages:
            context = chromium.new_context(**viewport)
            if person is not None:
                context.add_cookies([session_cookie(person, live_server.url)])
            page = context.new_page()
            page.goto(url if url.startswith("http") else live_server.url + url)
            page.wait_for_load_state("networkidle")
            page.screenshot(path=HERE / f"{name}-{size}.png", full_page=False)
            context.close()
