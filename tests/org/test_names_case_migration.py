"""The migration that makes department and team names unique ignoring case: it
stops, listing them, where names already clash but for case, and otherwise
changes the constraints, which then refuse such a name."""

from __future__ import annotations

import pytest
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction

from tests.migrating import migrate, migrate_to_latest

BEFORE = [("org", "0008_unique_names_say_so")]
AFTER = [("org", "0009_names_unique_ignoring_case")]

# Schema changes: outside the test's transaction.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def before_migration():
    apps = migrate(BEFORE)
    yield apps
    apps.get_model("org", "Team").objects.all().delete()
    apps.get_model("org", "Department").objects.all().delete()
    migrate_to_latest()


def test_it_stops_and_lists_names_that_clash_but_for_case(before_migration):
    Department = before_migration.get_model("org", "Department")
    Team = before_migration.get_model("org", "Team")
    sales = Department.objects.create(name="Sales")
    lower = Department.objects.create(name="sales")
    legal = Department.objects.create(name="Legal")
    claims = Team.objects.create(name="Claims", department=legal)
    shouted = Team.objects.create(name="CLAIMS", department=legal)
    Team.objects.create(name="claims", department=sales)  # another department's

    with pytest.raises(CommandError) as stopped:
        migrate(AFTER)

    message = str(stopped.value)
    assert f"'Sales' (department {sales.pk}), 'sales' (department {lower.pk})" in (
        message
    )
    assert (
        f"'Claims' (team {claims.pk} of 'Legal'), 'CLAIMS' (team {shouted.pk} of "
        "'Legal')"
    ) in message
    assert "of 'Sales'" not in message
    assert "Nothing was changed" in message
    assert Department.objects.count() == 3 and Team.objects.count() == 3


def test_without_clashes_the_database_refuses_a_name_but_for_case(before_migration):
    Department = before_migration.get_model("org", "Department")
    Team = before_migration.get_model("org", "Team")
    legal = Department.objects.create(name="Legal")
    Team.objects.create(name="Claims", department=legal)

    apps = migrate(AFTER)
    Department = apps.get_model("org", "Department")
    Team = apps.get_model("org", "Team")

    with pytest.raises(IntegrityError), transaction.atomic():
        Department.objects.create(name="LEGAL")
    with pytest.raises(IntegrityError), transaction.atomic():
        Team.objects.create(name="claims", department_id=legal.pk)
    other = Department.objects.create(name="Finance")
    Team.objects.create(name="claims", department=other)  # its own department's
    assert Team.objects.count() == 2
