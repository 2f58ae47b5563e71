"""The dashboard pages' objects: a chart (its figure, table, CSV link and empty
state) and the rows behind each page's charts (`SurveyPage`, `ConcernPage`,
`CommentPage`; the AI tools' in `tool_page`). Serving them over HTTP is
`dashboards.http`'s.

A page object reads one scope's rows once and builds each chart by name, from its
explicit map `CHARTS`. The number of queries is fixed per page and filter set: it
does not grow with the data or the number of teams.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count, Window
from django.utils import timezone

from dashboards import figures
from dashboards.events import Event, rollout_events
from dashboards.figures import Series, Table
from dashboards.filters import Filters
from dashboards.metrics import comments, customers, loop, participation, pulse
from dashboards.privacy import RoundInfo, round_infos
from dashboards.scope import Scope
from feedback.models import Category
from surveys.models import Survey

EMPLOYEES, CUSTOMERS = Survey.Audience.EMPLOYEES, Survey.Audience.CUSTOMERS
# A page lists at most this many concerns; its CSV has them all.
LIST_LIMIT = 100
RECENT_ROUNDS = 8  # rounds in the participation-per-team heatmap


@dataclass(frozen=True)
class Headline:
    """A page's latest figure and its change since the one before it, both shown
    on the page already (so the change gives nothing away)."""

    label: str
    value: float
    unit: str
    on: dt.date  # the week, or the round's start
    change: float | None  # since the previous figure shown; None if first
    per: str = "week"  # what each figure is of: "week" or "round"


def headline(
    label: str, rows: list[dict], field: str, *, key: str = "week", unit: str = ""
) -> Headline | None:
    shown = [row for row in rows if not row["suppressed"] and row[field] is not None]
    if not shown:
        return None
    last, before = shown[-1], shown[-2] if len(shown) > 1 else None
    change = None if before is None else round(last[field] - before[field], 1)
    per = "week" if key == "week" else "round"
    return Headline(label, last[field], unit, last[key], change, per)


@dataclass
class Chart:
    name: str
    title: str
    explanation: str
    table: Table
    empty: str  # said instead of the chart when there is nothing to show
    draw: Callable[[list[Event]], object] | None  # events -> figure; None if empty
    weeks: tuple[dt.date, ...] = ()  # its time axis, for the rollout events
    figure: dict | None = None
    csv_url: str = ""


# --- Building the charts ------------------------------------------------------------


class Page:
    """Charts built by name (from `CHARTS`), then drawn with the rollout
    events of the weeks they span, within the page's filters."""

    filters: Filters
    events: list[Event]

    # Each page's charts by name: the builders it has (an explicit map, so a name
    # from a URL can only ever reach one of these).
    CHARTS: dict[str, Callable[..., Chart]] = {}

    def charts(self, names: list[str], *, draw: bool = True) -> list[Chart]:
        charts = [self.CHARTS[name](self) for name in names]
        if draw:
            weeks = [week for chart in charts for week in chart.weeks]
            if weeks:
                self.events = rollout_events(
                    since=self.filters.since or min(weeks),
                    until=self.filters.until or max(weeks) + dt.timedelta(days=6),
                    tool=self.filters.tool,
                )
            for chart in charts:
                if chart.draw is not None:
                    chart.figure = chart.draw(self.events)
        return charts


class SurveyPage(Page):
    """The rows behind one page's charts, for one scope. Each figure a person sees
    is guarded against the broader views they could open beside it."""

    def __init__(self, scope: Scope, audience: str) -> None:
        self.scope = scope
        self.audience = audience
        self.floor = pulse.floor_for(scope.filters, audience=audience)
        self.events: list[Event] = []
        self.participation: list[dict] = []
        self.headlines: list[Headline] = []
        self._rounds: dict[int, RoundInfo] | None = None

    @property
    def filters(self) -> Filters:
        return self.scope.filters

    # One method per chart, named after it.

    def _sentiment(self) -> Chart:
        series = [
            Series(
                "Sentiment index (0-100)",
                "index",
                self._trend_of(pulse.sentiment_trend),
                0,
                100,
            ),
            Series("eNPS", "enps", self._trend_of(pulse.enps_trend), -100, 100),
        ]
        self._headline("Sentiment index", series[0].rows, "index")
        self._headline("eNPS", series[1].rows, "enps")
        return self._trend(
            "sentiment",
            "Sentiment and eNPS per week",
            "The mean of the agreement questions scaled to 0-100, and eNPS "
            "(% promoters minus % detractors) on the right-hand axis.",
            series,
        )

    def _comments(self) -> Chart:
        series = [
            Series(
                "Comment sentiment",
                "sentiment",
                self._trend_of(pulse.comment_sentiment_trend),
                -1,
                1,
            )
        ]
        return self._trend(
            "comments",
            "Comment sentiment per week",
            "The mean tone of free-text answers, from -1 (negative) to 1 (positive).",
            series,
        )

    def _csat_nps(self) -> Chart:
        series = [
            Series(
                "CSAT (%)",
                "csat",
                self._trend_of(customers.csat_trend),
                0,
                100,
                "%",
            ),
            Series("NPS", "nps", self._trend_of(customers.nps_trend), -100, 100),
        ]
        self._headline("CSAT", series[0].rows, "csat", unit="%")
        self._headline("NPS", series[1].rows, "nps")
        return self._trend(
            "csat_nps",
            "CSAT and NPS per week",
            "CSAT: % of customers answering 4 or 5 of 5. NPS: % promoters minus "
            "% detractors, on the right-hand axis.",
            series,
        )

    def _customer_comments(self) -> Chart:
        metric = customers.comment_sentiment_trend
        series = [
            Series(
                "Comment sentiment",
                "sentiment",
                self._trend_of(metric),
                -1,
                1,
            )
        ]
        return self._trend(
            "customer_comments",
            "Customer comment sentiment per week",
            "The mean tone of customers' free-text answers, from -1 to 1.",
            series,
        )

    def _participation(self) -> Chart:
        f = self.scope.filters
        teams = (f.team,) if f.team else f.teams
        rows = participation.participation(f, self._round_list())
        self.participation = rows
        closed = [row for row in rows if row["closed"]]  # an open one still moves
        self._headline("Participation", closed, "rate", key="starts", unit="%")
        title = "Participation per round"
        explanation = "The share of invitations answered in each round."
        if teams is not None or f.department:
            explanation += (
                " Of the people in "
                + ("the teams you lead" if f.team is None and f.teams else "this view")
                + ", by the team they were in when invited."
            )
        return Chart(
            "participation",
            title,
            explanation,
            figures.participation_table(rows),
            "No round has been sent in this view yet.",
            (lambda events: figures.participation_figure(rows)) if rows else None,
        )

    def _team_participation(self) -> Chart:
        """The latest rounds' participation per cell of teams: a team below the
        survey's floor shows merged with others ("S2 + S7")."""
        rounds = self._round_list()[-RECENT_ROUNDS:]
        rows = participation.team_participation(self.scope.filters, rounds)
        return Chart(
            "team_participation",
            "Participation per team",
            f"The share of invitations answered, per team, in the latest "
            f"{RECENT_ROUNDS} rounds in view (by the team people were in when "
            "invited).",
            figures.team_participation_table(rows),
            "No round has been sent to a team in this view yet.",
            (lambda events: figures.team_participation_figure(rows)) if rows else None,
        )

    def _in_view(self) -> dict[int, RoundInfo]:
        """Every round of the page's audience the filters select, open ones too,
        by id: read once, for every chart (the metrics take the closed ones)."""
        if self._rounds is None:
            self._rounds = round_infos(self.filters, self.audience, closed=False)
        return self._rounds

    def _round_list(self) -> list[RoundInfo]:
        """The rounds in view, oldest first (`participation.rounds_seen`)."""
        return sorted(self._in_view().values(), key=lambda i: (i.starts_at, i.pk))

    def _drivers(self) -> Chart:
        floor = self.floor
        rows = pulse.driver_heatmap(self.scope.filters, rounds=self._in_view())
        title = "Drivers by team"
        return Chart(
            "drivers",
            title,
            "The mean score (1 to 5) of each team on the questions behind each "
            "driver: trust, clarity, job security and the others.",
            figures.driver_table(rows, floor=floor),
            "No team has answered a driver question in this view yet.",
            (lambda events: figures.driver_figure(rows, floor=floor)) if rows else None,
        )

    CHARTS = {
        "sentiment": _sentiment,
        "comments": _comments,
        "csat_nps": _csat_nps,
        "customer_comments": _customer_comments,
        "participation": _participation,
        "team_participation": _team_participation,
        "drivers": _drivers,
    }

    # The pieces the charts share.

    def _headline(self, label: str, rows: list[dict], field: str, **kwargs) -> None:
        if (found := headline(label, rows, field, **kwargs)) is not None:
            self.headlines.append(found)

    def _trend(
        self, name: str, title: str, explanation: str, series: list[Series]
    ) -> Chart:
        floor = self.floor
        weeks = tuple(sorted({row["week"] for one in series for row in one.rows}))
        series = [one for one in series if one.rows] or series[:1]
        return Chart(
            name,
            title,
            explanation,
            figures.trend_table(series, floor=floor),
            "No answers in this view yet: try a wider date range or fewer filters.",
            (lambda events: figures.trend_figure(series, events=events, floor=floor))
            if weeks
            else None,
            weeks,
        )

    def _weekly(self, metric: Callable[..., list[dict]], field: str) -> list[dict]:
        """A weekly metric for the page's filters, through the privacy engine. For
        someone who sees published results only, the filters say so and the
        metric counts only the published rounds' answers."""
        return metric(self.scope.filters)

    def _trend_of(self, metric: Callable[..., list[dict]]) -> list[dict]:
        """A weekly metric that takes the page's rounds (`rounds=`, read once
        for every chart) instead of reading them again."""
        return metric(self.scope.filters, rounds=self._in_view())


class ConcernPage(Page):
    """The rows behind the concerns page, for one set of concerns. Concerns are
    not anonymous survey answers, so no floor applies; who raised one is never
    read."""

    def __init__(
        self,
        scope,
        filters: Filters,
        *,
        now: dt.datetime,
        listed: int | None = None,
    ) -> None:
        self.scope = scope
        self.filters = filters
        self.now = now
        # The HTML page lists the longest overdue concerns only (its CSV and the
        # API take them all): `listed` of them, read with how many there are.
        self.listed = listed
        self.events: list[Event] = []
        self.overdue_rows: list[dict] = []
        self.overdue_count = 0

    def _flow(self) -> Chart:
        rows = loop.weekly_flow(self.scope, now=self.now)
        return Chart(
            "flow",
            "Open, overdue, resolved and declined per week",
            "At each week's end (or now, for this week): the concerns still open, "
            "overdue ones apart; during the week: those resolved or declined, and "
            "the concerns raised (the line).",
            figures.flow_table(rows),
            "No concerns in this view yet: try a wider date range or another AI tool.",
            (lambda events: figures.flow_figure(rows, events=events)) if rows else None,
            tuple(row["week"] for row in rows),
        )

    def _median(self) -> Chart:
        hours = loop.median_hours_to_first_response(self.scope)
        hours = None if hours is None else round(hours, 1)
        return Chart(
            "median",
            "Median time to first official response",
            "Half of the answered concerns had their first official response "
            "within this many hours. Concerns not answered yet are left out.",
            figures.Table(
                ["Median hours to first response"],
                [[hours]] if hours is not None else [],
            ),
            "No concern in this view has had an official response yet.",
            None,
        )

    def _on_time_owner(self) -> Chart:
        rows = loop.on_time_by(self.scope, "owner__name", now=self.now)
        rows = [{**row, "label": row["owner__name"]} for row in rows]
        return self._on_time("on_time_owner", "owner", "Owner", rows)

    def _on_time_category(self) -> Chart:
        labels = dict(Category.choices)
        rows = loop.on_time_by(self.scope, "category", now=self.now)
        rows = [
            {**row, "label": labels.get(row["category"], row["category"])}
            for row in rows
        ]
        return self._on_time("on_time_category", "category", "Category", rows)

    def _on_time(self, name: str, what: str, heading: str, rows: list[dict]) -> Chart:
        shown = [row for row in rows if row["due"]]
        return Chart(
            name,
            f"Answered by the due time, per {what}",
            "Of the concerns due by now (or already answered), the share whose "
            "first official response came by its due time.",
            figures.on_time_table(rows, heading=heading),
            "No concern in this view was due yet.",
            # Every label, those with nothing due as "no data" (not as 0%).
            (lambda events: figures.on_time_figure(rows, heading=heading))
            if shown
            else None,
        )

    def _overdue(self) -> Chart:
        labels = dict(Category.choices)
        # Plain rows, not model instances: the list can run to thousands. Ties
        # broken by id, so the HTML page's first rows are the CSV's.
        found = (
            loop.overdue(self.scope, now=self.now)
            .order_by("first_response_due_at", "pk")
            .annotate(count=Window(Count("pk")))
            .values_list(
                "pk",
                "title",
                "owner__name",
                "category",
                "ai_tool__name",
                "first_response_due_at",
                "count",
            )
        )
        if self.listed is not None:
            found = found[: self.listed]
        zone = timezone.get_current_timezone()  # as localtime(), read once
        rows = []
        for pk, title, owner, category, tool, due, count in found:
            self.overdue_count = count
            rows.append(
                {
                    "pk": pk,
                    "title": title,
                    "owner": owner,
                    "category": labels.get(category, category),
                    "tool": tool or "",
                    "due": due.astimezone(zone),
                    "days": (self.now - due).days,
                }
            )
        self.overdue_rows = rows
        return Chart(
            "overdue",
            "Overdue concerns",
            "Open concerns past their first-response due time with no official "
            "response yet, the longest overdue first.",
            figures.Table(
                ["Concern", "Owner", "Category", "AI tool", "Due", "Days overdue"],
                [
                    [
                        row["title"],
                        row["owner"],
                        row["category"],
                        row["tool"],
                        row["due"].date().isoformat(),
                        row["days"],
                    ]
                    for row in rows
                ],
            ),
            "No concern is overdue. Every concern due by now has had a response.",
            None,
        )

    def _scorecard(self) -> Chart:
        rows = loop.scorecard(self.scope, now=self.now)
        return Chart(
            "scorecard",
            "Leaders' scorecard",
            "Per owner: concerns owned, the share answered by the due time, the "
            "median hours to the first official response, and concerns resolved "
            "with a written outcome.",
            figures.Table(
                [
                    "Owner",
                    "Concerns owned",
                    "First response by the due time (%)",
                    "Median hours to first response",
                    "Resolved with an outcome",
                ],
                [
                    [
                        row["owner__name"],
                        row["owned"],
                        row["on_time_pct"],
                        row["median_hours"],
                        row["resolved"],
                    ]
                    for row in rows
                ],
            ),
            "No one owns a concern in this view yet.",
            None,
        )

    CHARTS = {
        "flow": _flow,
        "median": _median,
        "on_time_owner": _on_time_owner,
        "on_time_category": _on_time_category,
        "overdue": _overdue,
        "scorecard": _scorecard,
    }


class CommentPage(Page):
    """The rows behind HR's comments page, for one scope: per closed round, newest
    first, how many people wrote a comment in the cells of commenters the view
    takes, or why the round is hidden (`comments.comment_rounds`). The texts are
    the page's alone: it reads them for the rounds it lists (`fill_comments`);
    the CSV and the API give the counts."""

    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self.events: list[Event] = []
        self.threshold = comments.threshold_for(scope.filters)
        self.rounds = comments.comment_rounds(scope.filters)

    @property
    def filters(self) -> Filters:
        return self.scope.filters

    def _commenters(self) -> Chart:
        return Chart(
            "commenters",
            "People who wrote a comment, per round",
            "Per round, newest first: how many people wrote a comment, counted in "
            f"groups of at least {self.threshold}; a round with fewer is hidden.",
            figures.commenters_table(self.rounds),
            "No comments in this view yet: try a wider date range or fewer filters.",
            None,
        )

    CHARTS = {"commenters": _commenters}
