"""Every dashboard page, as the rows behind its charts for one person and one query:
who may open it, which filters apply, which charts it has. The HTML pages
(`views`, `tool_views`, `comment_views`), their CSVs and the API
(`api.views.Dashboard`) all start here, so they show the same numbers behind the
same floor (`tests/dashboards/test_api_csv_page_parity.py`).

Each builder raises PermissionDenied for someone the page is not for, and returns
the page object, its chart names and the notes to show (bad or dropped filters).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from dashboards.filters import Filters
from dashboards.metrics import loop
from dashboards.pages import (
    CUSTOMERS,
    EMPLOYEES,
    CommentPage,
    ConcernPage,
    Page,
    SurveyPage,
)
from dashboards.scope import (
    ORG_RESULTS,
    Reach,
    Scope,
    dashboard_scope,
    pages_for,
    tool_scope,
)
from dashboards.tool_page import ToolsPage, concerns_seen
from org.models import AITool, Person


@dataclass
class Built:
    page: Page
    names: list[str]
    notes: list[str] = field(default_factory=list)
    scope: Scope | None = None  # None: the concerns page, which has no survey scope
    owner_only: Person | None = None  # the concerns page of a leader: theirs only
    tab: str = "overview"  # which of the dashboards' tabs the page is


def sentiment(user, query: Mapping[str, str]) -> Built:
    filters, problems = Filters.from_query(query)
    scope = dashboard_scope(user, filters)
    names = ["sentiment", "participation", "team_participation", "drivers", "comments"]
    if scope.reach == Reach.PUBLISHED:
        names = ["sentiment", "participation"]
    return Built(SurveyPage(scope, EMPLOYEES), names, [*problems, *scope.notes], scope)


def customers(user, query: Mapping[str, str]) -> Built:
    if "customers" not in pages_for(user):
        raise PermissionDenied("The customer dashboard is for HR.")
    filters, problems = Filters.from_query(query)
    if filters.team or filters.department:
        problems.append(
            "Customer answers have no team or department: those filters were removed."
        )
    scope = dashboard_scope(user, replace(filters, team=None, department=None))
    names = ["csat_nps", "customer_comments"]
    return Built(SurveyPage(scope, CUSTOMERS), names, problems, scope, tab="customers")


def concerns(user, query: Mapping[str, str]) -> Built:
    """Loop closure. HR sees every concern, a leader only those they own."""
    person = _concern_owner_view(user)
    filters, problems = Filters.from_query(query)
    dropped = [
        name for name in ("department", "team", "survey") if getattr(filters, name)
    ]
    if dropped:
        problems.append(
            "Concerns are filtered by date and AI tool only: the "
            f"{' and '.join(dropped)} filter{'s were' if len(dropped) > 1 else ' was'}"
            " removed."
        )
    filters = Filters(since=filters.since, until=filters.until, tool=filters.tool)
    found = loop.concerns(since=filters.since, until=filters.until, tool=filters.tool)
    if person is not None:
        found = found.filter(owner=person)
    names = [
        "flow",
        "median",
        "on_time_owner",
        "on_time_category",
        "overdue",
        "scorecard",
    ]
    page = ConcernPage(found, filters, now=timezone.now())
    return Built(page, names, problems, owner_only=person, tab="concerns")


def comments(user, query: Mapping[str, str]) -> Built:
    """HR's comments page: per round, how many wrote a comment (the texts are
    listed by the page only, `dashboards.comment_views`)."""
    if "comments" not in pages_for(user):
        raise PermissionDenied("Employees' comments are for HR.")
    filters, problems = Filters.from_query(query)
    if filters.tool:
        problems.append(
            "Comments are not asked per AI tool, so the AI tool filter was removed."
        )
        filters = replace(filters, tool=None)
    scope = dashboard_scope(user, filters)
    page = CommentPage(scope)
    return Built(page, ["commenters"], [*problems, *scope.notes], scope, tab="comments")


def tools(user, query: Mapping[str, str]) -> Built:
    if "tools" not in pages_for(user):
        raise PermissionDenied(
            "The AI tools dashboard is for HR and leaders. Each tool's own page "
            "under AI tools says what it is for and how to use it."
        )
    filters, problems = Filters.from_query(query)
    scope = dashboard_scope(user, filters)
    page = ToolsPage(scope, concerns=concerns_seen(user, scope))
    names = ["hours", "hours_total", "accuracy", "concerns"]
    return Built(page, names, [*problems, *scope.notes], scope, tab="tools")


def tool(user, query: Mapping[str, str], tool: AITool) -> Built:
    filters, problems = Filters.from_query(query)
    scope = tool_scope(user, tool, filters)
    if scope is None:
        raise PermissionDenied(
            "A tool's dashboard is for HR, its owner and the leaders of teams."
        )
    page = ToolsPage(scope, concerns=concerns_seen(user, scope))
    # "hours_total": the hours saved the tool's record states, in its CSV and the
    # API as every other figure on the page.
    names = ["tool_hours", "hours_total", "tool_accuracy", "beside", "tool_concerns"]
    return Built(page, names, [*problems, *scope.notes], scope, tab="tools")


# The pages the API lists by name (a tool's page takes the tool as well).
PAGES: dict[str, Callable[..., Built]] = {
    "sentiment": sentiment,
    "customers": customers,
    "concerns": concerns,
    "tools": tools,
    "comments": comments,
}


def _concern_owner_view(user) -> Person | None:
    """None for HR (every concern); a leader's person (only theirs); else 403."""
    if user.has_perm(ORG_RESULTS):
        return None
    if "concerns" in pages_for(user):
        return user.person
    raise PermissionDenied("The concerns dashboard is for HR and leaders.")
