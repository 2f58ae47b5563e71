"""The read replica: the dashboards' reads (pages, CSVs, the API's numbers) go to
`replica`; writes never do, nor the other pages' reads; with no replica set,
everything stays on `default`.

The test settings point `replica` at the test database itself (a mirror, as
Django's test runner makes one), so each query is seen on the alias it was sent
to. Transactional tests: the mirror is another connection, which sees only what
was committed.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.sessions.models import Session
from django.db import connections
from django.test.utils import CaptureQueriesContext

from core.replica import ReplicaRouter, replica_reads
from feedback.models import Concern
from org.models import Department
from tests.dashboards.helpers import closed_round, responses_in
from tests.org.factories import AIToolFactory, DepartmentFactory
from tests.surveys.factories import QuestionFactory, SurveyFactory

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])

WRITES = ("INSERT", "UPDATE", "DELETE")


@pytest.fixture
def replica(settings):
    settings.DATABASE_READ_REPLICA = "replica"
    # A mirror: the same database, through a connection of its own.
    assert (
        connections["replica"].settings_dict["NAME"]
        == connections["default"].settings_dict["NAME"]
    )
    return "replica"


@pytest.fixture
def answers():
    survey = SurveyFactory(min_group_size=3)
    QuestionFactory(survey=survey)
    round_ = closed_round(survey, dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC))
    responses_in(round_, 6)
    return survey


class Queries:
    """The SQL sent to each alias inside the block."""

    def __enter__(self) -> Queries:
        self.contexts = {
            alias: CaptureQueriesContext(connections[alias])
            for alias in ("default", "replica")
        }
        for context in self.contexts.values():
            context.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        for context in self.contexts.values():
            context.__exit__(*exc)

    def on(self, alias: str) -> list[str]:
        return [query["sql"] for query in self.contexts[alias].captured_queries]


def _tables(sql: list[str], prefix: str) -> bool:
    return any(f'"{prefix}' in statement for statement in sql)


@pytest.mark.parametrize(
    "url",
    [
        "/dashboards/",
        "/dashboards/?csv=drivers",
        "/dashboards/tools/",
        "/dashboards/comments/",
        "/dashboards/comments/?csv=commenters",
        "/api/v1/dashboards/sentiment/",
        "/api/v1/dashboards/comments/",
    ],
)
def test_the_dashboards_read_their_numbers_from_the_replica(
    url, replica, answers, client, hr
):
    client.force_login(hr.user)

    with Queries() as queries:
        response = client.get(url)

    assert response.status_code == 200
    if "csv=" in url:
        assert response["Content-Type"].startswith("text/csv")
    assert _tables(queries.on("replica"), "surveys_")
    # The primary answers the session and permissions, nothing the page counts.
    assert not _tables(queries.on("default"), "surveys_")
    assert _tables(queries.on("default"), "django_session")
    assert not any(sql.lstrip().startswith(WRITES) for sql in queries.on("replica"))


def test_a_tools_page_reads_its_tool_from_the_replica(replica, client, hr):
    tool = AIToolFactory()
    client.force_login(hr.user)

    with Queries() as queries:
        response = client.get(f"/dashboards/tools/{tool.pk}/")

    assert response.status_code == 200
    assert _tables(queries.on("replica"), "org_aitool")
    assert not _tables(queries.on("default"), "org_aitool")


def test_writes_go_to_the_primary_even_inside_replica_reads(replica):
    with Queries() as queries, replica_reads():
        department = DepartmentFactory(name="Support")
        read_back = Department.objects.get(pk=department.pk)
        loaded_from = read_back._state.db
        read_back.name = "Customer Support"
        read_back.save()

    assert loaded_from == "replica"
    assert not any(sql.lstrip().startswith(WRITES) for sql in queries.on("replica"))
    default_writes = [s for s in queries.on("default") if s.lstrip().startswith(WRITES)]
    assert len(default_writes) == 2  # the INSERT and the UPDATE
    assert Department.objects.using("default").get().name == "Customer Support"


def test_other_pages_read_the_primary_even_with_a_replica(replica, client, employee):
    client.force_login(employee.user)

    with Queries() as queries:
        response = client.get("/board/")

    assert response.status_code == 200
    assert queries.on("replica") == []
    assert _tables(queries.on("default"), "feedback_concern")


def test_without_a_replica_the_dashboards_read_the_primary(answers, client, hr):
    client.force_login(hr.user)

    with Queries() as queries:
        response = client.get("/dashboards/")

    assert response.status_code == 200
    assert queries.on("replica") == []
    assert _tables(queries.on("default"), "surveys_")


def test_the_router_sends_no_migration_and_no_write_to_the_replica(replica):
    router = ReplicaRouter()

    assert router.allow_migrate("replica", "surveys") is False
    assert router.allow_migrate("default", "surveys") is None
    assert router.db_for_write(Concern) == "default"
    assert router.db_for_read(Concern) is None  # outside replica_reads()
    with replica_reads():
        assert router.db_for_read(Concern) == "replica"
        assert router.db_for_read(Session) is None  # a sign-in just made
