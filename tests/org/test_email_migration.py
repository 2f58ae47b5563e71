"""The migration that makes email addresses unique whatever their case: it stops,
listing them, when addresses already clash, and otherwise lower-cases them."""

from __future__ import annotations

import pytest
from django.core.management.base import CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("org", "0003_aitool_teams")]
AFTER = [("org", "0004_email_unique_ignoring_case")]

# Schema changes: outside the test's transaction, and the table is put back after.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def before_migration():
    """The models as they were before the migration; migrates forward at the end."""
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    yield executor.loader.project_state(BEFORE).apps
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    if executor.migration_plan(AFTER):
        apps = executor.loader.project_state(BEFORE).apps
        apps.get_model("org", "User").objects.all().delete()
        apps.get_model("org", "Customer").objects.all().delete()
        executor.migrate(AFTER)
    # And on to the latest schema (org's later migrations, and whatever going back
    # unapplied), which the tests after this one expect.
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def migrate_forward() -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)


def test_it_stops_and_lists_addresses_that_differ_only_in_case(before_migration):
    User = before_migration.get_model("org", "User")
    Customer = before_migration.get_model("org", "Customer")
    hr = User.objects.create(email="hr@example.com")
    hr_again = User.objects.create(email="HR@Example.com")
    User.objects.create(email="ana@example.com")
    Customer.objects.create(name="B", email="buyer@client.example")
    Customer.objects.create(name="B2", email=" Buyer@Client.example")

    with pytest.raises(CommandError) as stopped:
        migrate_forward()

    message = str(stopped.value)
    assert f"'hr@example.com' (account {hr.pk})" in message
    assert f"'HR@Example.com' (account {hr_again.pk})" in message
    assert "buyer@client.example: 'buyer@client.example'" in message
    assert "ana@example.com" not in message
    assert "Nothing was changed" in message
    assert sorted(User.objects.values_list("email", flat=True)) == [
        "HR@Example.com",
        "ana@example.com",
        "hr@example.com",
    ]


def test_without_clashes_it_stores_every_address_in_lower_case(before_migration):
    User = before_migration.get_model("org", "User")
    Customer = before_migration.get_model("org", "Customer")
    User.objects.create(email="Casey.Case@Example.com ")
    User.objects.create(email="ana@example.com")
    Customer.objects.create(name="B", email="Buyer@Client.example")

    migrate_forward()

    from org.models import Customer as CustomerNow
    from org.models import User as UserNow

    assert sorted(UserNow.objects.values_list("email", flat=True)) == [
        "ana@example.com",
        "casey.case@example.com",
    ]
    assert CustomerNow.objects.get().email == "buyer@client.example"
