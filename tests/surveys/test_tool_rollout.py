"""An AI tool rolled out to some teams: only people in them are asked about its
hours saved and accuracy (no one answers for a tool they were never given);
customers, and tools rolled out to everyone, are asked as before."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from org.forms import AIToolForm
from org.models import Accuracy
from surveys.models import Answer, Invitation, InvitationToken, Question, Response
from surveys.scheduler import survey_tick
from surveys.selectors import answer_link, questions_for
from surveys.services.answering import response_submit
from surveys.tokens import token_new
from tests.org.factories import (
    AIToolFactory,
    CustomerFactory,
    PersonFactory,
    TeamFactory,
)
from tests.surveys.factories import InvitationFactory, QuestionFactory
from tests.surveys.helpers import MONDAY_9, at, release_sealed, weekly_pulse

pytestmark = pytest.mark.django_db


@pytest.fixture
def rollout(time_machine):
    """A pulse to one team with a question about a tool rolled out elsewhere and
    one about a tool everyone has; its first round sent."""
    survey, staff = weekly_pulse(people=3)
    elsewhere = AIToolFactory(name="Drafter")
    elsewhere.teams.set([TeamFactory()])
    everyone = AIToolFactory(name="Summariser")
    questions = {
        tool.name: QuestionFactory(
            survey=survey,
            position=position,
            kind=Question.Kind.AI_ACCURACY,
            driver="",
            required=False,
            ai_tool=tool,
        )
        for position, tool in enumerate((elsewhere, everyone), start=3)
    }
    survey_tick(now=MONDAY_9)
    time_machine.move_to(at(3, 10), tick=False)
    return survey, staff, elsewhere, questions


def test_only_the_teams_a_tool_is_rolled_out_to_are_asked_about_it(rollout):
    survey, staff, elsewhere, questions = rollout
    invitation = Invitation.objects.get(person=staff[0])

    asked = questions_for(invitation=invitation)

    assert questions["Summariser"] in asked and questions["Drafter"] not in asked


def test_a_tool_rolled_out_to_a_team_mid_round_is_asked_of_it_from_the_next_round(
    rollout,
):
    # The round keeps whom it asks about each tool when it opens: the dashboards
    # count its answers among those same teams (`surveys.audiences`).
    survey, staff, elsewhere, questions = rollout
    elsewhere.teams.add(staff[0].team)

    this_round = Invitation.objects.get(person=staff[0])
    assert questions["Drafter"] not in questions_for(invitation=this_round)
    survey_tick(now=MONDAY_9 + dt.timedelta(days=7))
    next_round = Invitation.objects.filter(person=staff[0]).latest("round__starts_at")
    assert next_round.round_id != this_round.round_id
    assert questions["Drafter"] in questions_for(invitation=next_round)


def test_someone_moved_mid_round_is_asked_what_their_team_when_invited_is(rollout):
    # Asked by today's team, the mover's response would carry the tool's answer
    # under their old team's name: the one such response in the cell, so theirs.
    survey, staff, elsewhere, questions = rollout
    invitation = Invitation.objects.get(person=staff[0])
    moved_to = elsewhere.teams.get()
    staff[0].team = moved_to
    staff[0].save()
    invitation.refresh_from_db()

    asked = questions_for(invitation=invitation)

    assert questions["Drafter"] not in asked
    assert questions["Summariser"] in asked


def test_the_answering_page_leaves_the_question_out_and_ignores_a_forged_answer(
    rollout, signed_in
):
    survey, staff, _, questions = rollout
    invitation = Invitation.objects.get(person=staff[0])
    url = reverse("surveys:answer_signed_in", args=[invitation.pk])
    browser = signed_in(staff[0])
    likert = survey.questions.get(kind=Question.Kind.LIKERT)

    page = browser.get(url).content.decode()
    posted = browser.post(
        url,
        {
            f"q{likert.pk}": "4",
            f"q{questions['Summariser'].pk}": Accuracy.CORRECT,
            f"q{questions['Drafter'].pk}": Accuracy.INCORRECT,  # not asked
        },
    )

    assert f'name="q{questions["Summariser"].pk}"' in page
    assert f'name="q{questions["Drafter"].pk}"' not in page
    assert posted.status_code == 302
    release_sealed()
    assert set(Answer.objects.values_list("question__ai_tool__name", flat=True)) == {
        None,
        "Summariser",
    }


def test_the_service_keeps_only_answers_to_questions_asked(rollout):
    survey, staff, _, questions = rollout
    invitation = Invitation.objects.get(person=staff[1])

    response_submit(
        invitation=invitation,
        answers={
            survey.questions.get(kind=Question.Kind.LIKERT): 3,
            questions["Drafter"]: Accuracy.CORRECT,
        },
    )
    release_sealed()

    assert Response.objects.count() == 1
    assert not Answer.objects.filter(question=questions["Drafter"]).exists()


def test_hr_sets_the_teams_on_the_tools_form_and_its_page_names_them(hr, signed_in):
    tool = AIToolFactory(name="Drafter")
    support = TeamFactory(name="Support")
    TeamFactory(name="Sales")  # another team it is not rolled out to
    data = {
        "name": tool.name,
        "kind": tool.kind,
        "status": tool.status,
        "owner": tool.owner.pk,
        "purpose": tool.purpose,
        "acceptable_use": tool.acceptable_use,
        "data_sensitivity": tool.data_sensitivity,
        "teams": [support.pk],
    }
    assert AIToolForm(data, instance=tool).is_valid()
    client = signed_in(hr)

    response = client.post(reverse("org:aitool_edit", args=[tool.pk]), data)

    assert response.status_code == 302
    assert list(tool.teams.all()) == [support]
    page = client.get(reverse("org:aitool_detail", args=[tool.pk])).content.decode()
    rolled_out = page.split('data-testid="rolled-out-to">')[1].split("</dd>")[0]
    assert rolled_out == "Support"


def test_a_links_lookup_asks_what_questions_for_asks_everyone(rollout):
    # The link's one query (answer_link) writes the same rule in SQL: it must
    # agree with questions_for for the tool's team, others, a mover, a customer.
    survey, staff, elsewhere, questions = rollout
    round_ = Invitation.objects.get(person=staff[0]).round
    given = PersonFactory(team=elsewhere.teams.get())
    InvitationFactory(round=round_, person=given, team=given.team)
    InvitationFactory(round=round_, person=None, customer=CustomerFactory())
    staff[1].team = given.team  # moved to the tool's team after the invitation
    staff[1].save()

    links = {}
    for invitation in Invitation.objects.all():
        token, digest = token_new()
        InvitationToken.objects.create(invitation=invitation, token_hash=digest)
        links[invitation] = answer_link(token=token)

    for invitation, link in links.items():
        assert link.invitation == invitation
        assert link.questions == questions_for(invitation=invitation)
        assert sorted(link.kinds) == sorted(
            survey.questions.values_list("kind", flat=True)
        )
    asked = {i.person or i.customer: link.questions for i, link in links.items()}
    assert questions["Drafter"] in asked[given]
    assert questions["Drafter"] not in asked[staff[0]]
    assert questions["Drafter"] not in asked[staff[1]]
    assert answer_link(token="never-sent") is None
    # A round that kept nothing: the query's own test, by the tools' teams now.
    type(round_).objects.filter(pk=round_.pk).update(tools_asked=None)
    elsewhere.teams.add(staff[0].team)
    for invitation in links:
        token, digest = token_new()
        InvitationToken.objects.create(invitation=invitation, token_hash=digest)
        link = answer_link(token=token)
        assert link.invitation.round.tools_asked is None
        assert link.questions == questions_for(invitation=link.invitation)
    now_asked = Invitation.objects.get(person=staff[0])  # the tool's team now
    assert questions["Drafter"] in questions_for(invitation=now_asked)
