"""Employees' free-text answers, for HR to read, behind the comment threshold.

A round's comments are shown only when at least `threshold` people wrote one in
this view, and only when the view does not differ from a broader view the same
person could open (one cut removed, or none left) by a small group: side by side,
the two pages would single out those few people's comments (DESIGN.md, 1).

Comments carry their round (survey and start date, never the day they were
written), their sentiment and their question's driver, in an order keyed by a
secret, so that neither the page nor a reload tells who wrote first.

The number of queries is fixed: one grouped count per view (this one and each
broader one), then the texts of the shown rounds' comments that fit on the page,
ranked in the database.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from django.db.models import CharField, Count, F, Max, QuerySet, Value, Window
from django.db.models.functions import MD5, Cast, Concat, RowNumber
from django.utils import timezone

from dashboards import suppression
from dashboards.filters import Filters
from dashboards.metrics import pulse
from surveys.models import Question, Survey

DEFAULT_THRESHOLD = 10
SHOWN_PER_ROUND = 200  # keeps a page of a large round readable and light
POSITIVE, NEGATIVE = 0.05, -0.05  # VADER's usual cut-offs for its compound score
DRIVERS = dict(Question.Driver.choices)


class Tone(StrEnum):
    POSITIVE = "positive"
    NEUTRAL = "neutral"
    NEGATIVE = "negative"

    @property
    def label(self) -> str:
        return self.value.capitalize()


@dataclass(frozen=True)
class Comment:
    text: str
    sentiment: float | None  # VADER compound, -1 to 1
    tone: Tone | None  # None: not scored
    driver: str  # the question's driver label, "" when it has none


@dataclass
class RoundComments:
    round: int
    survey: str
    starts_on: dt.date  # the round's start: the only date a comment carries
    n: int | None  # people who wrote a comment; None when hidden
    hidden: bool
    comments: list[Comment] = field(default_factory=list)
    more: int = 0  # comments left off the page past SHOWN_PER_ROUND


def threshold_for(filters: Filters) -> int:
    """The strictest comment threshold among the employee surveys in scope."""
    surveys = Survey.objects.filter(audience=Survey.Audience.EMPLOYEES)
    if filters.survey:
        surveys = surveys.filter(pk=filters.survey)
    threshold = surveys.aggregate(most=Max("comment_threshold"))["most"]
    return threshold or DEFAULT_THRESHOLD


def tone_of(sentiment: float | None) -> Tone | None:
    if sentiment is None:
        return None
    if sentiment >= POSITIVE:
        return Tone.POSITIVE
    if sentiment <= NEGATIVE:
        return Tone.NEGATIVE
    return Tone.NEUTRAL


def comment_answers(filters: Filters, *, driver: str | None = None) -> QuerySet:
    """The non-empty free-text answers in a view, optionally about one driver."""
    scope = pulse.answers(filters).filter(question__kind=Question.Kind.FREE_TEXT)
    scope = scope.exclude(text="")
    if driver:
        scope = scope.filter(question__driver=driver)
    return scope


def comments(
    filters: Filters,
    *,
    broader: Iterable[Filters],
    threshold: int,
    shuffle_key: str,
    driver: str | None = None,
    tone: Tone | None = None,
    limit: int = SHOWN_PER_ROUND,
) -> list[RoundComments]:
    """Per round, newest first: its comments, or a hidden round with no count.

    `broader` are the views this person could open beside this one
    (`Scope.relaxed()`). `driver` narrows the view to one driver's questions;
    `tone` only picks which of a shown round's comments are listed, so it changes
    no count and no decision to show a round.
    """
    rounds = comment_rounds(
        filters, broader=broader, threshold=threshold, driver=driver
    )
    fill_comments(
        rounds,
        filters,
        driver=driver,
        tone=tone,
        shuffle_key=shuffle_key,
        limit=limit,
    )
    return rounds


def comment_rounds(
    filters: Filters,
    *,
    broader: Iterable[Filters],
    threshold: int,
    driver: str | None = None,
) -> list[RoundComments]:
    """Per round, newest first: how many commented, or hidden; no texts yet (a
    page reads those for the rounds it lists, `fill_comments`)."""
    rounds = _rounds(filters, driver=driver, threshold=threshold)
    risky: set[int] = set()
    for view in broader:
        whole = _counts(view, driver=driver)
        risky |= {
            row.round
            for row in rounds
            if not row.hidden
            and whole.get(row.round, 0) >= threshold
            and suppression.cut_hidden(row.n or 0, whole[row.round], floor=threshold)
        }
    for row in rounds:
        if row.round in risky:
            row.hidden, row.n = True, None
    return rounds


def fill_comments(
    rounds: Iterable[RoundComments],
    filters: Filters,
    *,
    shuffle_key: str,
    driver: str | None = None,
    tone: Tone | None = None,
    limit: int = SHOWN_PER_ROUND,
) -> None:
    """Read the comments of the shown ones among `rounds`, in their secret order."""
    shown = {row.round: row for row in rounds if not row.hidden}
    _fill(shown, filters, driver=driver, tone=tone, key=shuffle_key, limit=limit)


def _rounds(
    filters: Filters, *, driver: str | None, threshold: int
) -> list[RoundComments]:
    rows = (
        comment_answers(filters, driver=driver)
        .values(
            "response__round",
            "response__round__starts_at",
            "response__round__survey__title",
        )
        .annotate(n=Count("response", distinct=True))
        .order_by("-response__round__starts_at", "response__round")
    )
    result = []
    for row in rows:
        hidden = row["n"] < threshold
        result.append(
            RoundComments(
                round=row["response__round"],
                survey=row["response__round__survey__title"],
                starts_on=timezone.localtime(row["response__round__starts_at"]).date(),
                n=None if hidden else row["n"],
                hidden=hidden,
            )
        )
    return result


def _counts(filters: Filters, *, driver: str | None) -> dict[int, int]:
    rows = (
        comment_answers(filters, driver=driver)
        .values("response__round")
        .annotate(n=Count("response", distinct=True))
        .order_by()
    )
    return {row["response__round"]: row["n"] for row in rows}


def _fill(
    shown: dict[int, RoundComments],
    filters: Filters,
    *,
    driver: str | None,
    tone: Tone | None,
    key: str,
    limit: int,
) -> None:
    """Put each shown round's comments in its secret order, at most `limit`: one
    query, ranked per round in the database by a keyed hash of each comment's id."""
    if not shown:
        return
    scope = comment_answers(filters, driver=driver).filter(
        response__round__in=list(shown)
    )
    per_round = {"partition_by": [F("response__round")]}
    order = MD5(Concat(Value(_order_key(key)), Cast("pk", CharField())))
    rows = (
        _with_tone(scope, tone)
        .annotate(
            place=Window(RowNumber(), order_by=order.asc(), **per_round),
            total=Window(Count("pk"), **per_round),
        )
        .filter(place__lte=limit)
        .values_list(
            "response__round", "place", "total", "text", "sentiment", "question__driver"
        )
    )
    for round_pk, _place, total, text, sentiment, drv in sorted(
        rows, key=lambda row: (row[0], row[1])
    ):
        shown[round_pk].more = max(total - limit, 0)
        shown[round_pk].comments.append(
            Comment(text, sentiment, tone_of(sentiment), DRIVERS.get(drv, ""))
        )


def _with_tone(scope: QuerySet, tone: Tone | None) -> QuerySet:
    if tone == Tone.POSITIVE:
        return scope.filter(sentiment__gte=POSITIVE)
    if tone == Tone.NEGATIVE:
        return scope.filter(sentiment__lte=NEGATIVE)
    if tone == Tone.NEUTRAL:
        return scope.filter(sentiment__gt=NEGATIVE, sentiment__lt=POSITIVE)
    return scope


def _order_key(key: str) -> str:
    # Derived from the secret, so the SQL (which may be logged) never holds it;
    # the order is stable across reloads, unrelated to the order of writing, and
    # not reproducible without the secret.
    return hmac.new(key.encode(), b"comment order", hashlib.sha256).hexdigest()
