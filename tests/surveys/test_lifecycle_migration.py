"""The migration from `is_active` to a status, both ways, on the real schema."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("surveys", "0011_invitation_send_state")]
AFTER = [("surveys", "0012_survey_lifecycle_status")]
MONDAY = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)


def migrate(targets):
    """Migrate to `targets`; the models as they are there."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


@pytest.fixture
def at_the_latest():
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_active_becomes_scheduled_and_inactive_paused_or_draft_and_back(
    at_the_latest,
):
    apps = migrate(BEFORE)
    Survey, Round = (
        apps.get_model("surveys", "Survey"),
        apps.get_model("surveys", "Round"),
    )
    day = dt.date(2026, 3, 2)
    live = Survey.objects.create(title="Live", first_date=day, is_active=True)
    ran = Survey.objects.create(title="Ran", first_date=day, is_active=False)
    never = Survey.objects.create(title="Never", first_date=day, is_active=False)
    Round.objects.create(
        survey=ran, starts_at=MONDAY, closes_at=MONDAY + dt.timedelta(days=5)
    )

    apps = migrate(AFTER)
    statuses = dict(
        apps.get_model("surveys", "Survey").objects.values_list("title", "status")
    )
    assert statuses == {"Live": "scheduled", "Ran": "paused", "Never": "draft"}

    apps = migrate(BEFORE)
    active = dict(
        apps.get_model("surveys", "Survey").objects.values_list("title", "is_active")
    )
    assert active == {"Live": True, "Ran": False, "Never": False}
    assert {live.pk, ran.pk, never.pk} == set(
        apps.get_model("surveys", "Survey").objects.values_list("pk", flat=True)
    )
