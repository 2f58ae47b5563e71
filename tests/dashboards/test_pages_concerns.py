"""The concerns dashboard: who sees it, the loop-closure numbers on the page and in
each CSV (against hand-built concerns), the empty state and the page's cost."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dashboards.figures import EVENTS
from feedback.models import Concern, Status, StatusChange
from org.roles import Role
from tests.dashboards.test_pages_overview import csv_of, figure_of, section
from tests.org.factories import AIToolFactory, PersonFactory

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)  # a Monday; every due time is past
URL = "/dashboards/concerns/"


def concern(owner, *, created=T0, answered_after_hours=None, **fields):
    responded = (
        None
        if answered_after_hours is None
        else created + dt.timedelta(hours=answered_after_hours)
    )
    return Concern.objects.create(
        title=fields.pop("title", "A concern"),
        body="b",
        category=fields.pop("category", "workload"),
        owner=owner,
        created_at=created,
        last_activity_at=created,
        first_response_due_at=created + dt.timedelta(days=3),
        first_responded_at=responded,
        **fields,
    )


@pytest.fixture
def ada():
    return PersonFactory(name="Ada Owner", roles={Role.LEADER})


@pytest.fixture
def board(ada):
    """Ada: one answered on time, one late, one overdue. Ben: one answered in 2 h
    and resolved."""
    ben = PersonFactory(name="Ben Owner")
    raiser = PersonFactory(name="Rita Raiser")
    concern(ada, answered_after_hours=10, raised_by=raiser)
    concern(ada, answered_after_hours=100)
    overdue = concern(
        ada, created=T0 + dt.timedelta(days=7), category="training", title="Late one"
    )
    resolved = concern(
        ben,
        created=T0 + dt.timedelta(days=7),
        answered_after_hours=2,
        category="job_security",
        status=Status.RESOLVED,
        outcome="Done.",
        title="Ben's one",
    )
    StatusChange.objects.create(
        concern=resolved,
        at=T0 + dt.timedelta(days=8),
        from_status=Status.NEW,
        to_status=Status.RESOLVED,
    )
    return ben, overdue, resolved


# --- Who sees what ------------------------------------------------------------------


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_employee_is_refused(employee, signed_in):
    assert signed_in(employee).get(URL).status_code == 403
    assert signed_in(employee).get(URL + "?csv=scorecard").status_code == 403


def test_hr_sees_every_concern_and_never_who_raised_one(board, hr, signed_in):
    ben, overdue, _ = board
    response = signed_in(hr).get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Ada Owner" in html and "Ben Owner" in html
    assert "Rita Raiser" not in html
    link = reverse("feedback:concern_detail", args=[overdue.pk])
    assert f'href="{link}"' in section(response, "overdue")


def test_a_leader_sees_only_the_concerns_they_own(board, ada, signed_in):
    ben, overdue, resolved = board
    client = signed_in(ada)
    response = client.get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Ben Owner" not in html
    assert "Ben&#x27;s one" not in html and "Ben's one" not in html
    assert csv_of(client, URL + "?csv=scorecard")[1:] == [
        ["Ada Owner", "3", "33.3", "55.0", "0"]
    ]
    assert csv_of(client, URL + "?csv=flow")[1:] == [
        ["2026-03-02", "2", "2", "0", "0", "0"],
        ["2026-03-09", "1", "2", "1", "0", "0"],
    ]


def test_the_overview_links_to_it_for_hr_and_leaders_only(hr, ada, employee, signed_in):
    assert (
        'data-testid="concerns-link"'
        in signed_in(hr).get("/dashboards/").content.decode()
    )
    assert (
        'data-testid="concerns-link"'
        in signed_in(ada).get("/dashboards/").content.decode()
    )
    page = signed_in(employee).get("/dashboards/").content.decode()
    assert 'data-testid="concerns-link"' not in page


# --- The numbers --------------------------------------------------------------------


def test_the_page_and_each_csv_hold_the_hand_computed_numbers(board, hr, signed_in):
    client = signed_in(hr)
    response = client.get(URL)

    flow = figure_of(response, "flow")
    assert [trace["name"] for trace in flow["data"]] == [
        "Open, not overdue",
        "Overdue",
        "Resolved",
        "Declined",
        "Raised",
    ]
    # At 9 Mar both of Ada's first concerns are open and answered; at 16 Mar they
    # still are, her third is overdue, and Ben's was resolved on 10 Mar.
    assert [trace["y"] for trace in flow["data"]] == [
        [2, 2],
        [0, 1],
        [0, 1],
        [0, 0],
        [2, 2],
    ]
    assert flow["layout"]["barmode"] == "stack"
    assert csv_of(client, URL + "?csv=flow") == [
        [
            "Week",
            "Raised",
            "Open at the week's end, not overdue",
            "Overdue at the week's end",
            "Resolved",
            "Declined",
        ],
        ["2026-03-02", "2", "2", "0", "0", "0"],
        ["2026-03-09", "2", "2", "1", "1", "0"],
    ]

    assert "10.0 hours" in section(response, "median")
    assert csv_of(client, URL + "?csv=median") == [
        ["Median hours to first response"],
        ["10.0"],
    ]

    owners = figure_of(response, "on_time_owner")["data"][0]
    assert (owners["x"], owners["y"]) == (["Ada Owner", "Ben Owner"], [33.3, 100.0])
    assert csv_of(client, URL + "?csv=on_time_owner")[1:] == [
        ["Ada Owner", "3", "3", "1", "33.3"],
        ["Ben Owner", "1", "1", "1", "100.0"],
    ]
    categories = figure_of(response, "on_time_category")["data"][0]
    assert categories["x"] == ["Job security", "Training and skills", "Workload"]
    assert categories["y"] == [100.0, 0.0, 50.0]
    assert csv_of(client, URL + "?csv=on_time_category")[1:] == [
        ["Job security", "1", "1", "1", "100.0"],
        ["Training and skills", "1", "1", "0", "0.0"],
        ["Workload", "2", "2", "1", "50.0"],
    ]

    overdue = csv_of(client, URL + "?csv=overdue")
    assert overdue[0] == [
        "Concern",
        "Owner",
        "Category",
        "AI tool",
        "Due",
        "Days overdue",
    ]
    assert [row[:5] for row in overdue[1:]] == [
        ["Late one", "Ada Owner", "Training and skills", "", "2026-03-12"]
    ]

    assert csv_of(client, URL + "?csv=scorecard") == [
        [
            "Owner",
            "Concerns owned",
            "First response by the due time (%)",
            "Median hours to first response",
            "Resolved with an outcome",
        ],
        ["Ada Owner", "3", "33.3", "55.0", "0"],
        ["Ben Owner", "1", "100.0", "2.0", "1"],
    ]
    assert "Rita Raiser" not in "".join(
        client.get(URL + f"?csv={name}").content.decode()
        for name in (
            "flow",
            "median",
            "on_time_owner",
            "on_time_category",
            "overdue",
            "scorecard",
        )
    )


def test_the_filters_narrow_by_date_and_tool(board, ada, hr, signed_in):
    tool = AIToolFactory(name="Copilot")
    concern(ada, created=T0 + dt.timedelta(days=14), ai_tool=tool, title="Tooly")
    client = signed_in(hr)

    rows = csv_of(client, URL + f"?tool={tool.pk}&csv=overdue")
    assert [row[0] for row in rows[1:]] == ["Tooly"]
    assert rows[1][3] == "Copilot"
    flow = csv_of(client, URL + "?since=2026-03-09&until=2026-03-15&csv=flow")
    assert flow[1:] == [["2026-03-09", "2", "0", "1", "1", "0"]]
    response = client.get(URL + "?since=2026-03-09")
    assert 'href="?since=2026-03-09&amp;csv=scorecard"' in response.content.decode()


def test_a_formula_in_a_title_is_neutralised_in_the_csv(ada, hr, signed_in):
    concern(ada, title="=HYPERLINK(1)")

    rows = csv_of(signed_in(hr), URL + "?csv=overdue")
    assert rows[1][0] == "'=HYPERLINK(1)"


def test_an_unknown_csv_is_not_found(hr, signed_in):
    assert signed_in(hr).get(URL + "?csv=nope").status_code == 404


def test_no_concerns_gives_friendly_sentences_and_no_chart(hr, signed_in):
    response = signed_in(hr).get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert "No concerns in this view yet" in section(response, "flow")
    assert "No concern in this view has had an official response yet." in html
    assert "No concern is overdue." in html
    assert "No one owns a concern in this view yet." in html
    assert "data-figure=" not in html
    assert "plotly.min.js" not in html
    assert "Download CSV" not in html


def test_the_page_needs_no_inline_script_or_style(board, hr, signed_in):
    html = signed_in(hr).get(URL).content.decode()

    for attributes in re.findall(r"<script\b([^>]*)>", html):
        assert "src=" in attributes or 'type="application/json"' in attributes
    assert not re.search(r"\sstyle=", html)
    assert '<script src="/static/dashboards/charts.js" defer>' in html
    assert len(re.findall(r'data-figure="figure-\w+"', html)) == 3


@pytest.mark.parametrize("persona", ["hr", "ada"])
def test_the_query_count_does_not_grow_with_concerns(request, persona, signed_in):
    person = request.getfixturevalue(persona)
    owner = request.getfixturevalue("ada")
    client = signed_in(person)
    tool = AIToolFactory()

    def add(count):
        for index in range(count):
            made = concern(
                owner,
                created=T0 + dt.timedelta(days=index),
                answered_after_hours=index % 3 * 50 or None,
                category=["workload", "training", "fairness"][index % 3],
                ai_tool=tool,
            )
            StatusChange.objects.create(
                concern=made, at=made.created_at, to_status=Status.NEW
            )

    add(3)
    with CaptureQueriesContext(connection) as small:
        assert client.get(URL).status_code == 200
    add(27)
    with CaptureQueriesContext(connection) as large:
        response = client.get(URL)

    assert len(figure_of(response, "flow")["data"][0]["x"]) > 2
    assert len(large) == len(small) <= 23


def test_rollout_events_are_marked_on_the_weekly_chart(board, hr, signed_in):
    AIToolFactory(name="Copilot", live_since=T0 + dt.timedelta(days=3))

    response = signed_in(hr).get(URL)

    flow = figure_of(response, "flow")
    assert [shape["x0"] for shape in flow["layout"]["shapes"]] == ["2026-03-05"]
    assert "annotations" not in flow["layout"]
    markers = flow["data"][-1]
    assert markers["name"] == EVENTS and markers["x"] == ["2026-03-05"]
    assert "Copilot live" in markers["hovertext"][0]
    assert "Copilot live" in response.content.decode()


def test_the_page_lists_the_longest_overdue_and_counts_them_all(
    ada, hr, signed_in, monkeypatch
):
    """The page reads the first rows only, with how many there are; the CSV
    has every one, in the same order (ties by id)."""
    monkeypatch.setattr("dashboards.views.LIST_LIMIT", 2)
    for n in range(5):
        concern(ada, title=f"Late {n}", created=T0 + dt.timedelta(days=n % 2))
    client = signed_in(hr)

    response = client.get(URL)
    rows = csv_of(client, URL + "?csv=overdue")

    listed = re.findall(r'<a href="/[^"]*">(Late \d)</a>', section(response, "overdue"))
    assert [row[0] for row in rows[1:]] == [
        "Late 0",
        "Late 2",
        "Late 4",
        "Late 1",
        "Late 3",
    ]
    assert listed == ["Late 0", "Late 2"]
    assert "The 2 longest overdue of 5; the CSV has them all." in section(
        response, "overdue"
    )
