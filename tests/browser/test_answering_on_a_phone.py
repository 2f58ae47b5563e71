"""The answering page in a real browser on a phone-sized screen, keyboard only."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from surveys.models import Question, Response
from surveys.scheduler import survey_tick
from tests.org.factories import PersonFactory, TeamFactory
from tests.surveys.factories import QuestionFactory, SurveyFactory
from tests.surveys.helpers import release_sealed

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_a_phone_user_answers_with_the_keyboard_alone(
    live_server, phone, settings, mailoutbox
):
    settings.CANDOR_BASE_URL = live_server.url
    now = timezone.now()
    person = PersonFactory(team=TeamFactory())
    survey = SurveyFactory(
        cadence="once", first_date=now.date(), start_time=dt.time(0, 0), open_days=3
    )
    QuestionFactory(survey=survey, position=1, text="I trust our AI tools.")
    QuestionFactory(
        survey=survey,
        position=2,
        kind=Question.Kind.ENPS,
        driver="",
        text="Would you recommend working here?",
    )
    QuestionFactory(
        survey=survey,
        position=3,
        kind=Question.Kind.FREE_TEXT,
        driver="",
        required=False,
        text="Anything else?",
    )
    survey_tick(now=now)
    [email] = mailoutbox
    link = re.search(r"http://\S+/s/[\w-]+/", email.body).group(0)
    assert email.to == [person.email]

    phone.goto(link)
    # Comfortable on a phone: nothing wider than the screen.
    overflow = phone.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    assert phone.get_by_text("This survey is anonymous").is_visible()

    # Keyboard only: Tab into a radio group, arrows choose, Tab moves on.
    phone.keyboard.press("Tab")
    for _ in range(30):
        if phone.evaluate("document.activeElement.type") == "radio":
            break
        phone.keyboard.press("Tab")
    phone.keyboard.press("Space")  # Likert: 1
    for _ in range(3):
        phone.keyboard.press("ArrowRight")  # ... to 4, Agree
    phone.keyboard.press("Tab")
    phone.keyboard.press("Space")  # eNPS: 0
    for _ in range(9):
        phone.keyboard.press("ArrowRight")  # ... to 9
    phone.keyboard.press("Tab")
    phone.keyboard.type("Clear about the why; training would help.")
    phone.keyboard.press("Tab")
    phone.keyboard.press("Enter")

    phone.wait_for_url(re.compile(r"/s/thanks/$"))
    assert phone.get_by_role("heading", name=re.compile("your answers are saved"))
    release_sealed()  # anonymous: sealed until its batch, as the close releases it
    numbers = sorted(
        Response.objects.get()
        .answers.exclude(number=None)
        .values_list("number", flat=True)
    )
    assert numbers == [4, 9]
