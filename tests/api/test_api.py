"""The REST API: its schema, sign-in by session or token, the tools, the board
(read and raise) and the dashboards' numbers, each with the page's permissions
and anonymity floor."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from feedback.models import Comment, Concern, Status
from feedback.services.concerns import POST_LIMIT
from surveys.models import Round
from tests.api.tokens import token_for
from tests.dashboards.helpers import closed_round, invite
from tests.dashboards.test_pages_overview import (
    WEEK_1,
    WEEK_2,
    cell,
    csv_of,
    pulse_survey,
    respond,
)
from tests.dashboards.test_tool_metrics import C, answer_tool, tool_survey
from tests.feedback.factories import ConcernFactory
from tests.org.factories import (
    AIToolFactory,
    DepartmentFactory,
    PersonFactory,
    TeamFactory,
)
from tests.surveys.factories import RoundFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    def signed_in(person=None, *, csrf: bool = False) -> APIClient:
        client = APIClient(enforce_csrf_checks=csrf)
        if person is not None:
            client.force_authenticate(person.user)
        return client

    return signed_in


def _attrs(response) -> set[str]:
    """The fields a 4xx names, from its one error shape."""
    return {error["attr"] for error in response.json()["errors"]}


# --- The schema and signing in -------------------------------------------------------


def test_the_openapi_schema_describes_every_endpoint(client):
    response = client.get("/api/schema/?format=json")

    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) >= {
        "/api/v1/tools/",
        "/api/v1/tools/{id}/",
        "/api/v1/tools/{id}/dashboard/",
        "/api/v1/concerns/",
        "/api/v1/concerns/{id}/",
        "/api/v1/dashboards/{page}/",
    }


def test_nothing_is_served_to_someone_not_signed_in(api):
    for url in ("/api/v1/tools/", "/api/v1/concerns/", "/api/v1/dashboards/sentiment/"):
        assert api().get(url).status_code in (401, 403)


def test_a_token_signs_in(employee):
    AIToolFactory(name="Drafter")
    token = token_for(employee.user)
    client = APIClient()

    response = client.get("/api/v1/tools/", HTTP_AUTHORIZATION=f"Token {token}")

    assert response.status_code == 200
    assert [tool["name"] for tool in response.json()["results"]] == ["Drafter"]
    wrong = client.get("/api/v1/tools/", HTTP_AUTHORIZATION="Token nope")
    assert wrong.status_code == 401


def test_a_session_must_send_its_csrf_token_to_post(employee, client):
    client.force_login(employee.user)
    api = APIClient(enforce_csrf_checks=True)
    api.cookies = client.cookies

    response = api.post(
        "/api/v1/concerns/",
        {"title": "t", "body": "b", "category": "workload"},
        format="json",
    )

    assert response.status_code == 403
    assert not Concern.objects.exists()


# --- Tools and the board -------------------------------------------------------------


def test_a_tool_says_who_owns_it_and_how_to_use_it(api, employee):
    tool = AIToolFactory(name="Drafter", acceptable_use="Read every draft.")

    data = api(employee).get(f"/api/v1/tools/{tool.pk}/").json()

    assert data["owner"] == tool.owner.name
    assert data["acceptable_use"] == "Read every draft."
    assert data["rolled_out_to"] == []  # everyone
    assert api(employee).get("/api/v1/tools/999999/").status_code == 404


def test_the_board_hides_what_the_page_hides(api, employee, hr):
    shown = ConcernFactory(title="Shown", anonymous=True, raised_by=None)
    ConcernFactory(title="Hidden", hidden_at=timezone.now(), hidden_reason="Abuse")

    rows = api(employee).get("/api/v1/concerns/").json()["results"]
    every = api(hr).get("/api/v1/concerns/").json()["results"]

    assert [row["title"] for row in rows] == ["Shown"]
    assert rows[0]["raised_by"] is None and rows[0]["owner"] == shown.owner.name
    assert {row["title"] for row in every} == {"Shown", "Hidden"}  # HR moderates
    hidden = Concern.objects.get(title="Hidden")
    assert api(employee).get(f"/api/v1/concerns/{hidden.pk}/").status_code == 404


def test_the_board_filters_and_refuses_nonsense(api, employee):
    ConcernFactory(title="Open one")
    ConcernFactory(title="Done one", status=Status.RESOLVED, outcome="Fixed.")
    client = api(employee)

    rows = client.get("/api/v1/concerns/?status=resolved").json()["results"]
    bad = client.get("/api/v1/concerns/?status=nonsense")

    assert [row["title"] for row in rows] == ["Done one"]
    assert bad.status_code == 400
    assert _attrs(bad) == {"status"}


def test_raising_a_concern_gives_it_an_owner_and_a_due_time(api, employee):
    tool = AIToolFactory()

    response = api(employee).post(
        "/api/v1/concerns/",
        {
            "title": "The copilot invents refund rules",
            "body": "Twice this week.",
            "category": "accuracy",
            "ai_tool": tool.pk,
            "anonymous": True,
        },
        format="json",
    )

    assert response.status_code == 201
    data = response.json()
    assert data["owner"] == tool.owner.name  # the tool's owner answers for it
    assert data["raised_by"] is None and data["anonymous"] is True
    concern = Concern.objects.get(pk=data["id"])
    assert concern.raised_by is None
    assert concern.first_response_due_at > concern.created_at


def test_a_bad_concern_is_refused_with_reasons_and_nothing_saved(api, employee):
    response = api(employee).post(
        "/api/v1/concerns/",
        {"title": "   ", "body": "", "category": "nonsense"},
        format="json",
    )

    assert response.status_code == 400
    assert _attrs(response) >= {"body", "category"}
    assert not Concern.objects.exists()


def test_too_many_concerns_in_a_short_time_are_refused(api, employee, hr):
    client = api(employee)

    def post(n: int):
        concern = {"title": f"Worry {n}", "body": "And again.", "category": "workload"}
        return client.post("/api/v1/concerns/", concern, format="json")

    for n in range(POST_LIMIT):
        assert post(n).status_code == 201

    response = post(POST_LIMIT)

    assert response.status_code == 429
    assert Concern.objects.count() == POST_LIMIT


def test_a_concern_shows_its_official_responses(api, employee, hr):
    from feedback.services.thread import comment_post

    concern = ConcernFactory(owner=hr)
    comment_post(concern=concern, by=hr, body="We are on it.", official=True)

    data = api(employee).get(f"/api/v1/concerns/{concern.pk}/").json()

    assert [r["body"] for r in data["official_responses"]] == ["We are on it."]
    assert data["official_responses"][0]["author"] == hr.name


# --- The dashboards' numbers ---------------------------------------------------------


def test_a_dashboard_gives_each_charts_numbers_as_its_csv(api, hr, signed_in):
    survey, questions = pulse_survey(min_group_size=3)
    for week in (WEEK_1, WEEK_2):
        respond(closed_round(survey, week), TeamFactory(), questions, count=4)
    respond(closed_round(survey, WEEK_2.replace(day=16)), None, questions, count=2)

    data = api(hr).get("/api/v1/dashboards/sentiment/").json()

    charts = {chart["name"]: chart for chart in data["charts"]}
    assert list(charts) == [
        "sentiment",
        "participation",
        "team_participation",
        "drivers",
        "comments",
    ]
    table = csv_of(signed_in(hr), "/dashboards/?csv=sentiment")
    assert charts["sentiment"]["columns"] == table[0]
    assert [[cell(v) for v in row] for row in charts["sentiment"]["rows"]] == table[1:]
    # The week of 2 responses is behind the floor in the API as on the page.
    assert "fewer than 3 responses" in str(charts["sentiment"]["rows"])


def test_a_team_filter_gives_its_whole_cell_and_says_what_else_it_counts(api, hr):
    survey, questions = pulse_survey(min_group_size=3)
    round_ = closed_round(survey, WEEK_1)
    department = DepartmentFactory()
    big = TeamFactory(name="Big", department=department)
    respond(round_, big, questions, count=5)
    respond(
        round_, TeamFactory(name="Small", department=department), questions, count=2
    )

    data = api(hr).get(f"/api/v1/dashboards/sentiment/?team={big.pk}").json()

    sentiment = next(chart for chart in data["charts"] if chart["name"] == "sentiment")
    also = "with Small, merged in to reach the floor"
    assert sentiment["columns"][3] == "Sentiment index (0-100): also counts"
    # Big's 5 and Small's 2, all answering 4 of 5: one cell of 7, index 75.
    assert sentiment["rows"][0][1:4] == [7, 75.0, also]
    drivers = next(chart for chart in data["charts"] if chart["name"] == "drivers")
    assert {row[0] for row in drivers["rows"]} == {"Big + Small"}


def test_an_employee_gets_only_published_org_wide_numbers(api, employee):
    survey, questions = pulse_survey(min_group_size=3)
    round_ = closed_round(survey, WEEK_1)
    respond(round_, TeamFactory(), questions, count=5)
    client = api(employee)

    before = client.get("/api/v1/dashboards/sentiment/?team=1").json()
    Round.objects.filter(pk=round_.pk).update(results_published_at=WEEK_2)
    after = client.get("/api/v1/dashboards/sentiment/").json()

    assert [chart["name"] for chart in before["charts"]] == [
        "sentiment",
        "participation",
    ]
    assert before["charts"][0]["rows"] == []
    assert "team" not in before["filters"] and before["notes"]
    assert after["charts"][0]["rows"][0][0] == WEEK_1.date().isoformat()
    for page in ("customers", "concerns", "tools"):
        assert client.get(f"/api/v1/dashboards/{page}/").status_code == 403


def test_an_unknown_dashboard_is_a_404_that_names_the_others(api, hr):
    response = api(hr).get("/api/v1/dashboards/nope/")

    assert response.status_code == 404
    assert "sentiment" in response.json()["errors"][0]["detail"]


def test_a_tools_owner_reads_its_dashboard(api, employee):
    tool = AIToolFactory(owner=employee)
    survey, questions = tool_survey(tool)
    answer_tool(
        closed_round(survey, WEEK_1),
        TeamFactory(),
        questions,
        hours=[3] * 4,
        verdicts=[C] * 4,
    )
    other = AIToolFactory()

    data = api(employee).get(f"/api/v1/tools/{tool.pk}/dashboard/").json()

    hours = next(chart for chart in data["charts"] if chart["name"] == "tool_hours")
    assert hours["rows"][0][3] == 12.0
    assert data["filters"] == {"tool": tool.pk}
    assert api(employee).get(f"/api/v1/tools/{other.pk}/dashboard/").status_code == 403


# --- Surveys and publishing (HR) -----------------------------------------------------


def test_hr_lists_surveys_and_their_rounds_with_participation(api, hr, employee):
    survey, _ = pulse_survey(min_group_size=3)
    small = RoundFactory(survey=survey, starts_at=WEEK_1)
    full = RoundFactory(survey=survey, starts_at=WEEK_2)
    invite(small)
    for answered in (True, True, False):
        invite(full, answered=answered)
    client = api(hr)

    surveys = client.get("/api/v1/surveys/").json()["results"]
    rounds = client.get(f"/api/v1/surveys/{survey.pk}/rounds/").json()["results"]

    assert [(s["title"], s["status"], s["questions"]) for s in surveys] == [
        (survey.title, "scheduled", 4)
    ]
    assert [r["id"] for r in rounds] == [full.pk, small.pk]  # newest first
    assert rounds[0]["participation"] == {
        "visible": True,
        "sent": 3,
        "answered": 2,
        "rate": 66.7,
    }
    # One invited is below the floor of 3: no count at all.
    assert rounds[1]["participation"] == {
        "visible": False,
        "sent": None,
        "answered": None,
        "rate": None,
    }
    assert api(employee).get("/api/v1/surveys/").status_code == 403


def test_hr_publishes_a_closed_round_and_not_an_open_one(api, hr, leader):
    survey, _ = pulse_survey()
    open_round = RoundFactory(survey=survey, starts_at=WEEK_2)
    closed = RoundFactory(survey=survey, starts_at=WEEK_1, closed_at=WEEK_2)
    client = api(hr)

    refused = client.post(f"/api/v1/rounds/{open_round.pk}/publish/")
    published = client.post(f"/api/v1/rounds/{closed.pk}/publish/")

    assert refused.status_code == 400 and "still open" in str(refused.json())
    assert published.status_code == 200
    assert published.json()["results_published_at"] is not None
    closed.refresh_from_db()
    assert closed.results_published_at is not None
    assert api(leader).post(f"/api/v1/rounds/{closed.pk}/publish/").status_code == 403


# --- Commenting and support ---------------------------------------------------------


def test_anyone_comments_and_only_the_owner_or_hr_answers_officially(api, employee):
    owner = PersonFactory(name="Olga Owner")
    concern = ConcernFactory(owner=owner)
    url = f"/api/v1/concerns/{concern.pk}/comments/"

    plain = api(employee).post(url, {"body": "Same here."}, format="json")
    refused = api(employee).post(
        url, {"body": "Official!", "official": True}, format="json"
    )
    answer = api(owner).post(
        url, {"body": "We are on it.", "official": True}, format="json"
    )

    assert plain.status_code == 201 and plain.json()["official"] is False
    assert refused.status_code == 403
    assert answer.status_code == 201 and answer.json()["author"] == "Olga Owner"
    concern.refresh_from_db()
    assert concern.first_responded_at is not None
    detail = api(employee).get(f"/api/v1/concerns/{concern.pk}/").json()
    assert [r["body"] for r in detail["official_responses"]] == ["We are on it."]


def test_a_bad_comment_says_why_and_posts_nothing(api, employee):
    concern = ConcernFactory()
    other = ConcernFactory()
    elsewhere = Comment.objects.create(
        concern=other, author=employee, body="x", created_at=other.created_at
    )
    url = f"/api/v1/concerns/{concern.pk}/comments/"

    empty = api(employee).post(url, {"body": "   "}, format="json")
    stray = api(employee).post(
        url, {"body": "A reply", "parent": elsewhere.pk}, format="json"
    )

    assert empty.status_code == 400 and _attrs(empty) == {"body"}
    assert stray.status_code == 400 and _attrs(stray) == {"parent"}
    assert not concern.comments.exists()


def test_me_too_is_counted_once_and_can_be_taken_back(api, employee):
    concern = ConcernFactory()
    url = f"/api/v1/concerns/{concern.pk}/support/"
    client = api(employee)

    client.post(url, {"supported": True}, format="json")
    twice = client.post(url, {"supported": True}, format="json").json()
    back = client.post(url, {"supported": False}, format="json").json()

    assert twice == {"supported": True, "support_count": 1}
    assert back == {"supported": False, "support_count": 0}


def test_a_client_reading_too_fast_is_told_to_wait(api, employee, monkeypatch):
    from django.core.cache import cache
    from rest_framework.settings import api_settings

    monkeypatch.setitem(api_settings.DEFAULT_THROTTLE_RATES, "user", "3/minute")
    cache.clear()
    client = api(employee)

    answers = [client.get("/api/v1/tools/").status_code for _ in range(4)]

    assert answers == [200, 200, 200, 429]
    assert int(client.get("/api/v1/tools/")["Retry-After"]) > 0
    # The cache names nobody: keyed hashes, not DRF's throttle_user_<id>.
    keys = [key.split(":", 2)[-1] for key in cache._cache]
    assert keys and all(re.fullmatch(r"ratelimit:\d+:[0-9a-f]{64}", k) for k in keys)
