"""Who sees what on the dashboards, decided on the server, never by the URL.

- HR (`org.view_org_results`) sees the whole organisation, every filter allowed.
- A leader (someone who manages teams) sees only those teams: a team or department
  filter outside them is dropped, with a note saying so.
- Everyone else sees organisation-wide results of the rounds HR has published,
  with no team or department cut.

No filter can give away a small group by subtraction: every figure is a sum of
whole cells of the privacy engine (`dashboards.privacy`), whoever looks.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum

from django.urls import reverse

from dashboards.filters import Filters
from org.roles import Role, roles_of

ORG_RESULTS = "org.view_org_results"


class Reach(StrEnum):
    ORG = "org"  # HR: everything
    TEAMS = "teams"  # a leader: the teams they manage
    PUBLISHED = "published"  # everyone else: published rounds, org-wide
    OWNER = "owner"  # an AI tool's owner on its page: that tool, org-wide


@dataclass(frozen=True)
class Scope:
    reach: Reach
    filters: Filters  # what the page shows: the request's, limited to the reach
    notes: list[str] = field(default_factory=list)  # why a filter was dropped

    @property
    def teams(self) -> tuple[int, ...] | None:
        return self.filters.teams

    @property
    def base(self) -> Filters:
        """The broadest view this person may open: every cut removed."""
        f = self.filters
        return Filters(teams=f.teams, tool=f.tool, published_only=f.published_only)


# The dashboard pages, in the order of their tabs: (name, tab label, URL name).
TABS = (
    ("overview", "Sentiment", "dashboards:overview"),
    ("tools", "AI tools", "dashboards:tools"),
    ("concerns", "Concerns", "dashboards:concerns"),
    ("customers", "Customers", "dashboards:customers"),
    ("comments", "Comments", "dashboards:comments"),
)


def pages_for(user) -> frozenset[str]:
    """The dashboard pages a person may open: the one place that decides it, for
    the pages themselves, their tabs and the API.

    HR: every page. Someone who manages teams: the sentiment page (their teams),
    the AI tools pages and the concerns they own. A leader without teams: the
    sentiment page (published results) and their concerns. Everyone else: the
    sentiment page, published results only.
    """
    if not user.is_authenticated:
        return frozenset()
    if user.has_perm(ORG_RESULTS):
        return frozenset(name for name, _, _ in TABS)
    pages = {"overview"}
    if _managed(getattr(user, "person", None)):
        pages |= {"tools", "concerns"}
    elif getattr(user, "person", None) is not None and Role.LEADER in roles_of(user):
        pages.add("concerns")
    return frozenset(pages)


def tabs_for(user, current: str) -> list[dict]:
    """The tabs between the dashboard pages this person may open (none when only
    one), so a tab never leads to a 403."""
    allowed = pages_for(user)
    tabs = [
        {"name": name, "label": label, "url": reverse(url), "current": name == current}
        for name, label, url in TABS
        if name in allowed
    ]
    return tabs if len(tabs) > 1 else []


def dashboard_scope(user, filters: Filters) -> Scope:
    """The scope of a signed-in user's dashboards for the filters they asked for."""
    if user.has_perm(ORG_RESULTS):
        return Scope(Reach.ORG, replace(filters, teams=None))
    person = getattr(user, "person", None)
    managed = _managed(person)
    if managed:
        return _leader_scope(filters, managed)
    return _published_scope(filters)


def tool_scope(user, tool, filters: Filters) -> Scope | None:
    """The scope of one AI tool's page, always narrowed to that tool; None when the
    person may not see it.

    HR sees it as the rest of the dashboards; the tool's accountable owner sees its
    whole record organisation-wide, with no team or department cut (the floor and
    the differencing guard apply as everywhere); a leader sees their teams' part.
    """
    filters = replace(filters, tool=tool.pk)
    if user.has_perm(ORG_RESULTS):
        return dashboard_scope(user, filters)
    person = getattr(user, "person", None)
    if person is not None and tool.owner_id == person.pk:
        notes = []
        if filters.team is not None or filters.department is not None:
            notes.append(
                "A tool's owner sees it organisation-wide, so the team and "
                "department filters were removed."
            )
        cut = replace(filters, team=None, department=None, teams=None)
        return Scope(Reach.OWNER, cut, notes)
    managed = _managed(person)
    if managed:
        return _leader_scope(filters, managed)
    return None


def _managed(person) -> dict[int, int]:
    """Team id -> department id of the teams a person manages."""
    if person is None:
        return {}
    return dict(person.managed_teams.values_list("pk", "department_id"))


def _leader_scope(filters: Filters, managed: dict[int, int]) -> Scope:
    notes = []
    if filters.team is not None and filters.team not in managed:
        notes.append(
            "You can see only the teams you lead, so the team filter was removed."
        )
        filters = replace(filters, team=None)
    if filters.department is not None and filters.department not in managed.values():
        notes.append(
            "None of your teams is in that department, so the department filter "
            "was removed."
        )
        filters = replace(filters, department=None)
    return Scope(Reach.TEAMS, replace(filters, teams=tuple(sorted(managed))), notes)


def _published_scope(filters: Filters) -> Scope:
    notes = []
    if filters.team is not None or filters.department is not None:
        notes.append(
            "Results are shared organisation-wide only, so the team and department "
            "filters were removed."
        )
    filters = replace(
        filters, team=None, department=None, teams=None, published_only=True
    )
    return Scope(Reach.PUBLISHED, filters, notes)
