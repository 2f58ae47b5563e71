"""Reads for the org app: its part of each home page, and its lists."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from org.models import AITool, PeopleSync, Person, Team, User, Welcome
from org.roles import Role, roles_of


@dataclass
class Home:
    """org's part of a user's home page; `home.selectors` adds the other apps'."""

    person: Person | None
    roles: set[Role]
    managed_teams: list[Team]
    owned_tools: list[AITool]
    tools_in_use: list[AITool]
    org_counts: dict[str, int] | None


def home_for(*, user: User) -> Home:
    person = (
        Person.objects.select_related("team__department", "team__manager")
        .filter(user=user)
        .first()
    )
    roles = roles_of(user)
    managed, owned = [], []
    if person is not None:
        managed = list(
            person.managed_teams.select_related("department").annotate(
                size=Count("members")
            )
        )
        owned = list(person.owned_tools.all())
    counts = org_counts() if Role.HR in roles else None
    tools = list(
        AITool.objects.exclude(status=AITool.Status.RETIRED).select_related("owner")
    )
    return Home(person, roles, managed, owned, tools, counts)


def org_counts() -> dict[str, int]:
    people = Person.objects.aggregate(
        active=Count("pk", filter=Q(user__is_active=True)), total=Count("pk")
    )
    tools = AITool.objects.aggregate(
        live=Count("pk", filter=Q(status=AITool.Status.LIVE)),
        pilot=Count("pk", filter=Q(status=AITool.Status.PILOT)),
    )
    return {
        "people": people["active"],
        "inactive": people["total"] - people["active"],
        "teams": Team.objects.count(),
        "tools_live": tools["live"],
        "tools_pilot": tools["pilot"],
    }


def aitool_list() -> QuerySet[AITool]:
    return AITool.objects.select_related("owner").order_by("status", "name")


def person_list(*, search: str = "", team_id: int | None = None) -> QuerySet[Person]:
    """People by name, each with their latest welcome email's `welcome_id`,
    `welcome_state` (core.delivery.SendState), `welcome_sent_at` and
    `welcome_failed_at` (all None if they were never sent one)."""
    latest = Welcome.objects.filter(person=OuterRef("pk")).order_by("-pk")
    people = (
        Person.objects.select_related("user", "team__department")
        .annotate(
            **{
                f"welcome_{name}": Subquery(latest.values(field)[:1])
                for name, field in (
                    ("id", "pk"),
                    ("state", "send_state"),
                    ("sent_at", "sent_at"),
                    ("failed_at", "failed_at"),
                )
            }
        )
        .order_by("name")
    )
    if search:
        people = people.filter(
            Q(name__icontains=search) | Q(user__email__icontains=search)
        )
    if team_id:
        people = people.filter(team_id=team_id)
    return people


def aitool_editable_by(*, tool: AITool, user: User) -> bool:
    if user.has_perm("org.change_aitool"):
        return True
    return tool.owner_id is not None and tool.owner.user_id == user.pk


def people_syncs_recent(*, limit: int = 5) -> QuerySet[PeopleSync]:
    """The latest people syncs run by a worker (uploads and the API's), newest
    first, without their stored text."""
    return (
        PeopleSync.objects.defer("body", "errors")
        .select_related("requested_by")
        .order_by("-created_at", "-pk")[:limit]
    )
