"""Creating and updating people, and the roles they hold."""

from __future__ import annotations

from collections.abc import Sequence, Set
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from org.models import Person, Team, User
from org.roles import Role, role_groups
from org.services.welcome import welcomes_create

BATCH = 1000  # people per INSERT when many are created at once


def person_roles_set(*, person: Person, roles: set[Role]) -> None:
    """Give a person exactly these roles. HR may use the admin site; others may not."""
    user = person.user
    other_groups = user.groups.exclude(name__in=[role.value for role in Role])
    user.groups.set([*other_groups, *role_groups(roles)])
    is_staff = _is_staff(user, roles)
    if user.is_staff != is_staff:
        user.is_staff = is_staff
        user.save(update_fields=["is_staff"])


@dataclass(frozen=True)
class NewPerson:
    """A person to create: their account, their place and their roles."""

    email: str
    name: str
    team: Team | None = None
    job_title: str = ""
    roles: frozenset[Role] = frozenset({Role.EMPLOYEE})
    is_active: bool = True


@transaction.atomic
def people_create(*, people: Sequence[NewPerson], welcome: bool = True) -> list[Person]:
    """Create accounts, people and their roles in a few INSERTs of up to BATCH rows
    each, rather than several queries a person: an import may bring thousands.

    Nobody gets a password, so nobody ever mails passwords around: with `welcome`,
    each active person is sent a welcome with a link to choose one, queued once
    this commits (`org.services.welcome`); without, they use "forgot password"."""
    users = []
    for new in people:
        user = User.objects.build(new.email, is_active=new.is_active)
        user.is_staff = _is_staff(user, new.roles)
        users.append(user)
    User.objects.bulk_create(users, batch_size=BATCH)
    created = Person.objects.bulk_create(
        [
            Person(user=user, name=new.name, team=new.team, job_title=new.job_title)
            for user, new in zip(users, people, strict=True)
        ],
        batch_size=BATCH,
    )
    wanted = {role for new in people for role in new.roles}
    groups = {Role(group.name): group for group in role_groups(wanted)}
    membership = User.groups.through
    membership.objects.bulk_create(
        [
            membership(user_id=user.pk, group_id=groups[role].pk)
            for user, new in zip(users, people, strict=True)
            for role in new.roles
        ],
        batch_size=BATCH,
    )
    if welcome:
        welcomes_create(people=created, now=timezone.now())
    return created


def person_set_active(*, person: Person, is_active: bool) -> None:
    if person.user.is_active != is_active:
        person.user.is_active = is_active
        person.user.save(update_fields=["is_active"])


def _is_staff(user: User, roles: Set[Role]) -> bool:
    """HR may use the admin site, and so may a superuser whatever their roles."""
    return user.is_superuser or Role.HR in roles
