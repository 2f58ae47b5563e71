"""The board list: search, filters, sorting, pagination, what is listed for whom,
and a query count that does not grow with the number of concerns."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from feedback.models import Audience, Category, Concern, Status, Subscription
from feedback.selectors import SORTS
from feedback.services.concerns import concern_merge, concern_raise
from feedback.services.moderation import hide
from feedback.services.thread import follow_set, support_set
from org.roles import Role
from tests.org.factories import AIToolFactory, PersonFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.UTC)
BOARD = reverse("feedback:board")


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def owner(db):
    return PersonFactory(roles={Role.LEADER}, name="Olga Owner")


def make(owner, n: int = 0, **fields) -> Concern:
    """A concern written straight to the table, `n` hours before NOW."""
    created = NOW - dt.timedelta(hours=n)
    values = {
        "title": f"Concern number {n}",
        "body": "Something about the rollout.",
        "category": Category.OTHER,
        "owner": owner,
        "created_at": created,
        "last_activity_at": created,
        "first_response_due_at": created + dt.timedelta(days=3),
    }
    return Concern.objects.create(**{**values, **fields})


def listed(response) -> list[int]:
    return [concern.pk for concern in response.context["page"]]


def board(client, person, **params):
    client.force_login(person.user)
    return client.get(BOARD, params)


# --- Search -----------------------------------------------------------------------


def test_search_finds_title_and_body_ignoring_case(client, employee, owner):
    by_title = make(owner, 1, title="Copilot hallucinates")
    by_body = make(owner, 2, body="The COPILOT summary was wrong")
    make(owner, 3, title="Training budget")

    response = board(client, employee, q="copilot")

    assert response.status_code == 200
    assert sorted(listed(response)) == sorted([by_title.pk, by_body.pk])


def test_search_text_is_shown_back_escaped(client, employee, owner):
    make(owner)

    response = board(client, employee, q="<script>alert(1)</script>")

    page = response.content.decode()
    assert response.status_code == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert" not in page


# --- Filters ----------------------------------------------------------------------


def test_filters_by_status_category_tool_owner_and_audience(client, employee, owner):
    other_owner = PersonFactory(name="Other Owner")
    tool = AIToolFactory(owner=owner)
    target = make(
        owner,
        1,
        status=Status.IN_PROGRESS,
        category=Category.WORKLOAD,
        ai_tool=tool,
        audience=Audience.CUSTOMERS,
    )
    make(owner, 2, status=Status.IN_PROGRESS, category=Category.WORKLOAD)
    make(other_owner, 3, status=Status.NEW, ai_tool=tool)

    cases = {
        "status": ({"status": "in_progress"}, 2),
        "category": ({"category": "workload"}, 2),
        "tool": ({"tool": tool.pk}, 2),
        "owner": ({"owner": owner.pk}, 2),
        "audience": ({"audience": "customers"}, 1),
        "all": (
            {
                "status": "in_progress",
                "category": "workload",
                "tool": tool.pk,
                "owner": owner.pk,
                "audience": "customers",
            },
            1,
        ),
    }
    for name, (params, count) in cases.items():
        response = board(client, employee, **params)
        assert len(listed(response)) == count, name
    assert listed(board(client, employee, audience="customers")) == [target.pk]


def test_mine_lists_only_what_i_raised_under_my_name(client, employee, hr, owner):
    named = concern_raise(title="Named", body="b", category=Category.OTHER, by=employee)
    concern_raise(
        title="Anon", body="b", category=Category.OTHER, by=employee, anonymous=True
    )
    make(owner, 5, raised_by=PersonFactory())

    response = board(client, employee, mine="on")

    assert listed(response) == [named.pk]


def test_i_follow_lists_only_concerns_i_actively_follow(client, employee, owner):
    followed, dropped, _ = make(owner, 1), make(owner, 2), make(owner, 3)
    follow_set(concern=followed, person=employee, following=True)
    follow_set(concern=dropped, person=employee, following=False)

    response = board(client, employee, following="on")

    assert listed(response) == [followed.pk]
    assert Subscription.objects.filter(person=employee, active=True).count() == 1


@pytest.mark.parametrize(
    "params",
    [
        {"status": "bogus"},
        {"category": "<b>x</b>"},
        {"tool": "abc"},
        {"tool": "987654"},
        {"owner": "-1"},
        {"sort": "random"},
        {"page": "abc"},
        {"page": "999"},
        {"audience": "martians"},
        {"q": "x" * 500},
    ],
)
def test_a_bad_filter_is_ignored_with_a_message_never_a_500(
    client, employee, owner, params
):
    concerns = [make(owner, n) for n in range(3)]

    response = board(client, employee, **params)

    assert response.status_code == 200
    if "page" not in params:
        assert "Ignored a filter" in response.content.decode()
    assert set(listed(response)) == {c.pk for c in concerns}


# --- Sorting ----------------------------------------------------------------------


def test_sorts_newest_most_supported_and_oldest_unanswered(client, employee, owner):
    old = make(owner, 30, support_count=1)
    middle = make(owner, 20, support_count=5)
    new = make(owner, 10, support_count=3)
    answered = make(owner, 40, first_responded_at=NOW - dt.timedelta(hours=1))

    newest = listed(board(client, employee))
    supported = listed(board(client, employee, sort="support"))
    unanswered = listed(board(client, employee, sort="unanswered"))

    assert newest == [new.pk, middle.pk, old.pk, answered.pk]
    assert supported == [middle.pk, new.pk, old.pk, answered.pk]
    # Unanswered first, the earliest due time first; the answered one last.
    assert unanswered == [old.pk, middle.pk, new.pk, answered.pk]


def _deadlines(owner) -> dict[str, Concern]:
    """Concerns made `n` hours before NOW, each due (or answered) differently."""
    day, hour = dt.timedelta(days=1), dt.timedelta(hours=1)
    return {
        "long_overdue": make(owner, 96, first_response_due_at=NOW - 2 * day),
        "just_overdue": make(owner, 80, first_response_due_at=NOW - hour),
        "due_soon": make(owner, 70, first_response_due_at=NOW + 5 * hour),
        "due_later": make(owner, 5, first_response_due_at=NOW + 2 * day),
        # Past its due time, but answered in time: nothing is overdue.
        "answered": make(
            owner,
            90,
            first_response_due_at=NOW - 3 * day,
            first_responded_at=NOW - 4 * day,
        ),
        # Past its due time, but closed.
        "declined": make(
            owner,
            1,
            status=Status.DECLINED,
            outcome="Not planned.",
            first_response_due_at=NOW - 5 * day,
        ),
    }


def test_overdue_first_lists_the_longest_overdue_first_then_the_newest(
    client, employee, owner
):
    c = _deadlines(owner)

    overdue = listed(board(client, employee, sort="overdue"))

    order = ["long_overdue", "just_overdue", "declined", "due_later", "due_soon"]
    assert overdue == [c[name].pk for name in [*order, "answered"]]


def test_due_soonest_lists_open_concerns_awaiting_a_response_by_due_time(
    client, employee, owner
):
    c = _deadlines(owner)

    due = listed(board(client, employee, sort="due"))

    order = ["long_overdue", "just_overdue", "due_soon", "due_later"]
    assert due == [c[name].pk for name in [*order, "declined", "answered"]]


@pytest.mark.parametrize("sort", ["overdue", "due"])
def test_the_api_sorts_the_board_the_same_way(client, employee, owner, sort):
    _deadlines(owner)
    client.force_login(employee.user)

    rows = client.get("/api/v1/concerns/", {"sort": sort}).json()["results"]

    assert [row["id"] for row in rows] == listed(board(client, employee, sort=sort))


def test_the_sort_menu_offers_every_sort_the_board_knows(client, employee):
    page = board(client, employee).content.decode()

    for value, label in SORTS.items():
        assert f'<option value="{value}"' in page and label in page


def test_support_sort_follows_real_me_toos(client, employee, owner):
    quiet, loud = make(owner, 1), make(owner, 2)
    for person in PersonFactory.create_batch(3):
        support_set(concern=loud, person=person, supported=True)

    response = board(client, employee, sort="support")

    assert listed(response) == [loud.pk, quiet.pk]
    assert Concern.objects.get(pk=loud.pk).support_count == 3


# --- Pagination -------------------------------------------------------------------


def test_pages_hold_twenty_and_keep_the_filters_in_the_links(client, employee, owner):
    for n in range(45):
        make(owner, n, title=f"Copilot issue {n}")
    make(owner, 50, title="Unrelated")

    first = board(client, employee, q="Copilot", sort="newest")
    third = board(client, employee, q="Copilot", sort="newest", page=3)

    assert len(listed(first)) == 20
    assert len(listed(third)) == 5
    page = first.content.decode()
    assert "Page 1 of 3" in page
    assert "?q=Copilot&amp;sort=newest&amp;page=2" in page


# --- What is listed for whom ------------------------------------------------------


def test_hidden_concerns_are_listed_for_moderators_only_and_marked(
    client, employee, hr, owner
):
    visible, hidden = make(owner, 1), make(owner, 2, title="Nasty words")
    hide(target=hidden, by=hr, reason="Abusive")

    for_employee = board(client, employee)
    for_hr = board(client, hr)

    assert listed(for_employee) == [visible.pk]
    assert "Nasty words" not in for_employee.content.decode()
    assert listed(for_hr) == [visible.pk, hidden.pk]
    assert "Hidden by moderator" in for_hr.content.decode()


def test_a_merged_concern_is_listed_with_a_link_to_where_it_went(client, employee, hr):
    survivor = concern_raise(
        title="Survivor", body="b", category=Category.OTHER, by=employee
    )
    duplicate = concern_raise(
        title="Duplicate", body="b", category=Category.OTHER, by=employee
    )
    concern_merge(duplicate=duplicate, survivor=survivor, by=hr)

    response = board(client, employee)

    page = response.content.decode()
    assert duplicate.pk in listed(response)
    survivor_url = reverse("feedback:concern_detail", args=[survivor.pk])
    assert f'Merged into <a href="{survivor_url}"' in page


def test_employees_see_customer_concerns_too(client, employee, owner):
    inside = make(owner, 1)
    outside = make(owner, 2, audience=Audience.CUSTOMERS, title="From a customer")

    response = board(client, employee)

    assert listed(response) == [inside.pk, outside.pk]
    assert "Raised by a customer" in response.content.decode()


def test_rows_show_owner_tool_support_and_due_markers(client, employee, owner):
    tool = AIToolFactory(name="Summariser", owner=owner)
    make(
        owner,
        100,  # raised 100 hours ago: its three-day due time has passed
        title="Overdue one",
        ai_tool=tool,
        support_count=7,
    )
    make(owner, 1, title="Answered one", first_responded_at=NOW)

    page = board(client, employee).content.decode()

    assert "Owner: Olga Owner" in page
    assert "Summariser" in page
    assert "Me too: 7" in page
    assert "Overdue" in page
    assert "Answered" in page


# --- Query count ------------------------------------------------------------------


def test_the_board_runs_the_same_queries_for_3_or_30_concerns(
    client, employee, owner, django_assert_max_num_queries
):
    tools = AIToolFactory.create_batch(3, owner=owner)
    for n in range(3):
        make(owner, n, ai_tool=tools[n])
    client.force_login(employee.user)
    with CaptureQueriesContext(connection) as three:
        assert client.get(BOARD).status_code == 200
    owners = PersonFactory.create_batch(5)
    for n in range(3, 30):
        make(owners[n % 5], n, ai_tool=tools[n % 3], support_count=n)

    with django_assert_max_num_queries(len(three.captured_queries)):
        response = client.get(BOARD)

    assert len(listed(response)) == 20
