"""HR's surveys over the API, as an HR system drives them: the templates, a draft
from one, and each move of a survey's life through the pages' own services, for
HR with a read-write token only; a move the state does not allow is a 409 that
changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.test import APIClient

from org.models import AITool
from org.roles import Role
from surveys.library import AI_ROLLOUT_PULSE, CUSTOMER_TRUST
from surveys.models import Question, Survey
from tests.api.tokens import token_for
from tests.org.factories import AIToolFactory, PersonFactory, UserFactory
from tests.surveys.factories import QuestionFactory, RoundFactory, SurveyFactory

pytestmark = pytest.mark.django_db

Status = Survey.Status
# The Wednesday before a pulse's first Monday (2026-03-02): HR prepares it.
WEDNESDAY = dt.datetime(2026, 2, 25, 10, 0, tzinfo=dt.UTC)
FIRST_MONDAY = "2026-03-02"
MOVES = ("activate", "pause", "resume", "archive", "restore")
# What the API says of a survey: its settings and place in its life, no answers.
SURVEY_FIELDS = {
    "id",
    "title",
    "audience",
    "privacy",
    "min_group_size",
    "comment_threshold",
    "cadence",
    "first_date",
    "status",
    "questions",
}


@pytest.fixture(autouse=True)
def now(time_machine):
    time_machine.move_to(WEDNESDAY, tick=False)
    return WEDNESDAY


@pytest.fixture
def api():
    """api(person, scope="write") -> a client sending that person's new token."""

    def client(person, scope: str = "write") -> APIClient:
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {token_for(person.user, scope)}")
        return api

    return client


def url(survey: Survey, name: str) -> str:
    return f"/api/v1/surveys/{survey.pk}/{name}/"


def status_of(survey: Survey) -> str:
    return Survey.objects.values_list("status", flat=True).get(pk=survey.pk)


def refusal(response) -> list[tuple[str, str | None]]:
    assert response.json()["type"] == "client_error"
    return [(e["code"], e["attr"]) for e in response.json()["errors"]]


def draft(**fields) -> Survey:
    fields = {"status": Status.DRAFT, "first_date": dt.date(2026, 3, 2), **fields}
    survey = SurveyFactory(**fields)
    QuestionFactory(survey=survey)
    return survey


# --- Templates ------------------------------------------------------------------------


def test_hr_lists_the_templates_with_their_questions(api, hr):
    response = api(hr).get("/api/v1/survey-templates/")

    assert response.status_code == 200
    templates = {t["key"]: t for t in response.json()["results"]}
    assert set(templates) == {"ai-rollout-pulse", "customer-trust"}
    pulse = templates["ai-rollout-pulse"]
    assert (pulse["title"], pulse["audience"], pulse["cadence"]) == (
        "AI rollout pulse",
        "employees",
        "biweekly",
    )
    assert [q["text"] for q in pulse["questions"]] == [
        q.text for q in AI_ROLLOUT_PULSE.questions
    ]
    assert pulse["per_tool"] is True
    assert templates["customer-trust"]["per_customer_tool"] is True


@pytest.mark.parametrize("role", [Role.EMPLOYEE, Role.LEADER])
def test_only_hr_reads_templates_and_surveys(api, role):
    someone = PersonFactory(roles={role})
    survey = draft()

    for path in ("/api/v1/survey-templates/", f"/api/v1/surveys/{survey.pk}/"):
        assert api(someone).get(path).status_code == 403
        assert APIClient().get(path).status_code == 401


# --- A draft from a template ----------------------------------------------------------


def test_hr_creates_a_draft_from_a_template_with_a_question_per_live_tool(api, hr):
    AIToolFactory(name="Copilot", status=AITool.Status.LIVE, owner=hr)
    AIToolFactory(name="Pilot bot", status=AITool.Status.PILOT)

    response = api(hr).post(
        "/api/v1/surveys/",
        {"template": "ai-rollout-pulse", "first_date": FIRST_MONDAY},
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == SURVEY_FIELDS
    survey = Survey.objects.get(pk=body["id"])
    # The template's questions and, for the one live tool, hours saved and accuracy.
    asked = len(AI_ROLLOUT_PULSE.questions) + 2
    assert (body["title"], body["status"], body["questions"]) == (
        "AI rollout pulse",
        "draft",
        asked,
    )
    assert (survey.status, survey.first_date, survey.created_by) == (
        Status.DRAFT,
        dt.date(2026, 3, 2),
        hr,
    )
    assert survey.questions.filter(ai_tool__name="Copilot").count() == 2


def test_untitled_copies_of_a_template_each_get_a_title_of_their_own(api, hr):
    client = api(hr)
    body = {"template": "customer-trust", "first_date": FIRST_MONDAY}

    titles = [
        client.post("/api/v1/surveys/", body, format="json").json()["title"]
        for _ in range(2)
    ]
    given = client.post(
        "/api/v1/surveys/", {**body, "title": None}, format="json"
    ).json()["title"]

    assert titles + [given] == [
        "Customer trust",
        "Customer trust (copy)",
        "Customer trust (copy 2)",
    ]
    assert Survey.objects.filter(audience="customers").count() == 3
    assert Question.objects.count() == 3 * len(CUSTOMER_TRUST.questions)


def test_a_taken_title_is_a_409_and_creates_nothing(api, hr):
    SurveyFactory(title="Spring pulse")
    archived = SurveyFactory(title="Autumn pulse", status=Status.ARCHIVED)
    client = api(hr)
    body = {"template": "ai-rollout-pulse", "first_date": FIRST_MONDAY}

    taken = client.post(
        "/api/v1/surveys/", {**body, "title": "  spring PULSE "}, format="json"
    )
    reused = client.post(
        "/api/v1/surveys/", {**body, "title": archived.title}, format="json"
    )

    assert taken.status_code == 409
    assert refusal(taken) == [("unique", "title")]
    assert taken.json()["errors"][0]["detail"].startswith(
        "Another survey is already called “spring PULSE”"
    )
    # An archived survey's title is free again.
    assert reused.status_code == 201
    assert sorted(Survey.objects.values_list("title", flat=True)) == [
        "Autumn pulse",
        "Autumn pulse",
        "Spring pulse",
    ]


@pytest.mark.parametrize(
    ("body", "attr"),
    [
        ({"template": "no-such", "first_date": FIRST_MONDAY}, "template"),
        ({"template": "customer-trust"}, "first_date"),
        ({"template": "customer-trust", "first_date": "2026-02-30"}, "first_date"),
        ({"template": "customer-trust", "first_date": FIRST_MONDAY, "title": " "},
         "title"),
        ({"template": "customer-trust", "first_date": FIRST_MONDAY, "title": 7},
         "title"),
    ],
)  # fmt: skip
def test_a_bad_draft_is_a_400_naming_the_field_and_creates_nothing(api, hr, body, attr):
    response = api(hr).post("/api/v1/surveys/", body, format="json")

    assert response.status_code == 400
    assert [e["attr"] for e in response.json()["errors"]] == [attr]
    assert not Survey.objects.exists()


def test_a_read_only_token_creates_nothing(api, hr):
    response = api(hr, scope="read").post(
        "/api/v1/surveys/",
        {"template": "customer-trust", "first_date": FIRST_MONDAY},
        format="json",
    )

    assert response.status_code == 403
    assert "read-only" in response.json()["errors"][0]["detail"]
    assert not Survey.objects.exists()


def test_the_admin_account_creates_a_draft_without_a_person(api):
    staff = UserFactory(is_staff=True, is_superuser=True)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(staff)}")

    response = client.post(
        "/api/v1/surveys/",
        {"template": "customer-trust", "first_date": FIRST_MONDAY},
        format="json",
    )

    assert response.status_code == 201
    assert Survey.objects.get().created_by is None


# --- Reading one ----------------------------------------------------------------------


def test_hr_reads_one_survey_and_an_unknown_one_is_a_404(api, hr):
    survey = draft(title="Pulse")

    found = api(hr).get(f"/api/v1/surveys/{survey.pk}/")
    missing = api(hr).get(f"/api/v1/surveys/{survey.pk + 1000}/")

    assert found.status_code == 200
    assert found.json() == {
        "id": survey.pk,
        "title": "Pulse",
        "audience": "employees",
        "privacy": "anonymous",
        "min_group_size": 5,
        "comment_threshold": 10,
        "cadence": "weekly",
        "first_date": FIRST_MONDAY,
        "status": "draft",
        "questions": 1,
    }
    assert missing.status_code == 404


# --- Its life -------------------------------------------------------------------------


def test_a_draft_made_over_the_api_goes_through_its_whole_life(api, hr):
    client = api(hr)
    made = client.post(
        "/api/v1/surveys/",
        {"template": "customer-trust", "first_date": FIRST_MONDAY},
        format="json",
    ).json()
    survey = Survey.objects.get(pk=made["id"])

    seen = []
    for name in ("activate", "pause", "resume", "pause", "archive", "restore"):
        response = client.post(url(survey, name))
        assert response.status_code == 200, (name, response.content)
        assert set(response.json()) == SURVEY_FIELDS
        seen.append(response.json()["status"])

    assert seen == ["scheduled", "paused", "scheduled", "paused", "archived", "paused"]
    assert status_of(survey) == Status.PAUSED


@pytest.mark.parametrize(
    ("start", "name", "why"),
    [
        (Status.DRAFT, "pause", "This survey cannot be paused: it is a draft"),
        (Status.DRAFT, "resume", "This survey cannot be resumed: it is a draft"),
        (Status.DRAFT, "restore", "This survey cannot be restored: it is a draft"),
        (Status.SCHEDULED, "activate", "cannot be activated: it is already sched"),
        (Status.SCHEDULED, "resume", "cannot be resumed: it is already scheduled"),
        (Status.PAUSED, "activate", "cannot be activated: it is paused; resume it"),
        (Status.PAUSED, "pause", "cannot be paused: it is already paused"),
        (Status.ARCHIVED, "activate", "it is archived; restore it first"),
        (Status.ARCHIVED, "pause", "it is archived; restore it first"),
        (Status.ARCHIVED, "resume", "it is archived; restore it first"),
        (Status.ARCHIVED, "archive", "cannot be archived: it is already archived"),
    ],
)
def test_a_move_the_state_does_not_allow_is_a_409_that_changes_nothing(
    api, hr, start, name, why
):
    survey = draft()
    Survey.objects.filter(pk=survey.pk).update(status=start)
    before = Survey.objects.filter(pk=survey.pk).values().get()

    response = api(hr).post(url(survey, name))

    assert response.status_code == 409
    assert refusal(response) == [("conflict", None)]
    assert why in response.json()["errors"][0]["detail"]
    assert Survey.objects.filter(pk=survey.pk).values().get() == before


def test_activating_checks_what_the_activate_page_checks(api, hr):
    empty = SurveyFactory(status=Status.DRAFT, first_date=dt.date(2026, 3, 2))
    late = draft(first_date=dt.date(2026, 2, 23))

    no_question = api(hr).post(url(empty, "activate"))
    past = api(hr).post(url(late, "activate"))

    assert no_question.status_code == past.status_code == 409
    assert "Add at least one question" in no_question.json()["errors"][0]["detail"]
    assert (
        "The first date, 23 Feb 2026, is in the past"
        in (past.json()["errors"][0]["detail"])
    )
    assert status_of(empty) == status_of(late) == Status.DRAFT


def test_a_survey_with_a_round_open_is_not_archived_until_it_closes(api, hr, now):
    survey = draft()
    Survey.objects.filter(pk=survey.pk).update(status=Status.PAUSED)
    RoundFactory(survey=survey, starts_at=now - dt.timedelta(days=1))

    response = api(hr).post(url(survey, "archive"))

    assert response.status_code == 409
    assert "pause the survey now" in response.json()["errors"][0]["detail"]
    assert status_of(survey) == Status.PAUSED


def test_a_survey_is_not_restored_over_one_that_took_its_title(api, hr):
    old = SurveyFactory(title="Pulse", status=Status.ARCHIVED)
    SurveyFactory(title="PULSE", status=Status.DRAFT)

    response = api(hr).post(url(old, "restore"))

    assert response.status_code == 409
    assert refusal(response) == [("unique", None)]
    assert "Rename the other survey" in response.json()["errors"][0]["detail"]
    assert status_of(old) == Status.ARCHIVED


def test_pausing_leaves_the_open_round_and_its_participation_as_they_were(api, hr, now):
    survey = draft()
    Survey.objects.filter(pk=survey.pk).update(status=Status.SCHEDULED)
    open_round = RoundFactory(survey=survey, starts_at=now - dt.timedelta(days=1))

    paused = api(hr).post(url(survey, "pause"))
    rounds = api(hr).get(f"/api/v1/surveys/{survey.pk}/rounds/").json()["results"]

    assert paused.status_code == 200
    assert [r["id"] for r in rounds] == [open_round.pk]
    # Nobody invited yet: below the floor, so no count at all.
    assert rounds[0]["participation"] == {
        "visible": False,
        "sent": None,
        "answered": None,
        "rate": None,
    }
    open_round.refresh_from_db()
    assert open_round.closed_at is None


# --- Who may --------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.EMPLOYEE, Role.LEADER])
@pytest.mark.parametrize("name", MOVES)
def test_no_one_but_hr_moves_a_survey(api, role, name):
    someone = PersonFactory(roles={role})
    survey = draft()

    for client in (api(someone), APIClient()):
        response = client.post(url(survey, name))
        assert response.status_code in (401, 403)
    assert status_of(survey) == Status.DRAFT


@pytest.mark.parametrize("name", MOVES)
def test_a_read_only_hr_token_moves_nothing(api, hr, name):
    survey = draft()

    response = api(hr, scope="read").post(url(survey, name))

    assert response.status_code == 403
    assert status_of(survey) == Status.DRAFT


@pytest.mark.parametrize("name", MOVES)
def test_a_move_is_a_post_and_an_unknown_survey_a_404(api, hr, name):
    survey = draft()

    assert api(hr).get(url(survey, name)).status_code == 405
    assert api(hr).post(f"/api/v1/surveys/{survey.pk + 1000}/{name}/").status_code == (
        404
    )
    assert status_of(survey) == Status.DRAFT


def test_the_schema_documents_each_move_and_its_409(client):
    paths = client.get("/api/schema/?format=json").json()["paths"]

    for name in MOVES:
        post = paths[f"/api/v1/surveys/{{id}}/{name}/"]["post"]
        assert {"200", "401", "403", "404", "409"} <= set(post["responses"])
        assert "requestBody" not in post
    create = paths["/api/v1/surveys/"]["post"]
    assert {"201", "400", "403", "409"} <= set(create["responses"])
    assert "get" in paths["/api/v1/survey-templates/"]
    assert "get" in paths["/api/v1/surveys/{id}/"]
