"""HR publishes a closed round's results; from then on employees see them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from surveys.models import Round
from surveys.services.publishing import round_publish
from tests.dashboards.test_pages_overview import (
    WEEK_1,
    figure_of,
    pulse_survey,
    respond,
)
from tests.org.factories import TeamFactory
from tests.surveys.factories import RoundFactory, SurveyFactory

pytestmark = pytest.mark.django_db

CLOSED = WEEK_1 + dt.timedelta(days=5)


@pytest.fixture
def closed_round():
    survey, questions = pulse_survey()
    round_ = RoundFactory(survey=survey, starts_at=WEEK_1, closed_at=CLOSED)
    respond(round_, TeamFactory(), questions, count=4, trust=5, jobs=3)
    return round_


def publish_url(round_: Round) -> str:
    return reverse("dashboards:round_publish", args=[round_.pk])


def test_hr_publishes_a_closed_round_and_employees_then_see_it(
    closed_round, hr, employee, signed_in, client
):
    before = signed_in(employee).get("/dashboards/")
    assert figure_of(before, "sentiment") is None

    client.force_login(hr.user)
    response = client.post(publish_url(closed_round), {"next": "/dashboards/?survey=1"})

    assert response.status_code == 302
    assert response["Location"] == "/dashboards/?survey=1"
    closed_round.refresh_from_db()
    assert closed_round.results_published_at is not None
    client.force_login(employee.user)
    after = client.get("/dashboards/")
    assert figure_of(after, "sentiment")["data"][0]["y"] == [75.0]


def test_the_overview_offers_hr_a_publish_button_per_closed_round(
    closed_round, hr, signed_in
):
    open_round = RoundFactory(survey=closed_round.survey, starts_at=CLOSED)

    html = signed_in(hr).get("/dashboards/").content.decode()

    assert f'action="{publish_url(closed_round)}"' in html
    assert f'action="{publish_url(open_round)}"' not in html


def test_publishing_twice_keeps_the_first_time(closed_round, hr):
    first = round_publish(round=closed_round, by=hr, now=CLOSED)
    again = round_publish(round=closed_round, by=hr, now=CLOSED + dt.timedelta(days=1))

    assert first.results_published_at == again.results_published_at == CLOSED
    assert Round.objects.get(pk=closed_round.pk).results_published_at == CLOSED


def test_an_open_round_cannot_be_published(hr, signed_in):
    round_ = RoundFactory(starts_at=WEEK_1)
    client = signed_in(hr)

    response = client.post(publish_url(round_), follow=True)

    assert "still open" in response.content.decode()
    round_.refresh_from_db()
    assert round_.results_published_at is None


def test_a_customer_round_is_never_published_to_staff(hr):
    round_ = RoundFactory(
        survey=SurveyFactory(audience="customers"), starts_at=WEEK_1, closed_at=CLOSED
    )

    with pytest.raises(ValidationError):
        round_publish(round=round_, by=hr)
    round_.refresh_from_db()
    assert round_.results_published_at is None


@pytest.mark.parametrize("persona", ["employee", "leader"])
def test_only_hr_may_publish(request, persona, closed_round, signed_in):
    person = request.getfixturevalue(persona)

    assert signed_in(person).post(publish_url(closed_round)).status_code == 403
    with pytest.raises(PermissionDenied):
        round_publish(round=closed_round, by=person)
    closed_round.refresh_from_db()
    assert closed_round.results_published_at is None


def test_publishing_takes_a_post_and_a_safe_return_address(closed_round, hr, signed_in):
    client = signed_in(hr)

    assert client.get(publish_url(closed_round)).status_code == 405
    response = client.post(publish_url(closed_round), {"next": "https://evil.example/"})

    assert response["Location"] == reverse("dashboards:overview")


@pytest.mark.parametrize("back", ["0", "dashboards:tools", "overview", ""])
def test_a_return_address_that_is_not_a_path_goes_to_the_overview(
    closed_round, hr, signed_in, back
):
    # redirect() reads a bare word as a view's name: "0" was a server error.
    response = signed_in(hr).post(publish_url(closed_round), {"next": back})

    assert response.status_code == 302
    assert response["Location"] == reverse("dashboards:overview")
