"""The migration that makes the database hold the title rule: it stops, listing
them, when surveys that are not archived already share a title, and otherwise
adds the index, which archived twins do not trip."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction

from tests.migrating import migrate, migrate_to_latest

BEFORE = [("surveys", "0012_survey_lifecycle_status")]
AFTER = [("surveys", "0013_survey_title_unique")]
DAY = dt.date(2026, 3, 2)

# Schema changes: outside the test's transaction.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def before_migration():
    """The models before the index; at the end, clashes cleared and on to the
    latest schema, which the tests after this one expect."""
    apps = migrate(BEFORE)
    yield apps
    apps.get_model("surveys", "Survey").objects.all().delete()
    migrate_to_latest()


def test_it_stops_and_lists_surveys_that_share_a_title(before_migration):
    Survey = before_migration.get_model("surveys", "Survey")
    first = Survey.objects.create(title="Pulse", first_date=DAY, status="scheduled")
    second = Survey.objects.create(title="PULSE", first_date=DAY, status="draft")
    Survey.objects.create(title="pulse", first_date=DAY, status="archived")
    Survey.objects.create(title="Other", first_date=DAY, status="draft")

    with pytest.raises(CommandError) as stopped:
        migrate(AFTER)

    message = str(stopped.value)
    assert f"'Pulse' (survey {first.pk}), 'PULSE' (survey {second.pk})" in message
    assert "'pulse'" not in message  # archived: out of the way
    assert "Other" not in message
    assert "Nothing was changed" in message
    assert Survey.objects.count() == 4


def test_without_clashes_it_adds_the_index_archived_twins_and_all(before_migration):
    Survey = before_migration.get_model("surveys", "Survey")
    Survey.objects.create(title="Pulse", first_date=DAY, status="scheduled")
    Survey.objects.create(title="pulse", first_date=DAY, status="archived")

    apps = migrate(AFTER)
    Migrated = apps.get_model("surveys", "Survey")

    with pytest.raises(IntegrityError), transaction.atomic():
        Migrated.objects.create(title="PULSE", first_date=DAY, status="draft")
    Migrated.objects.create(title="PULSE", first_date=DAY, status="archived")
    assert Migrated.objects.count() == 3
