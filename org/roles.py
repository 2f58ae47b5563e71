"""Who may do what: the three roles as Django groups and the permissions each holds.

This is the one place to read or change a role's powers. Groups are re-synced after
every migrate, so a permission added by a later app reaches its roles on deploy.
"""

from __future__ import annotations

import logging
from enum import StrEnum

from django.contrib.auth.models import Group, Permission

logger = logging.getLogger(__name__)


class Role(StrEnum):
    EMPLOYEE = "Employee"
    LEADER = "Leader"
    HR = "HR"


_EMPLOYEE = ["org.view_aitool"]
_LEADER = [*_EMPLOYEE, "org.view_person", "org.view_team", "org.view_department"]
_HR = [
    *_LEADER,
    "org.manage_people",
    "org.view_org_results",
    "surveys.manage_surveys",
    "feedback.moderate_concerns",
    "feedback.post_updates",
    *(f"feedback.{action}_categorypolicy" for action in ("add", "change", "view")),
    *(
        f"org.{action}_{model}"
        for action in ("add", "change", "view")
        for model in ("person", "team", "department", "customer", "aitool")
    ),
]

ROLE_PERMISSIONS: dict[Role, list[str]] = {
    Role.EMPLOYEE: _EMPLOYEE,
    Role.LEADER: _LEADER,
    Role.HR: _HR,
}


def _permission(dotted: str) -> Permission | None:
    app_label, codename = dotted.split(".", 1)
    return Permission.objects.filter(
        content_type__app_label=app_label, codename=codename
    ).first()


def roles_sync() -> None:
    """Create the role groups and give each exactly its permissions."""
    for role, dotted_names in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role.value)
        permissions = []
        for dotted in dict.fromkeys(dotted_names):
            permission = _permission(dotted)
            if permission is None:  # its app is not migrated yet; the next sync adds it
                logger.debug("role %s: permission %s does not exist yet", role, dotted)
                continue
            permissions.append(permission)
        group.permissions.set(permissions)


def roles_sync_after_migrate(sender, **kwargs) -> None:
    # Runs after each app's migrate: a later app's permissions exist only after its own.
    roles_sync()


def role_groups(roles: set[Role]) -> list[Group]:
    return [Group.objects.get_or_create(name=role.value)[0] for role in roles]


def roles_of(user) -> set[Role]:
    if not user.is_authenticated:
        return set()
    names = {group.name for group in user.groups.all()}
    return {role for role in Role if role.value in names}
