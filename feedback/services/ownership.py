"""Who answers for a concern: always exactly one named person (invariant 6)."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from feedback.models import CategoryPolicy, Concern
from org.models import AITool, Person
from org.roles import Role


def policy_for(category: str) -> CategoryPolicy:
    """HR's policy for a category, or the defaults when HR has set none."""
    return CategoryPolicy.objects.filter(category=category).first() or CategoryPolicy(
        category=category
    )


def owner_for(
    *, category: str, ai_tool: AITool | None, raiser: Person | None
) -> Person:
    """The tool's owner when a tool is named, else the category's default owner,
    else the raiser's team manager, else an HR person.

    `raiser` is None for an anonymous concern: routing it to the raiser's manager
    would tell that manager it came from their own (perhaps small) team.
    """
    candidates = [
        ai_tool.owner if ai_tool else None,
        policy_for(category).default_owner,
        raiser.manager if raiser else None,
    ]
    for candidate in candidates:
        if candidate is not None and candidate.is_active:
            return candidate
    hr = hr_people().first()
    if hr is None:
        raise ValidationError(
            "Nobody can own this concern: there is no HR person and no default owner "
            "for this category. Ask an administrator to add one."
        )
    return hr


def successor_for(concern: Concern) -> Person | None:
    """Who takes over a concern whose owner was deactivated: the owner's active
    manager, who knows the work they leave, else whoever it would go to if raised
    now (`owner_for`: the tool's owner, the category's default owner, the raiser's
    manager, HR); None when nobody can."""
    manager = concern.owner.manager
    if manager is not None and manager.is_active and manager.pk != concern.owner_id:
        return manager
    try:
        return owner_for(
            category=concern.category,
            ai_tool=concern.ai_tool,
            raiser=concern.raised_by,  # None for an anonymous concern
        )
    except ValidationError:
        return None


def hr_people():
    return (
        Person.objects.filter(user__groups__name=Role.HR.value, user__is_active=True)
        .select_related("user")
        .order_by("pk")
    )
