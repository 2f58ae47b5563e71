"""A name that must be unique (a department's, a team's in its department, a
customer's email, an AI tool's, a survey's title), taken: 409 with the one error
body, saying which field and why, and nothing saved; also when another request
took it between the check and the save (the database's unique index refuses, and
the check, run again, says why), never a 500."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from org.models import AITool, Customer, Department, Person, Team
from org.roles import Role
from surveys.models import Survey
from tests.api.tokens import token_for
from tests.conftest import at_once
from tests.org.factories import (
    AIToolFactory,
    CustomerFactory,
    DepartmentFactory,
    PersonFactory,
    TeamFactory,
)
from tests.surveys.factories import SurveyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_hr(hr) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(hr.user)}")
    return client


def taken(response) -> list[tuple[str, str]]:
    """(code, attr) of each reason a 409 gives."""
    assert response.status_code == 409, response.content
    assert response.json()["type"] == "client_error"
    return [(e["code"], e["attr"]) for e in response.json()["errors"]]


def rows() -> dict[str, list]:
    return {
        "departments": list(Department.objects.order_by("pk").values_list("name")),
        "teams": list(Team.objects.order_by("pk").values_list("name", "department")),
        "customers": list(Customer.objects.order_by("pk").values_list("email")),
        "tools": list(AITool.objects.order_by("pk").values_list("name")),
        "surveys": list(Survey.objects.order_by("pk").values_list("title", "status")),
    }


# --- Created or renamed to a name that is taken ---------------------------------------


def test_a_department_name_taken_is_a_409_on_create_and_on_rename(as_hr):
    DepartmentFactory(name="Legal")
    sales = DepartmentFactory(name="Sales")
    before = rows()

    created = as_hr.post("/api/v1/departments/", {"name": "Legal"}, format="json")
    renamed = as_hr.patch(
        f"/api/v1/departments/{sales.pk}/", {"name": "Legal"}, format="json"
    )

    assert taken(created) == taken(renamed) == [("unique", "non_field_errors")]
    assert created.json()["errors"][0]["detail"] == (
        "A department with this name already exists (names are compared ignoring case)."
    )
    assert rows() == before


def test_a_department_or_team_name_is_taken_whatever_its_case(as_hr):
    # As the people sync matches them: "sales" would be a second department it
    # cannot tell from "Sales".
    claims = TeamFactory(name="Claims", department=DepartmentFactory(name="Sales"))
    before = rows()

    department = as_hr.post("/api/v1/departments/", {"name": "SALES"}, format="json")
    team = as_hr.post(
        "/api/v1/teams/",
        {"name": "claims", "department": claims.department_id},
        format="json",
    )

    assert taken(department) == [("unique", "non_field_errors")]
    assert taken(team) == [("unique_together", "non_field_errors")]
    assert rows() == before


def test_a_team_name_is_taken_only_within_its_department(as_hr):
    claims = TeamFactory(name="Claims")
    billing = TeamFactory(name="Billing", department=claims.department)
    elsewhere = DepartmentFactory(name="Elsewhere")

    same = as_hr.post(
        "/api/v1/teams/",
        {"name": "Claims", "department": claims.department_id},
        format="json",
    )
    renamed = as_hr.patch(
        f"/api/v1/teams/{billing.pk}/", {"name": "Claims"}, format="json"
    )
    moved_in = as_hr.post(
        "/api/v1/teams/", {"name": "Claims", "department": elsewhere.pk}, format="json"
    )

    assert taken(same) == taken(renamed) == [("unique_together", "non_field_errors")]
    assert "This department already has a team with this name" in str(same.json())
    assert moved_in.status_code == 201
    teams = Team.objects.filter(department__in=[claims.department, elsewhere])
    assert sorted(teams.values_list("name", "department__name")) == [
        ("Billing", claims.department.name),
        ("Claims", claims.department.name),
        ("Claims", "Elsewhere"),
    ]


def test_a_customer_email_taken_whatever_its_case_is_a_409(as_hr):
    CustomerFactory(email="cy@client.example")
    other = CustomerFactory(email="dee@client.example")
    before = rows()

    created = as_hr.post(
        "/api/v1/customers/",
        {"name": "Cy again", "email": " CY@Client.example"},
        format="json",
    )
    changed = as_hr.patch(
        f"/api/v1/customers/{other.pk}/",
        {"email": "cy@client.example"},
        format="json",
    )

    assert taken(created) == taken(changed) == [("unique", "email")]
    assert rows() == before


def test_an_ai_tool_name_taken_whatever_its_case_is_a_409(as_hr):
    AIToolFactory(name="Copilot")
    other = AIToolFactory(name="Drafter")
    before = rows()

    created = as_hr.post("/api/v1/tools/", {"name": "COPILOT"}, format="json")
    renamed = as_hr.patch(
        f"/api/v1/tools/{other.pk}/", {"name": "copilot"}, format="json"
    )

    assert taken(created) == taken(renamed) == [("unique", "non_field_errors")]
    assert created.json()["errors"][0]["detail"] == (
        "An AI tool with this name already exists."
    )
    assert rows() == before


def test_a_persons_email_taken_whatever_its_case_is_a_409(as_hr):
    ana = PersonFactory(user__email="ana@example.org", name="Ana")

    response = as_hr.post(
        "/api/v1/people/", {"email": " ANA@example.org", "name": "Ana B"}, format="json"
    )

    assert taken(response) == [("unique", "email")]
    assert response.json()["errors"][0]["detail"] == (
        f"Already someone's: PATCH person {ana.pk}."
    )
    ana.refresh_from_db()
    assert ana.name == "Ana" and Person.objects.count() == 2  # and HR's own


def test_a_taken_name_beside_another_mistake_is_a_400_listing_both(as_hr):
    AIToolFactory(name="Copilot")

    response = as_hr.post(
        "/api/v1/tools/", {"name": "copilot", "status": "live"}, format="json"
    )

    assert response.status_code == 400
    details = " ".join(e["detail"] for e in response.json()["errors"])
    assert "An AI tool with this name already exists." in details
    assert "accountable owner" in details
    assert AITool.objects.count() == 1


def test_a_free_name_is_still_saved(as_hr):
    legal = DepartmentFactory(name="Legal")

    kept = as_hr.patch(
        f"/api/v1/departments/{legal.pk}/", {"name": "Legal"}, format="json"
    )
    created = as_hr.post("/api/v1/departments/", {"name": "Finance"}, format="json")

    assert (kept.status_code, created.status_code) == (200, 201)
    assert Department.objects.filter(name__in=["Finance", "Legal"]).count() == 2


# --- Taken between the check and the save ---------------------------------------------


def first_check_misses(monkeypatch, model) -> None:
    """The model's first `full_clean` sees nothing, as when another request saves
    the same name just after it: the database's unique index is what refuses."""
    original = model.full_clean
    calls = []

    def full_clean(self, *args, **kwargs):
        calls.append(self)
        if len(calls) > 1:
            original(self, *args, **kwargs)

    monkeypatch.setattr(model, "full_clean", full_clean)


@pytest.mark.parametrize(
    ("model", "path", "body", "reason"),
    [
        (Department, "/api/v1/departments/", {"name": "legal"},
         ("unique", "non_field_errors")),
        (Customer, "/api/v1/customers/", {"name": "C", "email": "cy@client.example"},
         ("unique", "email")),
        (AITool, "/api/v1/tools/", {"name": "copilot"},
         ("unique", "non_field_errors")),
        (Survey, "/api/v1/surveys/",
         {"template": "customer-trust", "first_date": "2030-01-07",
          "title": "spring pulse"},
         ("unique", "title")),
    ],
)  # fmt: skip
def test_a_name_taken_after_the_check_is_still_a_409(
    as_hr, monkeypatch, model, path, body, reason
):
    DepartmentFactory(name="Legal")
    CustomerFactory(email="cy@client.example")
    AIToolFactory(name="Copilot")
    SurveyFactory(title="Spring pulse")
    before = rows()
    first_check_misses(monkeypatch, model)

    response = as_hr.post(path, body, format="json")

    assert taken(response) == [reason]
    assert rows() == before


def test_a_team_name_taken_after_the_check_is_still_a_409(as_hr, monkeypatch):
    claims = TeamFactory(name="Claims")
    first_check_misses(monkeypatch, Team)

    response = as_hr.post(
        "/api/v1/teams/",
        {"name": "Claims", "department": claims.department_id},
        format="json",
    )

    assert taken(response) == [("unique_together", "non_field_errors")]
    assert Team.objects.filter(department=claims.department).count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("path", "body", "count"),
    [
        (
            "/api/v1/departments/",
            {"name": "Legal"},
            lambda: Department.objects.filter(name="Legal").count(),
        ),
        (
            "/api/v1/surveys/",
            {"template": "customer-trust", "first_date": "2030-01-07"},
            lambda: Survey.objects.filter(title="Customer trust").count(),
        ),
        (
            "/api/v1/people/",
            {"email": "ana@example.org", "name": "Ana"},
            lambda: Person.objects.filter(user__email="ana@example.org").count(),
        ),
    ],
)
def test_two_requests_at_once_for_one_name_give_one_201_and_one_409(path, body, count):
    """On PostgreSQL, both pass the check before either saves."""
    keys = [token_for(PersonFactory(roles={Role.HR}).user) for _ in range(2)]
    clients = iter(keys)

    def ask() -> int:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {next(clients)}")
        return client.post(path, body, format="json").status_code

    assert sorted(at_once(ask)) == [201, 409]
    assert count() == 1


# --- The schema -----------------------------------------------------------------------


def test_the_schema_documents_the_409_of_every_write_of_a_unique_name(client):
    paths = client.get("/api/schema/?format=json").json()["paths"]

    for path, method in [
        ("/api/v1/departments/", "post"),
        ("/api/v1/departments/{id}/", "patch"),
        ("/api/v1/teams/", "post"),
        ("/api/v1/teams/{id}/", "patch"),
        ("/api/v1/customers/", "post"),
        ("/api/v1/customers/{id}/", "patch"),
        ("/api/v1/tools/", "post"),
        ("/api/v1/tools/{id}/", "patch"),
        ("/api/v1/surveys/", "post"),
        ("/api/v1/people/", "post"),
    ]:
        conflict = paths[path][method]["responses"]["409"]
        assert conflict["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/ErrorResponse409"
        }, path
        assert "409" not in paths[path].get("get", {}).get("responses", {})
