"""The migrations that make rounds keep whom they asked about each AI tool, and
questions when a round first asked them: rounds from before are given their
survey's tool questions as they are then (open ones the tools' teams, closed
ones everyone invited), and questions of a survey with rounds are asked."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.migrating import migrate, migrate_to_latest

BEFORE = [("surveys", "0013_survey_title_unique")]
AFTER = [("surveys", "0014_round_tools_asked")]
ASKED = [("surveys", "0015_question_first_asked_at")]
START = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)

# Schema changes: outside the test's transaction.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def before_migration():
    apps = migrate(BEFORE)
    yield apps
    migrate_to_latest()


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
    week_before = dt.timedelta(days=7)
    closed = Round.objects.create(
        survey=pulse,
        starts_at=START - week_before,
        closes_at=ends - week_before,
        closed_at=ends - week_before,
    )

    apps = migrate(AFTER)

    Migrated = apps.get_model("surveys", "Round")
    kept = {
        title: Migrated.objects.get(pk=r.pk).tools_asked for title, r in rounds.items()
    }
    # Open rounds: the tools' teams now, which they are asking by.
    assert kept == {
        "Pulse": {
            str(piloted.pk): {"teams": [pilots.pk], "kinds": ["hours_saved"]},
            str(everyones.pk): {"teams": None, "kinds": ["ai_accuracy"]},
        },
        "Clients": {str(piloted.pk): {"teams": None, "kinds": ["csat"]}},
        "Plain": {},
    }
    # A closed round: everyone it invited (whom it asked then is not known).
    assert Migrated.objects.get(pk=closed.pk).tools_asked == {
        str(piloted.pk): {"teams": None, "kinds": ["hours_saved"]},
        str(everyones.pk): {"teams": None, "kinds": ["ai_accuracy"]},
    }


def test_questions_of_a_survey_with_rounds_are_asked_from_its_first(before_migration):
    get = before_migration.get_model
    Survey, Round, Question = (
        get("surveys", n) for n in ("Survey", "Round", "Question")
    )
    ran = Survey.objects.create(title="Ran", first_date=START.date())
    draft = Survey.objects.create(title="Draft", first_date=START.date())
    for week in (1, 0):  # the later one first: the earliest start is taken
        starts = START + dt.timedelta(days=7 * week)
        Round.objects.create(
            survey=ran, starts_at=starts, closes_at=starts + dt.timedelta(days=5)
        )
    asked = Question.objects.create(survey=ran, kind="likert", text="?")
    fresh = Question.objects.create(survey=draft, kind="likert", text="?")

    apps = migrate(ASKED)

    Migrated = apps.get_model("surveys", "Question")
    assert Migrated.objects.get(pk=asked.pk).first_asked_at == START
    assert Migrated.objects.get(pk=fresh.pk).first_asked_at is None
