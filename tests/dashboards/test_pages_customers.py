"""The customers dashboard: CSAT, NPS and comment tone per week, for HR only."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from dashboards.filters import Filters
from dashboards.metrics import customers
from surveys.models import Answer, Question
from tests.dashboards.helpers import closed_round, response_in
from tests.dashboards.test_pages_overview import WEEK_1, WEEK_2, csv_of, figure_of
from tests.surveys.factories import QuestionFactory, SurveyFactory

pytestmark = pytest.mark.django_db

Kind = Question.Kind
URL = "/dashboards/customers/"


@pytest.fixture
def customer_answers():
    """Week 1: CSAT 5, 4, 3, 2 (50 %) and NPS 10, 9, 8, 0 (25). Week 2: three
    unhappy customers (CSAT 0 %, NPS -100). Each comments; the comment threshold
    is the floor, 3."""
    survey = SurveyFactory(audience="customers", min_group_size=3, comment_threshold=3)
    csat = QuestionFactory(survey=survey, kind=Kind.CSAT, driver="")
    nps = QuestionFactory(survey=survey, kind=Kind.ENPS, driver="")
    comment = QuestionFactory(survey=survey, kind=Kind.FREE_TEXT, driver="")
    answers = {WEEK_1: [(5, 10), (4, 9), (3, 8), (2, 0)], WEEK_2: [(1, 2)] * 3}
    for start, pairs in answers.items():
        round_ = closed_round(survey, start)
        for satisfaction, recommend in pairs:
            response = response_in(round_, segment="Enterprise")
            response.save()
            Answer.objects.bulk_create(
                [
                    Answer(response=response, question=csat, number=satisfaction),
                    Answer(response=response, question=nps, number=recommend),
                    Answer(
                        response=response,
                        question=comment,
                        text="ok",
                        sentiment=Decimal(satisfaction - 3) / 4,
                    ),
                ]
            )
    return survey


def test_hr_sees_csat_and_nps_per_week_as_counted_by_hand(
    customer_answers, hr, signed_in
):
    response = signed_in(hr).get(URL)

    assert response.status_code == 200
    figure = figure_of(response, "csat_nps")
    assert figure["data"][0]["x"] == ["2026-03-02", "2026-03-09"]
    assert figure["data"][0]["y"] == [50.0, 0.0]
    assert figure["data"][1]["y"] == [25.0, -100.0]
    assert figure_of(response, "customer_comments")["data"][0]["y"] == [0.125, -0.5]


def test_the_customer_csvs_match_the_metrics(customer_answers, hr, signed_in):
    client = signed_in(hr)
    csat = customers.csat_trend(Filters())
    nps = customers.nps_trend(Filters())

    rows = csv_of(client, f"{URL}?csv=csat_nps")

    assert rows[1:] == [
        [a["week"].isoformat(), str(a["n"]), str(a["csat"]), str(b["n"]), str(b["nps"])]
        for a, b in zip(csat, nps, strict=True)
    ]
    assert rows[2][-1] == "-100.0"
    tone = csv_of(client, f"{URL}?csv=customer_comments")
    assert [row[2] for row in tone[1:]] == ["0.125", "-0.5"]
    assert client.get(f"{URL}?csv=sentiment").status_code == 404


def test_team_filters_do_not_apply_to_customers_and_say_so(
    customer_answers, hr, signed_in
):
    response = signed_in(hr).get(f"{URL}?team=3")

    assert [str(m) for m in response.context["messages"]] == [
        "Customer answers have no team or department: those filters were removed."
    ]
    assert figure_of(response, "csat_nps")["data"][0]["y"] == [50.0, 0.0]
    assert 'name="team"' not in response.content.decode()


@pytest.mark.parametrize("persona", ["employee", "leader"])
def test_only_hr_may_open_the_customer_dashboard(
    request, persona, customer_answers, signed_in
):
    client = signed_in(request.getfixturevalue(persona))

    assert client.get(URL).status_code == 403
    assert client.get(f"{URL}?csv=csat_nps").status_code == 403


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_no_customer_answers_gives_a_friendly_sentence(hr, signed_in):
    response = signed_in(hr).get(URL)

    assert [chart.figure for chart in response.context["charts"]] == [None, None]
    assert "No answers in this view yet" in response.content.decode()
    assert "plotly.min.js" not in response.content.decode()


def test_a_week_of_too_few_customers_is_hidden(hr, signed_in):
    survey = SurveyFactory(audience="customers", min_group_size=5)
    csat = QuestionFactory(survey=survey, kind=Kind.CSAT, driver="")
    round_ = closed_round(survey, WEEK_1 + dt.timedelta(days=1))
    for satisfaction in (5, 5, 1):
        response = response_in(round_)
        response.save()
        Answer.objects.create(response=response, question=csat, number=satisfaction)
    client = signed_in(hr)

    figure = figure_of(client.get(URL), "csat_nps")

    assert figure["data"][0]["y"] == [None]
    assert figure["data"][-1]["name"] == "Hidden to protect anonymity (hover for why)"
    assert csv_of(client, f"{URL}?csv=csat_nps")[1][:3] == [
        "2026-03-02",
        "",
        "fewer than 5 responses",
    ]
