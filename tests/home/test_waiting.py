"""What is waiting for me, on every home page: the open concerns I own, overdue ones
first then by due time, said in words; the surveys I have not answered, each with
its answer link. Only my own, never anyone else's."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from core.timewords import span_words
from feedback.models import Status
from home.selectors import waiting_for
from org.roles import Role
from tests.feedback.factories import ConcernFactory
from tests.org.factories import PersonFactory
from tests.surveys.factories import InvitationFactory, RoundFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.UTC)
DAY, HOUR = dt.timedelta(days=1), dt.timedelta(hours=1)


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def concern(owner, title: str, *, due: dt.datetime, **fields):
    created = min(due, NOW) - 3 * DAY
    return ConcernFactory(
        owner=owner,
        title=title,
        created_at=created,
        last_activity_at=fields.pop("last_activity_at", created),
        first_response_due_at=due,
        **fields,
    )


def section(html: str, testid: str) -> str:
    """The part of the page with this testid: the whole card for "waiting", else
    the list inside it (which holds no nested block)."""
    end = "</section>" if testid == "waiting" else "</div>"
    found = re.search(rf'data-testid="{testid}".*?{end}', html, re.S)
    return found[0] if found else ""


def home_of(client, person) -> str:
    client.force_login(person.user)
    return client.get(reverse("home")).content.decode()


# --- Concerns I own -----------------------------------------------------------------


def test_an_overdue_concern_comes_first_even_below_many_answered_ones_due_earlier(
    client, leader
):
    for n in range(8):
        concern(
            leader,
            f"Answered {n}",
            due=NOW - (10 + n) * DAY,
            first_responded_at=NOW - 20 * DAY,
            status=Status.IN_PROGRESS,
        )
    concern(leader, "The overdue one", due=NOW - 2 * DAY)

    waiting = waiting_for(person=leader, now=NOW)

    assert waiting.concerns[0].concern.title == "The overdue one"
    assert waiting.concerns[0].when == "overdue by 2 days"
    owned = section(home_of(client, leader), "owned-concerns")
    assert owned.index("The overdue one") < owned.index("Answered")


def test_concerns_are_ordered_overdue_then_due_soonest_then_answered_and_said_in_words(
    client, leader
):
    concern(leader, "Due in hours", due=NOW + 3 * HOUR + 20 * dt.timedelta(minutes=1))
    concern(leader, "Just overdue", due=NOW - 40 * dt.timedelta(minutes=1))
    concern(leader, "Long overdue", due=NOW - 9 * DAY)
    concern(leader, "Due in days", due=NOW + 3 * DAY)
    concern(
        leader,
        "Answered, open",
        due=NOW + DAY,
        first_responded_at=NOW - 5 * DAY,
        last_activity_at=NOW - 4 * DAY,
        status=Status.ACKNOWLEDGED,
    )
    concern(leader, "Resolved", due=NOW - DAY, status=Status.RESOLVED, outcome="Done.")
    concern(
        leader, "Hidden", due=NOW - DAY, hidden_at=NOW - HOUR, hidden_reason="Names"
    )

    waiting = waiting_for(person=leader, now=NOW)

    assert [(w.concern.title, w.when) for w in waiting.concerns] == [
        ("Long overdue", "overdue by 9 days"),
        ("Just overdue", "overdue by 40 minutes"),
        ("Due in hours", "due in 3 hours"),
        ("Due in days", "due in 3 days"),
        ("Answered, open", "answered, quiet for 4 days"),
    ]
    owned = section(home_of(client, leader), "owned-concerns")
    assert owned.count(">Overdue<") == 2
    assert "overdue by 9 days" in owned and "due in 3 hours" in owned
    assert "Resolved" not in owned and "Hidden" not in owned


# --- Surveys I have not answered ----------------------------------------------------


def test_open_surveys_i_have_not_answered_are_listed_with_their_answer_link(
    client, employee
):
    open_round = RoundFactory(
        survey__title="March pulse", starts_at=NOW - DAY, closes_at=NOW + 2 * DAY
    )
    mine = InvitationFactory(round=open_round, person=employee)
    InvitationFactory(
        round=RoundFactory(
            survey__title="Answered pulse", starts_at=NOW - DAY, closes_at=NOW + DAY
        ),
        person=employee,
        answered=True,
    )
    InvitationFactory(
        round=RoundFactory(
            survey__title="Closed pulse",
            starts_at=NOW - 9 * DAY,
            closes_at=NOW - 2 * DAY,
        ),
        person=employee,
    )

    surveys = section(home_of(client, employee), "open-surveys")

    assert reverse("surveys:answer_signed_in", args=[mine.pk]) in surveys
    assert "March pulse</strong>, closes in 2 days" in surveys
    assert "Answered pulse" not in surveys and "Closed pulse" not in surveys


def test_with_nothing_to_answer_the_home_page_says_so(client, employee):
    home = home_of(client, employee)

    assert "No survey is waiting for you" in section(home, "open-surveys")
    assert section(home, "owned-concerns") == ""


# --- Only my own -------------------------------------------------------------------


def test_nobody_sees_what_waits_for_someone_else(client, employee, leader):
    other_leader = PersonFactory(roles={Role.LEADER})
    concern(leader, "Leader Lee overdue one", due=NOW - DAY)
    concern(other_leader, "Leader Kim overdue one", due=NOW - DAY)
    shared = RoundFactory(survey__title="Team pulse", starts_at=NOW - DAY)
    employee_invitation = InvitationFactory(round=shared, person=employee)
    InvitationFactory(round=shared, person=leader)
    InvitationFactory(
        round=RoundFactory(survey__title="Only for Emma", starts_at=NOW - DAY),
        person=employee,
    )

    leader_home = section(home_of(client, leader), "waiting")
    employee_home = section(home_of(client, employee), "waiting")

    assert "Leader Lee overdue one" in leader_home
    assert "Leader Kim" not in leader_home
    assert "Only for Emma" not in leader_home
    assert reverse("surveys:answer_signed_in", args=[employee_invitation.pk]) not in (
        leader_home
    )
    assert "overdue one" not in employee_home
    assert "Only for Emma" in employee_home
    assert [
        w.concern.title for w in waiting_for(person=employee, now=NOW).concerns
    ] == []


def test_a_superuser_without_a_person_has_nothing_waiting(client, django_user_model):
    admin = django_user_model.objects.create_superuser("root@example.org", "pw-1-ok")
    client.force_login(admin)

    response = client.get(reverse("home"))

    assert response.context["home"].waiting is None
    assert 'data-testid="waiting"' not in response.content.decode()


# --- Lengths of time in words ---------------------------------------------------------


@pytest.mark.parametrize(
    ("span", "words"),
    [
        (dt.timedelta(seconds=30), "less than a minute"),
        (dt.timedelta(minutes=1), "1 minute"),
        (dt.timedelta(minutes=59, seconds=59), "59 minutes"),
        (dt.timedelta(hours=3, minutes=59), "3 hours"),
        (dt.timedelta(days=1), "1 day"),
        (dt.timedelta(days=2, hours=23), "2 days"),
        (dt.timedelta(days=7), "1 week"),
        (dt.timedelta(days=10), "10 days"),
        (dt.timedelta(days=14), "2 weeks"),
        (-dt.timedelta(hours=2), "2 hours"),
    ],
)
def test_a_length_of_time_is_said_in_its_largest_whole_unit(span, words):
    assert span_words(span) == words
