"""A round keeps, when it opens, of whom it asks about each AI tool
(`surveys.audiences`): what it asks stays that fixed set when a tool's teams
change, and the dashboards count its answers in the same set."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError

from surveys.audiences import Asked, audiences, kept
from surveys.models import Question, Survey
from surveys.selectors import questions_for
from surveys.services.builder import question_delete, question_save
from surveys.services.rounds import rounds_open_due
from tests.org.factories import AIToolFactory, PersonFactory, TeamFactory
from tests.surveys.factories import (
    InvitationFactory,
    QuestionFactory,
    RoundFactory,
    SurveyFactory,
)

pytestmark = pytest.mark.django_db

Kind = Question.Kind
NOW = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)  # a Monday, after 09:00


@pytest.fixture
def teams():
    return TeamFactory(name="Pilots"), TeamFactory(name="Others")


def scheduled_survey(audience=Survey.Audience.EMPLOYEES) -> Survey:
    return SurveyFactory(
        audience=audience,
        status=Survey.Status.SCHEDULED,
        first_date=NOW.date(),
        cadence="weekly",
        weekday=0,
        start_time=dt.time(9, 0),
    )


def test_a_round_keeps_each_tools_teams_and_kinds_when_it_opens(teams):
    pilots, _ = teams
    piloted, everyones = AIToolFactory(name="Drafts"), AIToolFactory(name="Search")
    piloted.teams.set([pilots])
    survey = scheduled_survey()
    QuestionFactory(survey=survey, kind=Kind.HOURS_SAVED, driver="", ai_tool=piloted)
    QuestionFactory(survey=survey, kind=Kind.AI_ACCURACY, driver="", ai_tool=piloted)
    QuestionFactory(survey=survey, kind=Kind.AI_ACCURACY, driver="", ai_tool=everyones)
    QuestionFactory(survey=survey)  # names no tool: not kept

    (round_,) = rounds_open_due(now=NOW)

    round_.refresh_from_db()
    assert round_.tools_asked == {
        str(piloted.pk): {
            "teams": [pilots.pk],
            "kinds": ["ai_accuracy", "hours_saved"],
        },
        str(everyones.pk): {"teams": None, "kinds": ["ai_accuracy"]},
    }


def test_a_customers_round_asks_every_customer_about_every_tool(teams):
    pilots, _ = teams
    tool = AIToolFactory(serves_customers=True)
    tool.teams.set([pilots])
    survey = scheduled_survey(Survey.Audience.CUSTOMERS)
    QuestionFactory(survey=survey, kind=Kind.CSAT, driver="", ai_tool=tool)

    (round_,) = rounds_open_due(now=NOW)

    round_.refresh_from_db()
    assert round_.tools_asked == {str(tool.pk): {"teams": None, "kinds": ["csat"]}}


def test_what_a_round_asks_stays_as_it_opened_when_a_tools_teams_change(teams):
    pilots, others = teams
    tool = AIToolFactory()
    tool.teams.set([pilots])
    survey = scheduled_survey()
    plain = QuestionFactory(survey=survey, position=1)
    hours = QuestionFactory(
        survey=survey, kind=Kind.HOURS_SAVED, driver="", ai_tool=tool, position=2
    )
    (round_,) = rounds_open_due(now=NOW)
    pilot = InvitationFactory(round=round_, person=PersonFactory(team=pilots))
    other = InvitationFactory(round=round_, person=PersonFactory(team=others))

    tool.teams.set([others])  # moved to the other team mid-round

    assert questions_for(invitation=pilot) == [plain, hours]
    assert questions_for(invitation=other) == [plain]


def test_a_question_about_a_tool_added_mid_round_waits_for_the_next_round(teams):
    pilots, _ = teams
    survey = scheduled_survey()
    plain = QuestionFactory(survey=survey, position=1)
    (round_,) = rounds_open_due(now=NOW)
    invitation = InvitationFactory(round=round_, person=PersonFactory(team=pilots))
    tool = AIToolFactory()  # for everyone
    later = QuestionFactory(
        survey=survey, kind=Kind.AI_ACCURACY, driver="", ai_tool=tool, position=2
    )

    assert questions_for(invitation=invitation) == [plain]
    following = RoundFactory(survey=survey, starts_at=NOW + dt.timedelta(days=7))
    nxt = InvitationFactory(round=following, person=invitation.person)
    # A round that kept nothing (made by hand) follows the survey now.
    assert questions_for(invitation=nxt) == [plain, later]


def test_a_round_that_kept_nothing_follows_the_tools_teams_now(teams):
    pilots, others = teams
    tool = AIToolFactory()
    tool.teams.set([pilots])
    survey = scheduled_survey()
    hours = QuestionFactory(
        survey=survey, kind=Kind.HOURS_SAVED, driver="", ai_tool=tool
    )
    round_ = RoundFactory(survey=survey)
    assert round_.tools_asked is None
    invitation = InvitationFactory(round=round_, person=PersonFactory(team=others))

    assert questions_for(invitation=invitation) == []
    tool.teams.set([others])
    assert questions_for(invitation=invitation) == [hours]
    # The dashboards count it as having asked everyone it invited: who was
    # asked then is not known, and a wider frame only merges more.
    assert audiences([(round_.pk, survey.pk, None, False)]) == {
        round_.pk: {tool.pk: Asked(None, frozenset({"hours_saved"}))}
    }


def test_audiences_read_a_kept_round_without_a_query(teams, django_assert_num_queries):
    pilots, _ = teams
    kept_now = {"7": {"teams": [pilots.pk], "kinds": ["hours_saved"]}}

    with django_assert_num_queries(0):
        found = audiences([(1, 2, kept_now, False)], tools=[7])

    assert found == {1: kept(kept_now)}
    assert found[1][7].asks(pilots.pk)
    assert not found[1][7].asks(None)  # a person in no team is not a pilot


def test_a_question_added_while_a_round_is_open_is_asked_and_then_fixed(teams):
    survey = scheduled_survey()
    QuestionFactory(survey=survey, position=1)
    (round_,) = rounds_open_due(now=NOW)
    assert {q.first_asked_at for q in survey.questions.all()} == {round_.starts_at}
    tool, other = AIToolFactory(), AIToolFactory()

    with time_machine.travel(NOW, tick=False):
        added = question_save(
            question=Question(
                survey=survey, kind=Kind.HOURS_SAVED, text="Hours?", ai_tool=tool
            )
        )
    draft = SurveyFactory(status=Survey.Status.DRAFT)
    unasked = question_save(question=Question(survey=draft, kind=Kind.LIKERT, text="?"))

    assert added.first_asked_at == NOW and unasked.first_asked_at is None
    added.ai_tool = other
    with pytest.raises(ValidationError) as refused:
        question_save(question=added)
    assert set(refused.value.message_dict) == {"ai_tool"}
    with pytest.raises(ValidationError, match="has been asked in a round"):
        question_delete(question=added)
    question_delete(question=unasked)
