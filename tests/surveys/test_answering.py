"""Answering a round from the emailed link or from a signed-in page: the states of a
link, field validation that saves nothing, one response per invitation, privacy."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from surveys.models import (
    Answer,
    Invitation,
    Question,
    Response,
    SealedResponse,
    Survey,
)
from surveys.scheduler import survey_tick
from surveys.services.answering import NotAnswerable, response_submit
from tests.conftest import at_once
from tests.surveys.factories import QuestionFactory
from tests.surveys.helpers import MONDAY_9, at, release_sealed, weekly_pulse

pytestmark = pytest.mark.django_db

LINK = re.compile(r"http://testserver(/s/[\w-]+/)")


@pytest.fixture
def pulse(settings, time_machine, mailoutbox):
    """A weekly pulse whose first round has just been sent; it is Tuesday."""
    settings.CANDOR_BASE_URL = "http://testserver"
    survey, staff = weekly_pulse(people=5)
    QuestionFactory(
        survey=survey, position=3, kind=Question.Kind.HOURS_SAVED, max_hours=20
    )
    QuestionFactory(
        survey=survey,
        position=4,
        kind=Question.Kind.SINGLE_CHOICE,
        choices=["Daily", "Weekly", "Never"],
        driver="",
        text="How often do you use it?",
    )
    survey_tick(now=MONDAY_9)
    time_machine.move_to(at(3, 10), tick=False)
    links = {m.to[0]: LINK.search(m.body).group(1) for m in mailoutbox}
    return survey, staff, links


def _fields(survey: Survey, **overrides) -> dict[str, str]:
    q = {question.kind: f"q{question.pk}" for question in survey.questions.all()}
    data = {
        q["likert"]: "4",
        q["free_text"]: "The copilot saves me real time and I love it.",
        q["hours_saved"]: "2.5",
        q["single_choice"]: "Weekly",
    }
    for kind, value in overrides.items():
        if value is None:
            data.pop(q[kind])
        else:
            data[q[kind]] = value
    return data


def test_the_emailed_link_shows_the_questions_and_how_privacy_works(client, pulse):
    survey, staff, links = pulse
    page = client.get(links[staff[0].email])
    html = page.content.decode()
    assert page.status_code == 200
    assert "This survey is anonymous" in html and "at least 5 people" in html
    for question in survey.questions.all():
        assert question.text in html
    # Every input has a label a screen reader can announce, in a single form.
    ids = re.findall(r'<(?:input|textarea)[^>]*id="(id_q[^"]+)"', html)
    assert len(ids) == 5 + 1 + 1 + 3
    assert all(f'for="{id_}"' in html for id_ in ids)
    assert html.count("<form") == 1  # not signed in: no sign-out form either


def test_the_email_names_the_org_the_close_date_and_the_reminder_policy(
    pulse, mailoutbox
):
    message = mailoutbox[0]
    assert "Candor" in message.subject or "Org" in message.subject
    assert "Saturday 7 March 2026, 09:00" in message.body
    assert "remind you up to 3 times, 2 days apart, never at weekends" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and LINK.search(html)


def test_valid_answers_are_saved_once_without_a_link_to_the_person(client, pulse):
    survey, staff, links = pulse
    page = client.post(links[staff[0].email], _fields(survey))

    assert page.status_code == 302 and page["Location"] == reverse(
        "surveys:answer_thanks"
    )
    assert Invitation.objects.get(person=staff[0]).answered
    assert SealedResponse.objects.count() == 1 and not Response.objects.exists()
    release_sealed()
    response = Response.objects.get()
    assert response.invitation is None
    # One answer from a team is a group below the floor: written without its
    # team or department, or the invitations would say whose it is.
    assert (response.team, response.department) == (None, None)
    by_kind = {a.question.kind: a for a in response.answers.all()}
    assert by_kind["likert"].number == 4
    assert str(by_kind["hours_saved"].number) == "2.5"
    assert by_kind["single_choice"].choice == "Weekly"
    assert by_kind["free_text"].sentiment > 0.5
    assert not SealedResponse.objects.exists()


def test_a_second_submit_gets_410_and_stores_nothing_more(client, pulse):
    survey, staff, links = pulse
    client.post(links[staff[0].email], _fields(survey))
    again = client.post(links[staff[0].email], _fields(survey))
    assert again.status_code == 410
    assert "already answered" in again.content.decode()
    assert SealedResponse.objects.count() == 1
    release_sealed()
    assert Response.objects.count() == 1
    assert client.get(links[staff[0].email]).status_code == 410


def test_the_employee_thank_you_page_leads_to_the_board_and_home(client, pulse):
    survey, staff, links = pulse

    page = client.post(links[staff[0].email], _fields(survey), follow=True)

    html = page.content.decode()
    assert "Thank you: your answers are saved" in html
    assert f'href="{reverse("feedback:board")}"' in html
    assert f'href="{reverse("home")}"' in html
    assert survey.title not in html  # nothing that tells one answer from another


def test_the_customer_thank_you_page_does_not_promise_a_board(client, pulse):
    survey, staff, links = pulse
    # Only the survey's audience decides the page.
    Survey.objects.filter(pk=survey.pk).update(audience=Survey.Audience.CUSTOMERS)

    page = client.post(links[staff[0].email], _fields(survey), follow=True)

    html = page.content.decode()
    assert page.redirect_chain[-1][0] == reverse("surveys:answer_thanks") + (
        "?for=customers"
    )
    assert "Thank you: your answers are saved" in html
    assert "feedback board" not in html
    assert f'href="{reverse("feedback:board")}"' not in html


def test_a_confidential_response_keeps_its_invitation(client, pulse):
    survey, staff, links = pulse
    Survey.objects.filter(pk=survey.pk).update(privacy=Survey.Privacy.CONFIDENTIAL)
    client.post(links[staff[1].email], _fields(survey))
    # Written at once, beside its invitation: no sealed wait.
    assert Response.objects.get().invitation == Invitation.objects.get(person=staff[1])
    assert not SealedResponse.objects.exists()


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"likert": None}, "Please choose an answer."),
        ({"likert": "6"}, "Please choose one of the answers shown."),
        ({"likert": "four"}, "Please choose one of the answers shown."),
        ({"hours_saved": "21"}, "less than or equal to 20"),
        ({"hours_saved": "-1"}, "greater than or equal to 0"),
        ({"hours_saved": "lots"}, "Enter a number."),
        ({"hours_saved": "1.25"}, "no more than 1 decimal place"),
        ({"single_choice": "Hourly"}, "Select a valid choice"),
        ({"free_text": "x" * 2001}, "at most 2000 characters"),
    ],
)
def test_invalid_answers_re_render_with_field_errors_and_save_nothing(
    client, pulse, overrides, message
):
    survey, staff, links = pulse
    page = client.post(links[staff[0].email], _fields(survey, **overrides))
    assert page.status_code == 400
    html = page.content.decode()
    assert message in html
    assert "nothing has been saved yet" in html
    assert Response.objects.count() == 0 and Answer.objects.count() == 0
    assert not SealedResponse.objects.exists()
    assert not Invitation.objects.get(person=staff[0]).answered


def test_an_optional_question_may_be_skipped(client, pulse):
    survey, staff, links = pulse
    client.post(links[staff[0].email], _fields(survey, free_text=None))
    release_sealed()
    assert Response.objects.count() == 1
    assert not Answer.objects.filter(question__kind="free_text").exists()


def test_text_with_html_is_stored_as_typed_and_shown_escaped(client, pulse):
    survey, staff, links = pulse
    script = "<script>alert('x')</script> fine"
    client.post(links[staff[0].email], _fields(survey, free_text=script))
    release_sealed()
    assert Answer.objects.get(question__kind="free_text").text == script


def test_an_unknown_link_is_404_with_a_clear_page(client, pulse):
    page = client.get("/s/not-a-real-token/")
    assert page.status_code == 404
    assert "We do not recognise this survey link" in page.content.decode()


def test_guessing_links_is_rate_limited(client, pulse):
    survey, staff, links = pulse
    statuses = [client.get(f"/s/guess-{n}/").status_code for n in range(21)]
    assert statuses[:20] == [404] * 20 and statuses[20] == 429
    # Even a real link waits: the limit is on the address, not the guess.
    assert client.get(links[staff[0].email]).status_code == 429


def test_after_the_round_closes_the_link_is_410_closed(client, pulse, time_machine):
    survey, staff, links = pulse
    time_machine.move_to(at(7, 9, 1), tick=False)
    survey_tick(now=at(7, 9, 1))
    page = client.post(links[staff[0].email], _fields(survey))
    assert page.status_code == 410
    assert "This survey is closed" in page.content.decode()
    assert Response.objects.count() == 0 and not SealedResponse.objects.exists()


def test_a_link_to_a_round_that_has_not_opened_says_when_it_opens(
    client, pulse, time_machine
):
    survey, staff, links = pulse
    time_machine.move_to(at(2, 8), tick=False)  # the round opens at 09:00

    page = client.post(links[staff[0].email], _fields(survey))

    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", page.content.decode()))
    assert "This survey is not open yet" in text
    assert f"{survey.title} opens on Monday 2 March 2026, 09:00." in text
    assert "was open until" not in text
    assert Response.objects.count() == 0 and not SealedResponse.objects.exists()


def test_a_reminder_carries_a_new_link_and_the_first_still_works(
    client, pulse, mailoutbox
):
    survey, staff, links = pulse
    survey_tick(now=at(4, 9))
    reminder = next(
        m
        for m in mailoutbox
        if m.subject.startswith("Reminder") and m.to == [staff[0].email]
    )
    second = LINK.search(reminder.body).group(1)
    assert second != links[staff[0].email]
    assert client.get(links[staff[0].email]).status_code == 200
    assert client.post(second, _fields(survey)).status_code == 302
    assert client.get(links[staff[0].email]).status_code == 410


def test_a_signed_in_employee_answers_from_their_own_invitation(
    client, pulse, signed_in
):
    survey, staff, links = pulse
    mine = Invitation.objects.get(person=staff[2])
    url = reverse("surveys:answer_signed_in", args=[mine.pk])
    assert client.get(url).status_code == 302  # sign in first

    browser = signed_in(staff[2])
    assert browser.get(url).status_code == 200
    assert browser.post(url, _fields(survey)).status_code == 302
    assert SealedResponse.objects.count() == 1

    theirs = Invitation.objects.get(person=staff[3])
    other = reverse("surveys:answer_signed_in", args=[theirs.pk])
    assert browser.get(other).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_two_submits_at_the_same_moment_store_one_response(settings, time_machine):
    survey, staff = weekly_pulse(people=3)
    survey_tick(now=MONDAY_9)
    time_machine.move_to(at(3, 10), tick=False)
    invitation_id = Invitation.objects.get(person=staff[0]).pk
    likert = survey.questions.get(kind="likert")

    def submit():
        invitation = Invitation.objects.select_related(
            "round__survey", "person__team__department"
        ).get(pk=invitation_id)
        try:
            response_submit(invitation=invitation, answers={likert: 3})
        except NotAnswerable as exc:
            return exc.state
        return "saved"

    assert sorted(at_once(submit)) == ["answered", "saved"]
    assert SealedResponse.objects.count() == 1
    release_sealed()
    assert Response.objects.count() == 1


def test_the_home_page_lists_my_open_surveys_until_i_answer(pulse, signed_in):
    survey, staff, links = pulse
    browser = signed_in(staff[0])
    home = browser.get(reverse("home")).content.decode()
    mine = Invitation.objects.get(person=staff[0])
    answer_url = reverse("surveys:answer_signed_in", args=[mine.pk])
    assert survey.title in home and answer_url in home

    browser.post(answer_url, _fields(survey))
    home = browser.get(reverse("home")).content.decode()
    assert answer_url not in home
    assert "No survey is waiting for you" in home
