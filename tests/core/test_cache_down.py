"""With the cache down (Redis stopped), rate limits let people through: a survey
link still answers, a concern can still be raised, by name, anonymously or by a
customer. Only /healthz says something is wrong."""

from __future__ import annotations

import re

import pytest
from django.test import override_settings
from django.urls import reverse

from feedback.customer_links import customer_token
from feedback.models import Concern
from org.roles import Role
from surveys.scheduler import survey_tick
from tests.org.factories import CustomerFactory, PersonFactory
from tests.surveys.helpers import MONDAY_9, at, weekly_pulse

pytestmark = pytest.mark.django_db

# Nothing listens on this port: a cache there is down.
DOWN_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:6399/0",
    }
}
LINK = re.compile(r"http://testserver(/s/[\w-]+/)")
CONCERN = {
    "title": "Will the agent replace the help desk?",
    "body": "People are worried.",
    "category": "job_security",
    "ai_tool": "",
}


def test_a_survey_link_opens_and_takes_an_answer(
    client, settings, time_machine, mailoutbox
):
    settings.CANDOR_BASE_URL = "http://testserver"
    survey, staff = weekly_pulse(people=1)
    survey_tick(now=MONDAY_9)
    time_machine.move_to(at(3, 10), tick=False)
    link = LINK.search(mailoutbox[0].body).group(1)
    likert = survey.questions.get(position=1)

    with override_settings(CACHES=DOWN_CACHE):
        page = client.get(link)
        answered = client.post(link, {f"q{likert.pk}": "4"})
        again = client.get(link)

    assert page.status_code == 200
    assert answered.status_code == 302
    assert answered["Location"] == reverse("surveys:answer_thanks")
    assert again.status_code == 410


def test_an_unknown_survey_link_is_still_a_404(client):
    with override_settings(CACHES=DOWN_CACHE):
        response = client.get("/s/not-a-real-token/")

    assert response.status_code == 404


@pytest.mark.parametrize("anonymous", [False, True])
def test_a_concern_is_raised(client, anonymous):
    PersonFactory(roles={Role.HR})  # owns what nobody else does
    raiser = PersonFactory()
    client.force_login(raiser.user)

    with override_settings(CACHES=DOWN_CACHE):
        response = client.post(
            reverse("feedback:concern_create"),
            {**CONCERN, **({"anonymous": "on"} if anonymous else {})},
        )

    concern = Concern.objects.get()
    assert response.status_code == 302
    assert concern.anonymous is anonymous
    assert concern.raised_by == (None if anonymous else raiser)


def test_a_customer_raises_a_concern_through_the_link(client):
    PersonFactory(roles={Role.HR})
    customer = CustomerFactory()
    url = reverse("feedback:customer_board", args=[customer_token(customer)])

    with override_settings(CACHES=DOWN_CACHE):
        page = client.get(url)
        response = client.post(url, {**CONCERN, "category": "governance"})

    assert page.status_code == 200
    assert response.status_code == 302
    assert Concern.objects.get().raised_by_customer == customer
