"""The tabs between the dashboard pages, and the link from an AI tool's page to its
dashboard: each shown only to those the page itself lets in (the same checks as
the views, so a tab never leads to a 403)."""

from __future__ import annotations

from django import template
from django.urls import reverse

from dashboards.scope import ORG_RESULTS
from org.roles import Role, roles_of

register = template.Library()

# (name, label, url name, who sees it)
TABS = (
    ("overview", "Sentiment", "dashboards:overview", "everyone"),
    ("tools", "AI tools", "dashboards:tools", "team_leaders"),
    ("concerns", "Concerns", "dashboards:concerns", "leaders"),
    ("customers", "Customers", "dashboards:customers", "hr"),
    ("comments", "Comments", "dashboards:comments", "hr"),
)


@register.inclusion_tag("dashboards/_tabs.html", takes_context=True)
def dashboard_tabs(context, current: str) -> dict:
    user = context["request"].user
    audiences = _audiences(user)
    tabs = [
        {"name": name, "label": label, "url": reverse(url), "current": name == current}
        for name, label, url, who in TABS
        if who in audiences
    ]
    return {"tabs": tabs if len(tabs) > 1 else []}


@register.simple_tag(takes_context=True)
def tool_dashboard_url(context, tool) -> str:
    """The tool's dashboard for HR, its owner and leaders of teams; else ""."""
    user = context["request"].user
    person = getattr(user, "person", None)
    owner = person is not None and tool.owner_id == person.pk
    if owner or {"hr", "team_leaders"} & _audiences(user):
        return reverse("dashboards:tool", args=[tool.pk])
    return ""


def _audiences(user) -> set[str]:
    if not user.is_authenticated:
        return set()
    if user.has_perm(ORG_RESULTS):
        return {"everyone", "team_leaders", "leaders", "hr"}
    audiences = {"everyone"}
    person = getattr(user, "person", None)
    if person is not None and person.managed_teams.exists():
        audiences |= {"team_leaders", "leaders"}
    elif Role.LEADER in roles_of(user):
        audiences.add("leaders")
    return audiences
