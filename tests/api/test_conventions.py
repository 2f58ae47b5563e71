"""The API's conventions: the documented filter names work, bad values and pages
are 400s in the one error shape, and the schema, index and docs are there."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.feedback.factories import ConcernFactory
from tests.org.factories import AIToolFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_of():
    def make(person) -> APIClient:
        client = APIClient()
        client.force_authenticate(person.user)
        return client

    return make


def _titles(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["title"] for row in response.json()["results"]]


def test_search_and_ai_tool_filter_the_board(client_of, employee):
    tool = AIToolFactory()
    ConcernFactory(title="Copilot leaks drafts", ai_tool=tool)
    ConcernFactory(title="Workload")
    client = client_of(employee)

    assert _titles(client.get("/api/v1/concerns/?search=leaks")) == [
        "Copilot leaks drafts"
    ]
    assert _titles(client.get("/api/v1/concerns/?search=zebra")) == []
    assert _titles(client.get(f"/api/v1/concerns/?ai_tool={tool.pk}")) == [
        "Copilot leaks drafts"
    ]


def test_ai_tool_is_its_id_or_null(client_of, employee):
    tool = AIToolFactory()
    ConcernFactory(title="With", ai_tool=tool)
    ConcernFactory(title="Without", ai_tool=None)

    rows = client_of(employee).get("/api/v1/concerns/").json()["results"]

    assert {row["title"]: row["ai_tool"] for row in rows} == {
        "With": tool.pk,
        "Without": None,
    }


@pytest.mark.parametrize(
    "query",
    [
        "sort=oldest",
        "status=nonsense",
        "ai_tool=0",
        "mine=yes",
        "audience=",
        "ai_tool=x",
        "page=",
        "page=0",
    ],
)
def test_a_bad_parameter_is_a_400_naming_it(client_of, employee, query):
    ConcernFactory()

    response = client_of(employee).get(f"/api/v1/concerns/?{query}")

    assert response.status_code == 400
    body = response.json()
    assert body["type"] == "validation_error"
    assert [error["attr"] for error in body["errors"]] == [query.split("=")[0]]


@pytest.mark.parametrize("sort", ["newest", "support", "unanswered", "overdue", "due"])
def test_every_documented_sort_is_accepted(client_of, employee, sort):
    ConcernFactory()

    assert client_of(employee).get(f"/api/v1/concerns/?sort={sort}").status_code == 200


def test_a_page_past_the_end_is_a_404_in_the_same_shape(client_of, employee):
    response = client_of(employee).get("/api/v1/concerns/?page=9")

    assert response.status_code == 404
    assert response.json()["type"] == "client_error"


def test_the_schema_gives_enums_nullables_and_every_status(client):
    schema = client.get("/api/schema/?format=json").json()
    board = schema["paths"]["/api/v1/concerns/"]
    parameters = {p["name"]: p["schema"] for p in board["get"]["parameters"]}

    assert set(parameters["sort"]["enum"]) == {
        "newest",
        "support",
        "unanswered",
        "overdue",
        "due",
    }
    assert "resolved" in parameters["status"]["enum"]
    assert parameters["ai_tool"]["type"] == "integer"
    assert parameters["page"]["minimum"] == 1
    assert {"200", "400", "401", "404", "429"} <= set(board["get"]["responses"])
    assert {"201", "400", "401", "403", "429"} <= set(board["post"]["responses"])
    concern = schema["components"]["schemas"]["Concern"]["properties"]["ai_tool"]
    assert concern["type"] == "integer" and concern["nullable"] is True


def test_the_index_points_to_the_schema_and_docs(client):
    index = client.get("/api/v1/").json()

    assert index["schema"].endswith("/api/schema/")
    assert index["docs"].endswith("/api/docs/")
    assert index["endpoints"]["concerns"].endswith("/api/v1/concerns/")


def test_the_docs_are_served_from_our_own_files(client):
    page = client.get("/api/docs/")
    html = page.content.decode()

    assert page.status_code == 200
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in html
    assert "/static/api/docs.js" in html
    assert "<script>" not in html and "//cdn" not in html and "https://" not in html
    assert "script-src 'self'" in page["Content-Security-Policy"]
