"""Someone deactivated (HR's import with active=no, or `person_set_active`) is told
nothing more, and nothing they owned is left without an owner: at the next tick
their open concerns pass to their manager (else to whoever would own it if raised
now, HR last), who is told. Their session, API token and a closed customer's board
link stop working; the unsubscribe link in an old email still works."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core import signing
from django.urls import reverse
from rest_framework.test import APIClient

from feedback.customer_links import customer_token
from feedback.models import (
    Category,
    CategoryPolicy,
    Concern,
    Notice,
    Status,
    StatusChange,
    Subscription,
)
from feedback.scheduler import feedback_tick
from feedback.services.concerns import (
    concern_hand_over,
    concern_raise,
    concern_reassign,
    concern_set_status,
)
from feedback.services.followups import escalation_recipients
from feedback.services.notify import UNSUBSCRIBE_SALT
from org.roles import Role
from org.services.people import person_set_active
from org.services.people_import import people_import
from tests.api.tokens import token_for
from tests.feedback.factories import ConcernFactory, SubscriptionFactory
from tests.org.factories import (
    AIToolFactory,
    CustomerFactory,
    PersonFactory,
    TeamFactory,
)

pytestmark = pytest.mark.django_db

HOUR = dt.timedelta(hours=1)
# Friday 6 March 2026, 10:00 UTC; the first response is due three working days on.
FRIDAY_10 = dt.datetime(2026, 3, 6, 10, 0, tzinfo=dt.UTC)
DUE = dt.datetime(2026, 3, 11, 10, 0, tzinfo=dt.UTC)
# Three working days after that: the escalation.
ESCALATE = dt.datetime(2026, 3, 16, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _utc(settings):
    settings.TIME_ZONE = "UTC"  # working days are counted in the org's zone


@pytest.fixture
def org(db):
    hr = PersonFactory(roles={Role.HR}, name="Hana HR")
    manager = PersonFactory(roles={Role.LEADER}, name="Max Manager")
    owner = PersonFactory(
        roles={Role.LEADER}, name="Olga Owner", team=TeamFactory(manager=manager)
    )
    follower = PersonFactory(name="Fred Follower")
    CategoryPolicy.objects.create(
        category=Category.OTHER, response_days=3, escalation_days=3, nudge_days=7
    )
    concern = ConcernFactory(owner=owner, created_at=FRIDAY_10)
    SubscriptionFactory(concern=concern, person=follower)
    return {
        "hr": hr,
        "manager": manager,
        "owner": owner,
        "follower": follower,
        "concern": concern,
    }


def _leave(person) -> None:
    person_set_active(person=person, is_active=False)


def _tick_hourly(start, end, mailoutbox) -> list[tuple[dt.datetime, str, str]]:
    """Tick as beat does, each hour twice; (instant, to, subject) of each email."""
    sent, now = [], start
    while now < end:
        for _ in range(2):
            before = len(mailoutbox)
            feedback_tick(now=now)
            sent += [(now, m.to[0], m.subject) for m in mailoutbox[before:]]
        now += HOUR
    return sent


# --- Notices ----------------------------------------------------------------------


def test_a_follower_who_left_is_not_told_of_a_status_change(org):
    concern, follower = org["concern"], org["follower"]
    stayer = PersonFactory(name="Stella Stayer")
    SubscriptionFactory(concern=concern, person=stayer)
    _leave(follower)

    concern_set_status(
        concern=concern,
        by=org["owner"],
        to_status=Status.ACKNOWLEDGED,
        now=FRIDAY_10 + HOUR,
    )

    assert list(Notice.objects.values_list("person", "kind")) == [
        (stayer.pk, Notice.Kind.FOLLOWER)
    ]


def test_an_owner_who_left_gets_no_reminder_nudge_or_escalation_ever(org, mailoutbox):
    owner = org["owner"]
    busy = ConcernFactory(
        owner=owner,
        created_at=FRIDAY_10,
        status=Status.IN_PROGRESS,
        first_responded_at=FRIDAY_10,
    )
    _tick_hourly(FRIDAY_10, FRIDAY_10 + 2 * HOUR, mailoutbox)
    _leave(owner)

    sent = _tick_hourly(FRIDAY_10 + 2 * HOUR, ESCALATE + 2 * HOUR, mailoutbox)

    assert owner.email not in {to for _, to, _ in sent}
    assert not Notice.objects.filter(person=owner).exists()
    assert set(Concern.objects.values_list("owner", flat=True)) == {org["manager"].pk}
    # The reminder and the nudge went to the successor instead.
    told = set(Notice.objects.values_list("person", "kind", "concern"))
    assert (org["manager"].pk, Notice.Kind.REMINDER, org["concern"].pk) in told
    assert (org["manager"].pk, Notice.Kind.NUDGE, busy.pk) in told


# --- Handing over a leaver's concerns ---------------------------------------------


def test_at_the_next_tick_a_leavers_concern_passes_to_their_manager_who_is_told(
    org, mailoutbox
):
    concern, owner, manager = org["concern"], org["owner"], org["manager"]
    people_import(
        lines=io.StringIO(f"email,name,active\n{owner.email},{owner.name},no\n")
    )

    reports = [feedback_tick(now=FRIDAY_10 + HOUR) for _ in range(2)]

    assert [r.reassigned for r in reports] == [1, 0]
    concern.refresh_from_db()
    assert concern.owner == manager
    change = StatusChange.objects.get(concern=concern, to_owner=manager)
    assert (change.actor, change.from_owner) == (None, owner)
    assert "Olga Owner is no longer here" in change.note
    assert "Max Manager, their manager" in change.note
    emails = {m.to[0]: m for m in mailoutbox}
    assert set(emails) == {manager.email, org["follower"].email}
    assert f"You own concern #{concern.pk}" in emails[manager.email].subject
    assert "Olga Owner is no longer here" in emails[manager.email].body
    assert "has a new owner: Max Manager" in emails[org["follower"].email].subject


def test_with_the_manager_gone_too_it_goes_where_it_would_be_raised_then_hr(org):
    concern, owner = org["concern"], org["owner"]
    default = PersonFactory(roles={Role.LEADER}, name="Dora Default")
    _leave(owner)
    _leave(org["manager"])
    tool_concern = ConcernFactory(
        owner=owner, category=Category.ACCURACY, created_at=FRIDAY_10
    )
    CategoryPolicy.objects.create(category=Category.ACCURACY, default_owner=default)

    feedback_tick(now=FRIDAY_10 + HOUR)

    concern.refresh_from_db()
    tool_concern.refresh_from_db()
    assert concern.owner == org["hr"]  # no default owner for "other"
    assert tool_concern.owner == default
    note = StatusChange.objects.get(concern=tool_concern, to_owner=default).note
    assert "Dora Default, next in line for it" in note


def test_a_concern_reassigned_by_hr_meanwhile_is_not_handed_over_again(org):
    concern, owner = org["concern"], org["owner"]
    stale = Concern.objects.select_related("owner__team__manager__user").get(
        pk=concern.pk
    )
    _leave(owner)
    chosen = PersonFactory(roles={Role.LEADER}, name="Chosen One")
    concern_reassign(concern=concern, by=org["hr"], owner=chosen, now=FRIDAY_10)

    taken = concern_hand_over(concern=stale, to=org["manager"], now=FRIDAY_10)

    concern.refresh_from_db()
    assert taken is False
    assert concern.owner == chosen
    assert not StatusChange.objects.filter(to_owner=org["manager"]).exists()


def test_closed_concerns_of_a_leaver_keep_their_owner_for_the_record(org):
    closed = ConcernFactory(
        owner=org["owner"], status=Status.RESOLVED, outcome="We fixed it."
    )
    _leave(org["owner"])

    report = feedback_tick(now=FRIDAY_10 + HOUR)

    closed.refresh_from_db()
    assert closed.owner == org["owner"]
    assert report.reassigned == 1  # only the open one


def test_a_new_concern_about_a_leavers_tool_never_lands_with_them(org):
    tool_owner = org["owner"]
    tool = AIToolFactory(owner=tool_owner, name="Copilot")
    _leave(tool_owner)

    concern = concern_raise(
        title="Copilot invents numbers",
        body="It made up a policy number.",
        category=Category.OTHER,
        by=org["follower"],
        ai_tool=tool,
        now=FRIDAY_10,
    )

    assert concern.owner == org["hr"]
    assert not Notice.objects.filter(person=tool_owner).exists()


# --- Escalation -------------------------------------------------------------------


def test_escalation_reaches_the_active_manager_and_hr_never_whoever_left(org):
    owner, manager, hr = org["owner"], org["manager"], org["hr"]
    _leave(owner)
    assert escalation_recipients(owner) == [(manager, "manager"), (hr, "hr")]

    _leave(manager)
    assert escalation_recipients(owner) == [(hr, "hr")]


def test_a_handed_over_concern_escalates_to_the_new_owners_chain(org, mailoutbox):
    boss = PersonFactory(roles={Role.LEADER}, name="Bea Boss")
    org["manager"].team = TeamFactory(manager=boss)
    org["manager"].save()
    _leave(org["owner"])

    sent = _tick_hourly(FRIDAY_10, ESCALATE + HOUR, mailoutbox)

    escalations = Notice.objects.filter(kind=Notice.Kind.ESCALATION)
    assert {n.person for n in escalations} == {boss, org["hr"]}
    assert org["owner"].email not in {to for _, to, _ in sent}


# --- Links, sessions and tokens ---------------------------------------------------


def test_a_closed_customers_board_link_answers_410_to_reading_and_posting(client):
    customer = CustomerFactory()
    PersonFactory(roles={Role.HR})
    token = customer_token(customer)
    board = reverse("feedback:customer_board", args=[token])
    assert client.get(board).status_code == 200
    customer.is_active = False
    customer.save(update_fields=["is_active"])

    read = client.get(board)
    post = client.post(
        board,
        {"title": "Still here?", "body": "Posting after we left.", "category": "other"},
    )

    for response in (read, post):
        assert response.status_code == 410
        assert "This link no longer works" in response.content.decode()
    assert not Concern.objects.exists()


def test_a_closed_customer_link_is_not_counted_as_a_guess(client):
    closed = CustomerFactory(is_active=False)
    for _ in range(25):
        client.get(reverse("feedback:customer_board", args=[customer_token(closed)]))

    response = client.get(
        reverse("feedback:customer_board", args=[customer_token(CustomerFactory())])
    )

    assert response.status_code == 200


def test_a_leaver_can_still_unsubscribe_from_an_old_email(client, org):
    follower = org["follower"]
    subscription = Subscription.objects.get(person=follower)
    url = reverse(
        "feedback:unsubscribe",
        args=[signing.dumps(subscription.pk, salt=UNSUBSCRIBE_SALT)],
    )
    _leave(follower)

    confirm = client.get(url)
    done = client.post(url)

    assert (confirm.status_code, done.status_code) == (200, 200)
    subscription.refresh_from_db()
    assert subscription.active is False


def test_a_leavers_signed_in_session_stops_working(client, org):
    follower = org["follower"]
    client.force_login(follower.user)
    assert client.get(reverse("feedback:board")).status_code == 200

    _leave(follower)
    page = client.get(reverse("feedback:board"))
    post = client.post(
        reverse("feedback:concern_create"),
        {"title": "After I left", "body": "Posting anyway.", "category": "other"},
    )

    for response in (page, post):
        assert response.status_code == 302
        assert response.headers["Location"].startswith(reverse("login"))
    assert Concern.objects.count() == 1  # the fixture's only


def test_a_leavers_api_token_and_api_session_stop_working(client, org):
    follower = org["follower"]
    token = token_for(follower.user)
    by_token = APIClient()
    by_token.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    by_session = APIClient()
    by_session.force_login(follower.user)
    assert by_token.get("/api/v1/concerns/").status_code == 200
    assert by_session.get("/api/v1/concerns/").status_code == 200

    _leave(follower)
    read = by_token.get("/api/v1/concerns/")
    post = by_token.post(
        "/api/v1/concerns/",
        {"title": "After I left", "body": "Posting anyway.", "category": "other"},
        format="json",
    )

    assert (read.status_code, post.status_code) == (401, 401)
    assert by_session.get("/api/v1/concerns/").status_code in (401, 403)
    assert Concern.objects.count() == 1
