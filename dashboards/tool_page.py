"""The AI tools' rows and charts, for one scope (a page class like
`dashboards.pages.SurveyPage`, whose machinery it shares): hours saved per week and
in total, accuracy per tool and per week, customers' view beside employees', and
the concerns about the tools a person may see."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone

from dashboards import tool_figures
from dashboards.figures import Series
from dashboards.filters import Filters
from dashboards.metrics import customers, loop, pulse
from dashboards.metrics.accuracy import accuracy_by_tool, accuracy_trend
from dashboards.pages import EMPLOYEES, Chart, SurveyPage
from dashboards.scope import Reach, Scope
from feedback.models import CLOSED, Concern, Status

HOURS_FIELDS = ["hours", "per_person", "fte"]
ACCURACY_FIELDS = ["correct", "mostly_correct", "incorrect", "right"]


def concerns_seen(user, scope: Scope) -> QuerySet[Concern]:
    """HR: every concern; otherwise those the person owns or whose tool they own."""
    f = scope.filters
    concerns = loop.concerns(since=f.since, until=f.until, tool=f.tool)
    if scope.reach == Reach.ORG:
        return concerns
    person = user.person
    return concerns.filter(Q(owner=person) | Q(ai_tool__owner=person))


class ToolsPage(SurveyPage):
    """The rows behind the tool charts; the sentiment page's machinery (events,
    the differencing guard, the floor of the employee surveys in scope)."""

    def __init__(self, scope: Scope, *, concerns: QuerySet[Concern]) -> None:
        super().__init__(scope, EMPLOYEES)
        self.concerns = concerns
        self.now = timezone.now()
        self.totals: list[dict] = []
        self.concern_list: list[dict] = []
        self._hours_seen: list[dict] | None = None
        self._accuracy_seen: list[dict] | None = None

    # The overview's charts.

    def _hours(self) -> Chart:
        rows = self._hours_rows()
        return Chart(
            "hours",
            "Hours saved per week, per AI tool",
            "The hours people said each tool saved them, added up per week; the "
            f"hover text gives it as full-time equivalents ({pulse.HOURS_PER_FTE} "
            "hours a week).",
            tool_figures.hours_table(rows, floor=self.floor),
            "No one has reported hours saved in this view yet.",
            (
                lambda events: tool_figures.hours_figure(
                    rows, events=events, floor=self.floor
                )
            )
            if rows
            else None,
            tuple(sorted({row["week"] for row in rows})),
        )

    def _hours_total(self) -> Chart:
        totals = tool_figures.hours_totals(self._hours_rows())
        self.totals = totals
        shown = [row for row in totals if row["hours"] is not None]
        return Chart(
            "hours_total",
            "Hours saved in total, per AI tool",
            "Over the weeks shown above: the hours saved in all, and per week as "
            f"full-time equivalents ({pulse.HOURS_PER_FTE} hours a week). Hidden "
            "weeks are counted, never added in.",
            tool_figures.totals_table(totals),
            "No one has reported hours saved in this view yet.",
            (lambda events: tool_figures.totals_figure(totals)) if shown else None,
        )

    def _accuracy(self) -> Chart:
        floor = self.floor
        rows = accuracy_by_tool(self.scope.filters)
        explanation = (
            "How often each tool's output was correct, mostly correct or incorrect, "
            "from the pulse survey's accuracy questions and the board's two-click "
            "ratings; N is the number of verdicts."
        )
        if self._cut_to_people():
            explanation += (
                " Filtered to a group of people, so only survey answers count: "
                "board ratings are not tied to anyone."
            )
        return Chart(
            "accuracy",
            "AI accuracy per tool",
            explanation,
            tool_figures.accuracy_table(rows, floor=floor),
            "No one has rated an AI tool's output in this view yet.",
            (lambda events: tool_figures.accuracy_figure(rows, floor=floor))
            if rows
            else None,
        )

    def _concerns(self) -> Chart:
        rows = loop.open_by_tool(self.concerns, now=self.now)
        rows = [row for row in rows if row["total"]]
        explanation = "Concerns raised about each tool that are still open."
        if self.scope.reach != Reach.ORG:
            explanation += " Those you own, or about a tool you own."
        return Chart(
            "concerns",
            "Open concerns per AI tool",
            explanation,
            tool_figures.open_concerns_table(rows),
            "No concern names an AI tool in this view.",
            (lambda events: tool_figures.open_concerns_figure(rows)) if rows else None,
        )

    # One tool's page (the filters name the tool).

    def _tool_hours(self) -> Chart:
        chart = self._hours()
        chart.name, chart.title = "tool_hours", "Hours saved per week"
        self.totals = tool_figures.hours_totals(self._hours_rows())
        return chart

    def _tool_accuracy(self) -> Chart:
        rows = self._accuracy_trend()
        floor = self.floor
        return Chart(
            "tool_accuracy",
            "Accuracy per week",
            "The share of verdicts on this tool's output each week: correct, mostly "
            "correct, incorrect (survey answers by the week their round started; "
            "board ratings in runs of whole weeks that reach the floor, each run "
            "by its last week, and dates take whole runs).",
            tool_figures.accuracy_table(rows, floor=floor, key="week"),
            "No one has rated this tool's output in this view yet.",
            (
                lambda events: tool_figures.accuracy_trend_figure(
                    rows, events=events, floor=floor
                )
            )
            if rows
            else None,
            tuple(row["week"] for row in rows),
        )

    def _beside(self) -> Chart:
        """Employees' verdicts beside customers' satisfaction with the service the
        tool helps give: do the two see the same tool?"""
        series = [
            Series(
                "Employees: output correct or mostly correct (%)",
                "right",
                self._accuracy_trend(),
                0,
                100,
                "%",
            )
        ]
        if self.scope.reach in (Reach.ORG, Reach.OWNER):
            series.append(
                Series(
                    "Customers: satisfied with the AI-assisted service (%)",
                    "csat",
                    self._customer_csat(),
                    0,
                    100,
                    "%",
                )
            )
        return self._trend(
            "beside",
            "Employees' and customers' view of the tool",
            "Per week: the share of employees' verdicts that the output was correct "
            "or mostly correct, and the share of customers satisfied (4 or 5 of 5) "
            "with the help they got from this tool, on the right-hand axis.",
            series,
        )

    def _tool_concerns(self) -> Chart:
        labels = dict(Status.choices)
        concerns = [
            {
                **row,
                "status": labels.get(row["status"], row["status"]),
                "closed": row["status"] in CLOSED,
                "raised": timezone.localtime(row["created_at"]).date(),
                "due": timezone.localtime(row["first_response_due_at"]).date(),
            }
            for row in self.concerns.filter(hidden_at=None)
            .order_by("-created_at")
            .values(
                "pk",
                "title",
                "status",
                "owner__name",
                "created_at",
                "first_response_due_at",
            )
        ]
        concerns.sort(key=lambda concern: concern["closed"])  # open first
        self.concern_list = concerns
        return Chart(
            "tool_concerns",
            "Concerns about this tool",
            "Open concerns first, then the closed ones, newest first.",
            tool_figures.Table(
                ["Concern", "Status", "Owner", "Raised", "First response due"],
                [
                    [
                        row["title"],
                        row["status"],
                        row["owner__name"],
                        row["raised"].isoformat(),
                        row["due"].isoformat(),
                    ]
                    for row in concerns
                ],
            ),
            "No concern about this tool in this view.",
            None,
        )

    # Shared rows, read once per page.

    def _hours_rows(self) -> list[dict]:
        if self._hours_seen is None:
            self._hours_seen = pulse.hours_saved(self.scope.filters)
        return self._hours_seen

    def _accuracy_trend(self) -> list[dict]:
        if self._accuracy_seen is None:
            self._accuracy_seen = self._weekly(accuracy_trend, "right")
        return self._accuracy_seen

    def _customer_csat(self) -> list[dict]:
        f = self.scope.filters
        # Customers have no team: their view is the tool's, with the dates.
        view = Filters(since=f.since, until=f.until, tool=f.tool)
        return customers.tool_csat(view)

    def _cut_to_people(self) -> bool:
        f = self.scope.filters
        return any(
            getattr(f, name) is not None
            for name in ("department", "team", "teams", "survey")
        )

    CHARTS = {
        **SurveyPage.CHARTS,
        "hours": _hours,
        "hours_total": _hours_total,
        "accuracy": _accuracy,
        "concerns": _concerns,
        "tool_hours": _tool_hours,
        "tool_accuracy": _tool_accuracy,
        "beside": _beside,
        "tool_concerns": _tool_concerns,
    }
