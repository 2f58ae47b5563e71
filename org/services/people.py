"""Creating and updating people, and the roles they hold."""

from __future__ import annotations

from django.db import transaction

from org.models import Person, Team, User
from org.roles import Role, role_groups


def person_roles_set(*, person: Person, roles: set[Role]) -> None:
    """Give a person exactly these roles. HR may use the admin site; others may not."""
    user = person.user
    other_groups = user.groups.exclude(name__in=[role.value for role in Role])
    user.groups.set([*other_groups, *role_groups(roles)])
    is_staff = user.is_superuser or Role.HR in roles
    if user.is_staff != is_staff:
        user.is_staff = is_staff
        user.save(update_fields=["is_staff"])


@transaction.atomic
def person_create(
    *,
    email: str,
    name: str,
    team: Team | None = None,
    job_title: str = "",
    roles: set[Role] | None = None,
    password: str | None = None,
    is_active: bool = True,
) -> Person:
    """Create the account and the person. Without a password the person sets one
    through "forgot password", so nobody ever mails passwords around."""
    user = User.objects.create_user(email=email, password=password, is_active=is_active)
    person = Person.objects.create(user=user, name=name, team=team, job_title=job_title)
    person_roles_set(person=person, roles=roles or {Role.EMPLOYEE})
    return person


def person_set_active(*, person: Person, is_active: bool) -> None:
    if person.user.is_active != is_active:
        person.user.is_active = is_active
        person.user.save(update_fields=["is_active"])
