"""Reads for the org app: its part of each home page, and its lists."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from org.models import AITool, Person, Team, User
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
    people = Person.objects.select_related("user", "team__department").order_by("name")
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
