"""What answering costs: a fixed number of queries per page, whatever the number of
questions, and an unanswered form's markup kept per question set without ever
keeping what one person typed or a CSRF token."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from org.models import Accuracy
from surveys import forms as forms_module
from surveys import pages as pages_module
from surveys.models import Invitation, InvitationToken, Question, SealedResponse, Survey
from surveys.tokens import token_new
from tests.org.factories import AIToolFactory, CustomerFactory, PersonFactory
from tests.surveys.factories import (
    InvitationFactory,
    QuestionFactory,
    RoundFactory,
    SurveyFactory,
)

pytestmark = pytest.mark.django_db

# Per request, for a link, employee's or customer's: the link with its invitation,
# round, survey, person and account or customer, and the survey's questions (one
# query, surveys.selectors.answer_link). A POST to an anonymous survey adds the
# claim of the invitation with its sealed row: on PostgreSQL one statement; on
# SQLite an UPDATE and an INSERT in a transaction (a savepoint inside a test's
# own: two more).
GET_QUERIES = 1


def _post_queries() -> int:
    return 2 if connection.vendor == "postgresql" else 5


VALUES = {
    Question.Kind.LIKERT: "4",
    Question.Kind.ENPS: "9",
    Question.Kind.HOURS_SAVED: "1.5",
    Question.Kind.AI_ACCURACY: Accuracy.CORRECT,
    Question.Kind.FREE_TEXT: "Clear about the why; training would help.",
}


def _survey(questions: int) -> Survey:
    """An anonymous survey of `questions` questions of every kind, some about a
    tool rolled out to everyone."""
    survey = SurveyFactory()
    tool = AIToolFactory()
    kinds = list(VALUES)
    for position in range(questions):
        kind = kinds[position % len(kinds)]
        about_tool = kind in (Question.Kind.HOURS_SAVED, Question.Kind.AI_ACCURACY)
        QuestionFactory(
            survey=survey,
            position=position,
            kind=kind,
            driver="trust" if kind == Question.Kind.LIKERT else "",
            required=kind == Question.Kind.LIKERT,
            text=f"Question {position}",
            ai_tool=tool if about_tool else None,
        )
    return survey


def _link(survey: Survey, invitee: str) -> str:
    now = timezone.now()
    round_ = RoundFactory(
        survey=survey,
        starts_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=4),
    )
    if invitee == "customer":
        customer = CustomerFactory()
        invitation = InvitationFactory(round=round_, person=None, customer=customer)
    else:
        invitation = InvitationFactory(round=round_, person=PersonFactory())
    token, digest = token_new()
    InvitationToken.objects.create(invitation=invitation, token_hash=digest)
    return reverse("surveys:answer", args=[token])


def _answers(survey: Survey) -> dict[str, str]:
    return {f"q{q.pk}": VALUES[q.kind] for q in survey.questions.all()}


@pytest.mark.parametrize("invitee", ["employee", "customer"])
@pytest.mark.parametrize("questions", [3, 15])
def test_the_answering_page_takes_the_same_queries_whatever_its_length(
    client, django_assert_num_queries, invitee, questions
):
    survey = _survey(questions)
    link, answers = _link(survey, invitee), _answers(survey)

    with django_assert_num_queries(GET_QUERIES):
        page = client.get(link)
    with django_assert_num_queries(_post_queries()):
        sent = client.post(link, answers)

    assert page.status_code == 200
    assert page.content.decode().count('type="radio"') >= 5
    assert sent.status_code == 302
    assert Invitation.objects.get().answered
    assert SealedResponse.objects.count() == 1


def test_a_rejected_answer_never_reaches_the_next_persons_page(client):
    survey = _survey(5)
    mine, theirs = _link(survey, "employee"), _link(survey, "employee")
    client.get(theirs)  # the unanswered markup is kept from here on
    typed = _answers(survey) | {f"q{survey.questions.get(position=0).pk}": "9"}
    typed[f"q{survey.questions.get(position=4).pk}"] = "A remark only I wrote"

    rejected = client.post(mine, typed)
    page = client.get(theirs).content.decode()

    assert rejected.status_code == 400
    assert "A remark only I wrote" in rejected.content.decode()
    assert "is-invalid" in rejected.content.decode()
    assert "A remark only I wrote" not in page
    assert "is-invalid" not in page and " checked" not in page
    assert not Invitation.objects.filter(answered=True).exists()


def test_each_page_carries_its_own_csrf_token_once(client):
    survey = _survey(5)
    link = _link(survey, "employee")
    other = type(client)()

    pages = [c.get(link).content.decode() for c in (client, other)]

    field = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
    tokens = [field.findall(page) for page in pages]
    assert [len(found) for found in tokens] == [1, 1]
    assert tokens[0] != tokens[1]


def test_a_question_changed_between_two_visits_shows_as_changed(client):
    survey = _survey(5)
    link = _link(survey, "employee")
    client.get(link)
    Question.objects.filter(survey=survey, position=0).update(
        text="Reworded by HR", required=False
    )

    page = client.get(link).content.decode()

    assert "Reworded by HR</legend>" in page  # no longer marked as needed
    assert "Question 0" not in page and "Question 1" in page


def test_the_page_keeps_labels_help_and_required_markers(client):
    survey = _survey(5)

    page = client.get(_link(survey, "employee")).content.decode()

    likert = survey.questions.get(position=0)
    enps = survey.questions.get(position=1)
    assert re.search(
        r'<legend class="[^"]*requiredField[^"]*">Question 0'
        r'<span class="asteriskField">\*</span></legend>',
        page,
    )
    assert f'id="id_q{likert.pk}_0" required' in page
    assert f'aria-describedby="id_q{enps.pk}_helptext"' in page
    assert "0 means not at all likely, 10 extremely likely." in page
    assert 'class="form-check form-check-inline"' in page  # the 0-10 scale on a row
    assert f'<label for="id_q{survey.questions.get(position=4).pk}"' in page


def test_a_kept_unanswered_page_makes_no_form_field(client, monkeypatch):
    survey = _survey(5)
    first, second = _link(survey, "employee"), _link(survey, "employee")
    client.get(first)  # the unanswered markup is kept from here on
    made = []
    real = forms_module._field
    monkeypatch.setattr(forms_module, "_field", lambda q: made.append(q) or real(q))

    page = client.get(second)

    assert page.status_code == 200 and 'type="radio"' in page.content.decode()
    assert made == []  # the template's `form.errors` no longer makes them all


def test_a_kept_page_holds_no_csrf_token_and_each_visit_gets_its_own(
    client, monkeypatch
):
    monkeypatch.setattr(pages_module, "_pages", forms_module.Kept(4))
    survey = _survey(5)
    link = _link(survey, "employee")

    pages = [c.get(link) for c in (client, type(client)())]  # two browsers

    field = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
    tokens = [field.search(page.content.decode()).group(1) for page in pages]
    kept = [part for page in pages_module._pages.items.values() for part in page]
    assert len(pages_module._pages.items) == 1  # one survey, round, question set
    assert tokens[0] != tokens[1]
    assert not any(token in part for token in tokens for part in kept)
    assert all(page["Vary"] == "Cookie" for page in pages)
    assert pages[0].content.decode().replace(tokens[0], "") == pages[
        1
    ].content.decode().replace(tokens[1], "")


def test_a_signed_in_person_following_their_link_sees_their_navigation(
    client, signed_in
):
    survey = _survey(5)
    stranger = type(client)()
    stranger.get(_link(survey, "employee"))  # a page without a session is kept
    link = _link(survey, "employee")
    person = Invitation.objects.latest("pk").person

    page = signed_in(person).get(link)

    assert page.status_code == 200 and 'type="radio"' in page.content.decode()
    assert 'data-testid="nav"' in page.content.decode()
    assert 'data-testid="nav"' not in stranger.get(link).content.decode()


def test_an_edited_title_or_close_date_shows_on_the_next_visit(client):
    survey = _survey(5)
    link = _link(survey, "employee")
    client.get(link)
    Survey.objects.filter(pk=survey.pk).update(title="Pulse, reworded")
    invitation = Invitation.objects.get()
    closes = invitation.round.closes_at + dt.timedelta(days=1)
    type(invitation.round).objects.filter(pk=invitation.round_id).update(
        closes_at=closes
    )

    page = client.get(link).content.decode()

    assert "Pulse, reworded</h1>" in page
    assert f"Open until {closes:%A} {closes.day} {closes:%B}" in page


def test_forms_of_one_question_set_share_fields_and_keep_their_own_answers():
    survey = _survey(5)
    questions = list(survey.questions.order_by("position"))
    likert, text = f"q{questions[0].pk}", f"q{questions[4].pk}"
    mine = forms_module.AnswerForm(questions, {likert: "9", text: "Only mine"})
    theirs = forms_module.AnswerForm(questions, {likert: "2"})

    assert not mine.is_valid() and theirs.is_valid()

    assert mine.fields[likert] is theirs.fields[likert]
    assert mine.fields is not theirs.fields
    assert theirs.cleaned_data[likert] == 2 and not theirs.cleaned_data[text]
    assert mine.errors[likert] == ["Please choose one of the answers shown."]
    assert mine[text].value() == "Only mine" and theirs[text].value() is None
    assert not theirs.errors
