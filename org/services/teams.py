"""Departments and their teams, as HR names them."""

from __future__ import annotations

from core.unique import unique_save
from org.models import Department, Team


def department_save(*, department: Department) -> Department:
    """Validate and save a new or renamed department. Raises django's
    ValidationError; a name another department has is refused with code "unique",
    also when another request took it a moment before."""
    department.full_clean()
    with unique_save(recheck=department.full_clean):
        department.save()
    return department


def team_save(*, team: Team) -> Team:
    """Validate and save a new or edited team (its name, department and manager).
    Raises django's ValidationError; a name another team of its department has is
    refused with code "unique_together", also when another request took it a
    moment before."""
    team.full_clean()
    with unique_save(recheck=team.full_clean):
        team.save()
    return team
