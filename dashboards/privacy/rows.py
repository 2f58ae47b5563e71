"""From populations in cells to the rows a chart, its table, its CSV and the API
show: the rounds a view selects, the numbers per round and unit, and one row per
week (or per round, or per cell) summed over whole cells only."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from dashboards.filters import Filters
from dashboards.models import RoundSummary
from dashboards.privacy.cells import (
    Choice,
    Names,
    People,
    Population,
    RoundInfo,
)
from surveys.models import Answer, Round, Survey


def rounds_in(filters: Filters, audience: str, path: str = "") -> Q:
    """The rounds the filters select, as a condition on `path` (a round): the
    audience, the survey, the dates and, for those who see only those, published
    results. Dates select whole rounds (by when they started), never a round's
    answers by the day they came in."""
    found = {f"{path}survey__audience": audience}
    if filters.survey:
        found[f"{path}survey_id"] = filters.survey
    if filters.since:
        found[f"{path}starts_at__date__gte"] = filters.since
    if filters.until:
        found[f"{path}starts_at__date__lte"] = filters.until
    if filters.published_only:
        found[f"{path}results_published_at__isnull"] = False
    return Q(**found)


def round_infos(
    filters: Filters, audience: str = Survey.Audience.EMPLOYEES, *, closed: bool = True
) -> dict[int, RoundInfo]:
    """The rounds a view selects, by id. Answers count only once their round has
    closed (`closed`): an open round's figures would move as people answer, and two
    looks a minute apart would single out who answered in between."""
    rounds = Round.objects.filter(rounds_in(filters, audience))
    if closed:
        rounds = rounds.filter(closed_at__isnull=False)
    return infos_of(rounds)


def infos_of(rounds: QuerySet[Round]) -> dict[int, RoundInfo]:
    """Some rounds' `RoundInfo`s, by id: one query."""
    # Each round's own floor and threshold, kept when it opened (its cells must
    # never change), else its survey's.
    summary = RoundSummary.objects.filter(round=OuterRef("pk"))
    found = rounds.values_list(
        "pk",
        "survey_id",
        "survey__title",
        "starts_at",
        Coalesce("min_group_size", "survey__min_group_size"),
        Coalesce("comment_threshold", "survey__comment_threshold"),
        "closed_at",
        "results_published_at",
        Exists(summary),
        Subquery(summary.values("floor")[:1]),
        "tools_asked",
        "survey__audience",
    )
    return {
        pk: RoundInfo(
            pk,
            survey,
            title,
            starts,
            floor,
            threshold,
            bool(c),
            bool(p),
            s,
            cut,
            tools_asked,
            audience == Survey.Audience.CUSTOMERS,
        )
        for (
            pk,
            survey,
            title,
            starts,
            floor,
            threshold,
            c,
            p,
            s,
            cut,
            tools_asked,
            audience,
        ) in found
    }


def answers_in(rounds: Iterable[int], **conditions) -> QuerySet[Answer]:
    return Answer.objects.filter(response__round__in=list(rounds), **conditions)


def per_unit(scope: QuerySet[Answer], /, *keys: str, **numbers) -> QuerySet:
    """Answers grouped per round, unit (the team and department they were given
    from) and `keys` (name=path pairs given as "name:path"), with `people` (the
    respondents) and the `numbers` asked for."""
    named = {name: F(path) for name, path in (key.split(":", 1) for key in keys)}
    return (
        scope.order_by()
        .values(
            round=F("response__round"),
            department=F("response__department"),
            team=F("response__team"),
            team_name=F("response__team__name"),
            department_name=F("response__department__name"),
            **named,
        )
        .annotate(people=Count("response", distinct=True), **numbers)
    )


@dataclass(frozen=True)
class Row:
    """A chart's point before its figure: the summed numbers of the cells shown,
    or why it is hidden."""

    choice: Choice

    def as_dict(self, names: Names | None, **figures) -> dict:
        choice = self.choice
        if not choice.shown:
            return {
                "n": None,
                **dict.fromkeys(figures),
                "suppressed": True,
                "reason": choice.reason,
                "covers": "",
            }
        return {
            "n": choice.n,
            **figures,
            "suppressed": False,
            "reason": "",
            "covers": names.say(choice) if names else "",
        }


def by_week(
    found: Iterable[Population], people: People, *, what: str = "responses"
) -> dict[dt.date, Choice]:
    """The cells a view takes, summed per week of the rounds' start; a week in
    which the view asks for nobody is left out."""
    return by(found, people, lambda p: p.round.week, what=what)


def by(
    found: Iterable[Population],
    people: People,
    key: Callable[[Population], Hashable],
    *,
    what: str = "responses",
) -> dict:
    weeks: dict = {}
    for population in found:
        choice = population.choose(people, what=what)
        if choice.asked:
            weeks.setdefault(key(population), Choice()).add(choice)
    return dict(sorted(weeks.items(), key=lambda item: str(item[0])))


def weekly_rows(
    found: list[Population],
    people: People,
    figures: Callable[[Counter], dict],
    fields: Iterable[str],
    *,
    what: str = "responses",
) -> list[dict]:
    """One row per week: `week`, `n`, the figures (`figures(totals)`), or, when
    no cell the view asks for may be shown, `suppressed` with the `reason`;
    `covers` names the teams merged in beyond the view's own."""
    weeks = by_week(found, people, what=what)
    names = Names.of(found)
    rows = []
    for week, choice in weeks.items():
        values = figures(choice.totals) if choice.shown else dict.fromkeys(fields)
        rows.append({"week": week, **Row(choice).as_dict(names, **values)})
    return rows


def ratio(part: float | Decimal, whole: float, scale: float = 100, digits: int = 1):
    """`part` as a share of `whole` times `scale`, rounded; None without a whole.
    An exact sum (a decimal) becomes a float here, where it is divided."""
    return round(scale * float(part) / whole, digits) if whole else None


def merged(totals: Iterable[Counter]) -> Counter:
    result: Counter = Counter()
    for one in totals:
        result.update(one)
    return result
