"""Employees' free-text answers, for HR to read, behind the comment threshold.

Commenters are a population of their own in the privacy engine: each closed
round's commenters are split into cells of at least the survey's comment
threshold, and a view lists the comments of whole cells only, so two views side
by side never single out fewer commenters than the threshold.

Comments carry their round (survey and start date, never the day they were
written), their sentiment and their question's driver, in an order keyed by a
secret, so that neither the page nor a reload tells who wrote first.

The number of queries is fixed: one grouped count per view, then the texts of the
shown rounds' comments that fit on the page, ranked in the database: those of
summarised rounds from their summary (`UnitComment`, a round's comments by
unit), the others from the answers, in one query each.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from django.db.models import CharField, Count, F, Max, Q, QuerySet, Value, Window
from django.db.models.functions import MD5, Cast, Concat, RowNumber
from django.utils import timezone

from dashboards.filters import Filters
from dashboards.metrics import pulse
from dashboards.models import UnitComment
from dashboards.privacy import Names, People, round_infos
from surveys.models import Answer, Question, Survey

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
    reason: str = ""  # why it is hidden
    covers: str = ""  # the teams merged in beyond the view's own
    units: frozenset | None = None  # the cells' units; None: the whole round
    comments: list[Comment] = field(default_factory=list)
    more: int = 0  # comments left off the page past SHOWN_PER_ROUND
    # Its comments are read from its summary (`UnitComment`), not every answer:
    # where they are read from, not what they are, so not compared.
    summarised: bool = field(default=False, compare=False)


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


def comments(
    filters: Filters,
    *,
    shuffle_key: str,
    driver: str | None = None,
    tone: Tone | None = None,
    limit: int = SHOWN_PER_ROUND,
) -> list[RoundComments]:
    """Per round, newest first: its comments, or a hidden round with no count.

    `driver` and `tone` only pick which of a shown round's comments are listed
    (each comment already says its driver and tone), so they change no count
    and no decision to show a round.
    """
    rounds = comment_rounds(filters)
    fill_comments(
        rounds, driver=driver, tone=tone, shuffle_key=shuffle_key, limit=limit
    )
    return rounds


def comment_rounds(filters: Filters) -> list[RoundComments]:
    """Per closed round, newest first: how many commented in the cells of
    commenters the view takes (each of at least the comment threshold), or
    hidden and why; no texts yet (a page reads those for the rounds it lists,
    `fill_comments`)."""
    rounds, people = round_infos(filters), People.of(filters)
    found = pulse.commenters(rounds, people)
    choices = {p.round.pk: (p, p.choose(people, what="comments")) for p in found}
    names = Names.of(found)
    result = []
    for info in sorted(
        rounds.values(), key=lambda i: (i.starts_at, i.pk), reverse=True
    ):
        population, choice = choices.get(info.pk, (None, None))
        if choice is None or not choice.asked:
            continue
        every = choice.shown and len(choice.cells) == len(population.cells)
        result.append(
            RoundComments(
                round=info.pk,
                survey=info.survey_title,
                starts_on=timezone.localtime(info.starts_at).date(),
                n=choice.n if choice.shown else None,
                hidden=not choice.shown,
                reason=choice.reason,
                covers=names.say(choice) if choice.shown else "",
                units=None
                if every
                else frozenset(u for cell in choice.cells for u in cell.units),
                summarised=info.summarised,
            )
        )
    return result


def fill_comments(
    rounds: Iterable[RoundComments],
    *,
    shuffle_key: str,
    driver: str | None = None,
    tone: Tone | None = None,
    limit: int = SHOWN_PER_ROUND,
) -> None:
    """Read the comments of the shown ones among `rounds`, in their secret order."""
    shown = {row.round: row for row in rounds if not row.hidden}
    _fill(shown, driver=driver, tone=tone, key=shuffle_key, limit=limit)


@dataclass(frozen=True)
class _Source:
    """Where a round's comments are read from, as paths from its rows."""

    scope: Callable[[], QuerySet]
    round: str
    unit: str  # prefix of `department` and `team`
    pk: str  # the answer's id
    text: str
    sentiment: str
    driver: str


def _raw_texts() -> QuerySet:
    return Answer.objects.filter(question__kind=Question.Kind.FREE_TEXT)


# Every answer of the rounds not summarised yet; a summarised round's comments,
# with its unit and driver as asked (`dashboards.summaries`). Either way the
# same comments, in the same order: ranked by a keyed hash of the answer's id.
RAW = _Source(
    _raw_texts,
    "response__round",
    "response__",
    "pk",
    "text",
    "sentiment",
    "question__driver",
)
STORED = _Source(
    UnitComment.objects.all,
    "round",
    "",
    "answer_id",
    "answer__text",
    "answer__sentiment",
    "driver",
)


def _in_cells(shown: dict[int, RoundComments], source: _Source) -> Q:
    """The answers of each shown round's cells: whole rounds, or the units of
    its cells the view takes."""
    condition = Q(pk__in=[])
    for pk, row in shown.items():
        here = Q(**{source.round: pk})
        if row.units is not None:
            units = Q(pk__in=[])
            for department, team in row.units:
                units |= Q(
                    **{
                        f"{source.unit}department": department,
                        f"{source.unit}team": team,
                    }
                )
            here &= units
        condition |= here
    return condition


def _fill(
    shown: dict[int, RoundComments],
    *,
    driver: str | None,
    tone: Tone | None,
    key: str,
    limit: int,
) -> None:
    """Put each shown round's comments in its secret order, at most `limit`: one
    query for the summarised rounds and one for the others, ranked per round in
    the database by a keyed hash of each comment's answer id."""
    rows = []
    for source, rounds in (
        (STORED, {pk: row for pk, row in shown.items() if row.summarised}),
        (RAW, {pk: row for pk, row in shown.items() if not row.summarised}),
    ):
        if rounds:
            rows += _ranked(
                rounds, source, driver=driver, tone=tone, key=key, limit=limit
            )
    for round_pk, _place, total, text, sentiment, drv in sorted(
        rows, key=lambda row: (row[0], row[1])
    ):
        shown[round_pk].more = max(total - limit, 0)
        shown[round_pk].comments.append(
            Comment(text, sentiment, tone_of(sentiment), DRIVERS.get(drv, ""))
        )


def _ranked(
    shown: dict[int, RoundComments],
    source: _Source,
    *,
    driver: str | None,
    tone: Tone | None,
    key: str,
    limit: int,
) -> list[tuple]:
    """(round, place, total, text, sentiment, driver) of the first `limit`
    comments of each round in `shown`, read from `source`."""
    scope = source.scope().exclude(**{source.text: ""}).filter(_in_cells(shown, source))
    if driver:
        scope = scope.filter(**{source.driver: driver})
    per_round = {"partition_by": [F(source.round)]}
    order = MD5(Concat(Value(_order_key(key)), Cast(source.pk, CharField())))
    return list(
        _with_tone(scope, tone, source.sentiment)
        .annotate(
            place=Window(RowNumber(), order_by=order.asc(), **per_round),
            total=Window(Count("pk"), **per_round),
        )
        .filter(place__lte=limit)
        .values_list(
            source.round, "place", "total", source.text, source.sentiment, source.driver
        )
    )


def _with_tone(scope: QuerySet, tone: Tone | None, path: str) -> QuerySet:
    if tone == Tone.POSITIVE:
        return scope.filter(**{f"{path}__gte": POSITIVE})
    if tone == Tone.NEGATIVE:
        return scope.filter(**{f"{path}__lte": NEGATIVE})
    if tone == Tone.NEUTRAL:
        return scope.filter(**{f"{path}__gt": NEGATIVE, f"{path}__lt": POSITIVE})
    return scope


def _order_key(key: str) -> str:
    # Derived from the secret, so the SQL (which may be logged) never holds it;
    # the order is stable across reloads, unrelated to the order of writing, and
    # not reproducible without the secret.
    return hmac.new(key.encode(), b"comment order", hashlib.sha256).hexdigest()
