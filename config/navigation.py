"""The navigation bar: each entry names the permission that may see it.

A role sees exactly the entries its permissions allow (org/roles.py decides the
permissions), so the bar and the views' own checks cannot drift apart as long as
both name the same permission.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    permission: str | None = None  # None: any signed-in person
    staff_only: bool = False


NAV_ITEMS: tuple[NavItem, ...] = (
    NavItem("Home", "home"),
    NavItem("Board", "feedback:board"),
    NavItem("AI tools", "org:aitool_list", "org.view_aitool"),
    NavItem("Dashboards", "dashboards:overview"),
    NavItem("Surveys", "surveys:survey_list", "surveys.manage_surveys"),
    NavItem("People", "org:person_list", "org.manage_people"),
    NavItem("Admin", "admin:index", staff_only=True),
)


def visible_items(user) -> list[dict[str, str]]:
    if not user.is_authenticated:
        return []
    items = []
    for item in NAV_ITEMS:
        if item.staff_only and not user.is_staff:
            continue
        if item.permission and not user.has_perm(item.permission):
            continue
        items.append({"label": item.label, "url": reverse(item.url_name)})
    return items


def navigation(request: HttpRequest) -> dict[str, object]:
    return {"nav_items": visible_items(request.user)}
