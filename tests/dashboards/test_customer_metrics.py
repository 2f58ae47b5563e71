"""CSAT and NPS against a hand count."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from dashboards.filters import Filters
from dashboards.metrics import customers
from surveys.models import Answer, Question, Response
from tests.surveys.factories import QuestionFactory, RoundFactory, SurveyFactory

pytestmark = pytest.mark.django_db


def test_csat_and_nps_per_week():
    survey = SurveyFactory(audience="customers", min_group_size=3)
    csat = QuestionFactory(survey=survey, kind=Question.Kind.CSAT, driver="")
    nps = QuestionFactory(survey=survey, kind=Question.Kind.ENPS, driver="")
    round_ = RoundFactory(
        survey=survey, starts_at=dt.datetime(2026, 3, 4, 9, tzinfo=dt.UTC)
    )
    # CSAT 5, 4, 3, 2: half satisfied -> 50. NPS 10, 9, 8, 0: 50 - 25 -> 25.
    for satisfaction, recommend in ((5, 10), (4, 9), (3, 8), (2, 0)):
        response = Response.objects.create(
            round=round_, submitted_on=dt.date(2026, 3, 4), segment="Enterprise"
        )
        Answer.objects.create(
            response=response, question=csat, number=Decimal(satisfaction)
        )
        Answer.objects.create(
            response=response, question=nps, number=Decimal(recommend)
        )

    [week] = customers.csat_trend(Filters(), floor=3)
    assert (week["week"], week["n"], week["csat"]) == (dt.date(2026, 3, 2), 4, 50.0)
    assert customers.nps_trend(Filters(), floor=3)[0]["nps"] == 25.0
    assert customers.csat_trend(Filters(), floor=5)[0]["csat"] is None
