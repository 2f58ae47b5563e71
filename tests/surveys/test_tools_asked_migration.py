"""The migration that makes rounds keep whom they asked about each AI tool gives
the rounds from before the tools' teams and their survey's tool questions as
they are then: from there on, a change of a tool's teams moves none of them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("surveys", "0013_survey_title_unique")]
AFTER = [("surveys", "0014_round_tools_asked")]
START = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)

# Schema changes: outside the test's transaction.
pytestmark = pytest.mark.django_db(transaction=True)


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


@pytest.fixture
def before_migration():
    apps = migrate(BEFORE)
    yield apps
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_rounds_from_before_keep_the_tools_teams_as_they_are_then(before_migration):
    get = before_migration.get_model
    Survey, Round, Question = (
        get("surveys", n) for n in ("Survey", "Round", "Question")
    )
    Team, Department, AITool = (get("org", n) for n in ("Team", "Department", "AITool"))
    sales = Department.objects.create(name="Sales")
    pilots = Team.objects.create(name="Pilots", department=sales)
    piloted = AITool.objects.create(name="Drafts")
    piloted.teams.set([pilots])
    everyones = AITool.objects.create(name="Search")
    pulse = Survey.objects.create(title="Pulse", first_date=START.date())
    clients = Survey.objects.create(
        title="Clients", first_date=START.date(), audience="customers"
    )
    plain = Survey.objects.create(title="Plain", first_date=START.date())
    for kind, tool in (("hours_saved", piloted), ("ai_accuracy", everyones)):
        Question.objects.create(survey=pulse, kind=kind, text="?", ai_tool=tool)
    Question.objects.create(survey=clients, kind="csat", text="?", ai_tool=piloted)
    Question.objects.create(survey=plain, kind="likert", text="?")
    ends = START + dt.timedelta(days=5)
    rounds = {
        survey.title: Round.objects.create(
            survey=survey, starts_at=START, closes_at=ends
        )
        for survey in (pulse, clients, plain)
    }

    apps = migrate(AFTER)

    kept = {
        title: apps.get_model("surveys", "Round").objects.get(pk=r.pk).tools_asked
        for title, r in rounds.items()
    }
    assert kept == {
        "Pulse": {
            str(piloted.pk): {"teams": [pilots.pk], "kinds": ["hours_saved"]},
            str(everyones.pk): {"teams": None, "kinds": ["ai_accuracy"]},
        },
        "Clients": {str(piloted.pk): {"teams": None, "kinds": ["csat"]}},
        "Plain": {},
    }
