"""The loop the product exists for, in a real browser: an employee signs in and
raises a concern about an AI tool, its owner answers officially, and the employee
reads the answer and is told by email."""

from __future__ import annotations

import re

import pytest

from feedback.models import Concern
from feedback.services.outbox import notice_send, notices_to_send
from org.roles import Role
from tests.org.factories import AIToolFactory, PersonFactory

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]
PASSWORD = "a long enough passphrase"


def _signed_in(chromium, live_server, person):
    person.user.set_password(PASSWORD)
    person.user.save()
    context = chromium.new_context()
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", person.user.email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/$"))
    return context, page


def test_a_concern_is_raised_answered_and_read(live_server, chromium, mailoutbox):
    PersonFactory(roles={Role.HR})
    owner = PersonFactory(name="Olga Owner", roles={Role.LEADER})
    employee = PersonFactory(name="Eli Employee", roles={Role.EMPLOYEE})
    tool = AIToolFactory(name="Drafter", owner=owner, status="pilot")

    context, page = _signed_in(chromium, live_server, employee)
    page.goto(f"{live_server.url}/board/new/")
    page.fill("#concern_title", "Drafter invents refund rules")
    page.fill("#concern_body", "Twice this week it quoted a refund policy we retired.")
    page.select_option("#concern_category", "accuracy")
    page.select_option("#concern_ai_tool", str(tool.pk))
    page.get_by_role("button", name="Post concern").click()
    page.wait_for_url(re.compile(r".*/board/\d+/$"))
    assert page.get_by_test_id("owner").inner_text() == "Olga Owner"
    concern_url = page.url
    context.close()

    context, page = _signed_in(chromium, live_server, owner)
    page.goto(concern_url)
    page.fill("#comment_body", "You are right: the knowledge base is being rebuilt.")
    page.check("#comment_official")
    page.get_by_role("button", name="Post comment").click()
    page.get_by_test_id("official-response").wait_for()
    context.close()

    context, page = _signed_in(chromium, live_server, employee)
    page.goto(concern_url)
    answer = page.get_by_test_id("official-response").inner_text()
    context.close()

    assert "the knowledge base is being rebuilt" in answer
    concern = Concern.objects.get()
    assert concern.first_responded_at is not None and concern.raised_by == employee
    for notice in notices_to_send():  # what the scheduler's next pass sends
        notice_send(notice.pk)
    assert any(employee.user.email in message.to for message in mailoutbox)
