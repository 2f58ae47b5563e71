"""The first hour of an organisation in a real browser, each page audited by
axe-core: an employee answers from the emailed link on a phone with the keyboard
alone and raises a concern; a leader answers the overdue one; a customer answers
and raises a concern without an account. HR's hour is in test_journeys_hr.py."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from feedback.models import Concern, Status
from org.roles import Role
from surveys.models import Question, Survey
from tests.browser.journeys import PHONE, Journey, link_in, session_cookie
from tests.feedback.factories import ConcernFactory, SubscriptionFactory
from tests.org.factories import CustomerFactory, PersonFactory, TeamFactory
from tests.surveys.factories import QuestionFactory, SurveyFactory

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def _open_today(**fields) -> Survey:
    """A survey whose one round opens at the next tick."""
    fields.setdefault("reminder_count", 2)
    return SurveyFactory(
        cadence="once",
        first_date=timezone.localdate(),
        start_time=dt.time(0, 0),
        open_days=3,
        **fields,
    )


def _tab_to_radio(page) -> None:
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.type") == "radio":
            return
    raise AssertionError("no radio button reached with Tab")


def test_an_employee_answers_on_a_phone_then_raises_and_supports_concerns(
    live_server, chromium, settings
):
    settings.CANDOR_BASE_URL = live_server.url
    person = PersonFactory(team=TeamFactory(), roles={Role.EMPLOYEE})
    survey = _open_today(title="Monday pulse")
    QuestionFactory(survey=survey, position=1, text="I trust our AI tools.")
    QuestionFactory(
        survey=survey,
        position=2,
        kind=Question.Kind.ENPS,
        driver="",
        text="Would you recommend working here?",
    )
    QuestionFactory(
        survey=survey,
        position=3,
        kind=Question.Kind.FREE_TEXT,
        driver="",
        required=False,
        text="Anything else?",
    )
    PersonFactory(roles={Role.HR})  # who owns a concern nobody else answers for
    other = ConcernFactory(title="The copilot drafts in the wrong tone")
    call_command("scheduler_tick", stdout=open("/dev/null", "w"))
    [invitation] = [m for m in mail.outbox if person.email in m.to]
    link = link_in(invitation, r"/s/[\w-]+/")

    journey = Journey(chromium, live_server, viewport=PHONE)
    page = journey.page
    try:
        journey.visit(link)
        assert page.get_by_test_id("progress").inner_text().startswith("0 of 3")
        assert page.get_by_test_id("reminders").inner_text() == (
            "We'll remind you twice if you haven't answered, then stop."
        )
        # Every option a comfortable thumb's width: 44 px at least, both ways.
        smallest = page.evaluate(
            """() => Math.min(...[...document.querySelectorAll('.form-check')]
                .map(o => Math.min(o.getBoundingClientRect().height,
                                   o.getBoundingClientRect().width)))"""
        )
        assert smallest >= 44, smallest

        # Keyboard only: Tab into a radio group, Space picks, arrows move, Tab on.
        _tab_to_radio(page)
        page.keyboard.press("Space")  # Likert: 1
        for _ in range(3):
            page.keyboard.press("ArrowRight")  # ... to 4
        assert page.get_by_test_id("progress").inner_text().startswith("1 of 3")
        page.keyboard.press("Tab")
        page.keyboard.press("Space")  # eNPS: 0
        for _ in range(9):
            page.keyboard.press("ArrowRight")  # ... to 9
        page.keyboard.press("Tab")
        page.keyboard.type("Clear about the why; training would help.")
        assert page.get_by_test_id("progress").inner_text().startswith("3 of 3")
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/s/thanks/$"))
        journey.check()

        # The link again: answered, and it says so rather than asking twice.
        response = journey.visit(link)
        assert response.status == 410
        assert "already" in page.locator("main").inner_text()

        # On the board, signed in: an anonymous concern, and a "me too".
        journey.context.add_cookies([session_cookie(person, journey.base)])
        journey.visit("/board/new/")
        page.fill("#concern_title", "Will the copilot grade our calls?")
        page.fill("#concern_body", "Nobody has said whether it scores us.")
        page.select_option("#concern_category", "job_security")
        page.check("#concern_anonymous")
        page.get_by_role("button", name="Post concern").click()
        page.wait_for_load_state("load")
        assert re.search(r"/board/\d+/$", page.url), page.locator("main").inner_text()
        journey.check()
        assert page.get_by_test_id("raiser").inner_text().startswith("Anonymously")

        journey.visit(f"/board/{other.pk}/")
        page.get_by_role("button", name="Me too").click()
        page.get_by_role("button", name="Me too", pressed=True).wait_for()
        journey.check()
    finally:
        journey.close()

    assert journey.problems == []
    mine = Concern.objects.get(title="Will the copilot grade our calls?")
    assert mine.anonymous
    other.refresh_from_db()
    assert other.support_count == 1


def test_a_leader_answers_the_overdue_concern_first_and_its_follower_hears(
    live_server, chromium, settings
):
    settings.CANDOR_BASE_URL = live_server.url
    leader = PersonFactory(name="Lena Leader", roles={Role.LEADER})
    follower = PersonFactory(name="Finn Follower", roles={Role.EMPLOYEE})
    long_ago = timezone.now() - dt.timedelta(days=20)
    overdue = ConcernFactory(
        title="Who checks the copilot's refunds?", owner=leader, created_at=long_ago
    )
    ConcernFactory(title="A newer question", owner=leader)
    SubscriptionFactory(concern=overdue, person=follower)

    journey = Journey(chromium, live_server)
    page = journey.page
    try:
        journey.sign_in(leader)
        journey.visit("/board/")
        page.select_option("#filter_sort", "overdue")
        page.get_by_role("button", name="Apply").click()
        page.wait_for_url(re.compile(r"sort=overdue"))
        journey.check()
        first = page.get_by_test_id("concern-row").first
        assert "Who checks the copilot's refunds?" in first.inner_text()
        first.get_by_role("link").click()
        page.wait_for_url(re.compile(rf"/board/{overdue.pk}/$"))
        journey.check()

        page.fill("#comment_body", "Finance reviews every refund the copilot drafts.")
        page.check("#comment_official")
        page.get_by_role("button", name="Post comment").click()
        page.get_by_test_id("official-response").wait_for()
        journey.check()

        page.select_option("#status_to_status", Status.IN_PROGRESS)
        page.get_by_role("button", name="Change status").click()
        page.wait_for_load_state("load")
        assert page.get_by_test_id("status").inner_text() == "In progress"
        journey.check()

        page.select_option("#status_to_status", Status.RESOLVED)
        page.fill("#status_note", "A person now signs off each refund over 100 EUR.")
        page.get_by_role("button", name="Change status").click()
        page.wait_for_load_state("load")
        assert page.get_by_test_id("status").inner_text() == "Resolved"
        assert "signs off each refund" in page.get_by_test_id("outcome").inner_text()
        journey.check()
    finally:
        journey.close()

    assert journey.problems == []
    call_command("scheduler_tick", stdout=open("/dev/null", "w"))  # sends notices
    to_follower = [m for m in mail.outbox if follower.email in m.to]
    assert to_follower, [m.subject for m in mail.outbox]
    assert any("signs off each refund" in m.body for m in to_follower)


def test_a_customer_answers_and_raises_a_concern_without_an_account(
    live_server, chromium, settings
):
    settings.CANDOR_BASE_URL = live_server.url
    PersonFactory(roles={Role.HR})
    customer = CustomerFactory(name="Cora Customer")
    survey = _open_today(title="How we use AI with you", audience="customers")
    QuestionFactory(survey=survey, position=1, text="I trust the answers I get.")
    call_command("scheduler_tick", stdout=open("/dev/null", "w"))
    call_command("customer_links", email=True, stdout=open("/dev/null", "w"))
    to_customer = [m for m in mail.outbox if customer.email in m.to]
    answer_link = next(
        link_in(m, r"/s/[\w-]+/") for m in to_customer if "/s/" in m.body
    )
    board_link = next(
        link_in(m, r"/c/[\w:-]+/") for m in to_customer if "/c/" in m.body
    )

    journey = Journey(chromium, live_server, viewport=PHONE)
    page = journey.page
    try:
        journey.visit(answer_link)
        page.locator("input[type=radio]").nth(3).check()
        page.get_by_role("button", name="Send my answers").click()
        page.wait_for_url(re.compile(r"/s/thanks/\?for=customers$"))
        journey.check()

        journey.visit(board_link)
        page.fill("#customer_title", "Your chatbot promised a delivery date")
        page.fill("#customer_body", "It said Tuesday; the order came a week later.")
        page.select_option("#customer_category", index=1)
        page.get_by_role("button", name="Post concern").click()
        page.wait_for_load_state("load")
        journey.check()
        assert "Your chatbot promised a delivery date" in page.content()
    finally:
        journey.close()

    assert journey.problems == []
    concern = Concern.objects.get()
    assert concern.audience == "customers" and concern.raised_by is None
