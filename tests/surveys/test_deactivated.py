"""A person or customer deactivated mid-round: the links already in their inbox stop
working (410, nothing written, nothing sealed) and say nothing of the survey; their
signed-in answer page closes with their session."""

from __future__ import annotations

import io
import re

import pytest
from django.urls import reverse

from org.services.people import person_set_active
from org.services.people_import import people_import
from surveys.models import (
    Answer,
    Invitation,
    InvitationToken,
    Response,
    SealedResponse,
    Survey,
)
from surveys.scheduler import survey_tick
from surveys.services.answering import LinkState, NotAnswerable, response_submit
from surveys.tokens import token_new
from tests.org.factories import CustomerFactory
from tests.surveys.factories import InvitationFactory, QuestionFactory, RoundFactory
from tests.surveys.helpers import MONDAY_9, at, weekly_pulse

pytestmark = pytest.mark.django_db

LINK = re.compile(r"http://testserver(/s/[\w-]+/)")
GONE = "This link no longer works"


@pytest.fixture
def pulse(settings, time_machine, mailoutbox):
    """An anonymous weekly pulse whose first round has just been sent; Tuesday."""
    settings.CANDOR_BASE_URL = "http://testserver"
    survey, staff = weekly_pulse(people=5)
    survey_tick(now=MONDAY_9)
    time_machine.move_to(at(3, 10), tick=False)
    links = {m.to[0]: LINK.search(m.body).group(1) for m in mailoutbox}
    return survey, staff, links


def _answers(survey: Survey) -> dict[str, str]:
    likert, free_text = survey.questions.order_by("position")
    return {f"q{likert.pk}": "2", f"q{free_text.pk}": "Written by someone who left."}


def _nothing_written(invitation: Invitation) -> None:
    invitation.refresh_from_db()
    assert invitation.answered is False
    assert SealedResponse.objects.count() == 0
    assert Response.objects.count() == 0
    assert Answer.objects.count() == 0


def _deactivate_by_import(person) -> None:
    people_import(
        lines=io.StringIO(f"email,name,active\n{person.email},{person.name},no\n")
    )


def _deactivate_in_org(person) -> None:
    person_set_active(person=person, is_active=False)


@pytest.mark.parametrize("deactivate", [_deactivate_by_import, _deactivate_in_org])
def test_a_leavers_emailed_link_answers_410_to_a_get_and_a_post_and_saves_nothing(
    client, pulse, deactivate
):
    survey, staff, links = pulse
    leaver = staff[0]
    link = links[leaver.email]
    assert client.get(link).status_code == 200  # it worked this morning

    deactivate(leaver)
    page = client.get(link)
    post = client.post(link, _answers(survey))

    for response in (page, post):
        html = response.content.decode()
        assert response.status_code == 410
        assert GONE in html
        # The link may be in anyone's hands: not even the survey is named.
        assert survey.title not in html
        assert "question" not in html.lower()
    _nothing_written(Invitation.objects.get(person=leaver))


def test_the_refused_post_never_reaches_the_thank_you_page_which_names_nothing(
    client, pulse
):
    survey, staff, links = pulse
    person_set_active(person=staff[0], is_active=False)

    post = client.post(links[staff[0].email], _answers(survey))
    thanks = client.get(reverse("surveys:answer_thanks"))

    assert post.status_code == 410 and "Location" not in post.headers
    html = thanks.content.decode()
    assert thanks.status_code == 200
    assert survey.title not in html and staff[0].name not in html


def test_colleagues_still_on_the_team_answer_as_usual(client, pulse):
    survey, staff, links = pulse
    person_set_active(person=staff[0], is_active=False)

    response = client.post(links[staff[1].email], _answers(survey))

    assert response.status_code == 302
    assert Invitation.objects.get(person=staff[1]).answered is True
    assert SealedResponse.objects.count() == 1


def test_a_person_reactivated_before_the_round_closes_can_answer_again(client, pulse):
    survey, staff, links = pulse
    person_set_active(person=staff[0], is_active=False)
    assert client.get(links[staff[0].email]).status_code == 410

    person_set_active(person=staff[0], is_active=True)
    response = client.post(links[staff[0].email], _answers(survey))

    assert response.status_code == 302
    assert Invitation.objects.get(person=staff[0]).answered is True


def test_the_service_refuses_a_leavers_answer_whoever_calls_it(pulse):
    survey, staff, _ = pulse
    invitation = Invitation.objects.select_related("round__survey").get(person=staff[0])
    person_set_active(person=staff[0], is_active=False)
    invitation.person.refresh_from_db()
    invitation.person.user.refresh_from_db()

    with pytest.raises(NotAnswerable) as refused:
        response_submit(
            invitation=invitation,
            answers={q: "3" for q in survey.questions.filter(kind="likert")},
        )

    assert refused.value.state == LinkState.INACTIVE
    _nothing_written(invitation)


def test_a_signed_in_answer_page_closes_with_the_leavers_session(signed_in, pulse):
    survey, staff, _ = pulse
    invitation = Invitation.objects.get(person=staff[0])
    url = reverse("surveys:answer_signed_in", args=[invitation.pk])
    client = signed_in(staff[0])
    assert client.get(url).status_code == 200

    person_set_active(person=staff[0], is_active=False)
    page = client.get(url)
    post = client.post(url, _answers(survey))

    for response in (page, post):
        assert response.status_code == 302
        assert response.headers["Location"].startswith(reverse("login"))
    _nothing_written(invitation)


@pytest.fixture
def customer_link(settings, time_machine):
    """A customer survey's open round with one customer's emailed link; Tuesday."""
    time_machine.move_to(at(3, 10), tick=False)
    round_ = RoundFactory(
        survey__audience=Survey.Audience.CUSTOMERS, survey__privacy="confidential"
    )
    QuestionFactory(survey=round_.survey, kind="enps", driver="", text="Recommend?")
    invitation = InvitationFactory(
        round=round_, person=None, customer=CustomerFactory()
    )
    token, token_hash = token_new()
    InvitationToken.objects.create(invitation=invitation, token_hash=token_hash)
    return invitation, reverse("surveys:answer", args=[token])


def test_a_retired_customers_link_answers_410_and_saves_nothing(client, customer_link):
    invitation, link = customer_link
    question = invitation.round.survey.questions.get()
    assert client.get(link).status_code == 200

    customer = invitation.customer
    customer.is_active = False
    customer.save(update_fields=["is_active"])
    page = client.get(link)
    post = client.post(link, {f"q{question.pk}": "9"})

    for response in (page, post):
        assert response.status_code == 410
        assert GONE in response.content.decode()
        assert invitation.round.survey.title not in response.content.decode()
    _nothing_written(invitation)
