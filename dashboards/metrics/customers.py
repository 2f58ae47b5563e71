"""Customer metrics: CSAT and NPS per week, and comment sentiment."""

from __future__ import annotations

from django.db.models import Avg, Count, Q

from dashboards import suppression
from dashboards.filters import Filters
from dashboards.metrics.pulse import answers, weekly
from surveys.models import Question, Survey

CUSTOMERS = Survey.Audience.CUSTOMERS
Kind = Question.Kind


def csat_trend(filters: Filters, *, floor: int) -> list[dict]:
    """Per week: CSAT, the % of 4-5 answers on the 1-5 satisfaction items."""
    rows = weekly(
        answers(filters, audience=CUSTOMERS).filter(question__kind=Kind.CSAT),
        satisfied=Count("pk", filter=Q(number__gte=4)),
        answered=Count("pk"),
    )
    for row in rows:
        row["csat"] = round(100 * row.pop("satisfied") / row.pop("answered"), 1)
    return suppression.apply(rows, key="week", count="n", floor=floor, fields=["csat"])


def nps_trend(filters: Filters, *, floor: int) -> list[dict]:
    """Per week: NPS, % promoters (9-10) minus % detractors (0-6)."""
    rows = weekly(
        answers(filters, audience=CUSTOMERS).filter(question__kind=Kind.ENPS),
        promoters=Count("pk", filter=Q(number__gte=9)),
        detractors=Count("pk", filter=Q(number__lte=6)),
        answered=Count("pk"),
    )
    for row in rows:
        total = row.pop("answered")
        row["nps"] = round(
            100 * (row.pop("promoters") - row.pop("detractors")) / total, 1
        )
    return suppression.apply(rows, key="week", count="n", floor=floor, fields=["nps"])


def comment_sentiment_trend(filters: Filters, *, floor: int) -> list[dict]:
    rows = weekly(
        answers(filters, audience=CUSTOMERS).filter(
            question__kind=Kind.FREE_TEXT, sentiment__isnull=False
        ),
        sentiment=Avg("sentiment"),
    )
    for row in rows:
        row["sentiment"] = round(row["sentiment"], 3)
    return suppression.apply(
        rows, key="week", count="n", floor=floor, fields=["sentiment"]
    )
