"""Every endpoint of the live schema, called by schemathesis with an HR token: a
bounded number of generated requests each (valid and invalid), every check on (no
5xx, each response as the schema says: status, body, headers, content type)."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from config.wsgi import application
from tests.api.tokens import token_for
from tests.feedback.factories import ConcernFactory
from tests.org.factories import AIToolFactory

pytestmark = pytest.mark.django_db

EXAMPLES = 20
NAMES_ANOTHER_OBJECT = {
    ("POST", "/api/v1/tokens/"),
    ("POST", "/api/v1/concerns/"),
    ("POST", "/api/v1/concerns/{id}/comments/"),
    ("POST", "/api/v1/teams/"),
    ("POST", "/api/v1/tools/"),
}
# A well-formed person, customer or department whose email or name an earlier
# example already took is refused with a 400; so is a person whose manager
# (`manager_email`) is no one in Candor, or who names a manager without a team.
TAKES_A_FREE_NAME = {
    ("POST", "/api/v1/people/"),
    ("POST", "/api/v1/people/sync/"),
    ("POST", "/api/v1/customers/"),
    ("POST", "/api/v1/departments/"),
}


@pytest.fixture
def hr_token(hr, connections_kept_open):
    tool = AIToolFactory()
    ConcernFactory(ai_tool=tool)
    ConcernFactory(ai_tool=None)
    cache.clear()
    return token_for(hr.user)


@pytest.fixture
def connections_kept_open():
    """The WSGI handler closes the database connection after each request, which
    would close the test's own (as Django's test client, stop it doing so)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


# Loaded when the module is collected (the schema needs no database); the lazy
# `schemathesis.pytest.from_fixture` does not run under pytest 9.
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_every_endpoint_answers_as_its_schema_says(case, hr_token):
    cache.clear()  # the read limit would otherwise turn later calls into 429s
    excluded = []
    if (case.method, case.path) in NAMES_ANOTHER_OBJECT:
        # A well-formed body naming an account, tool, department, team or person
        # that does not exist is refused with a 400 saying which; schemathesis
        # cannot know the ids.
        excluded.append(positive_data_acceptance)
    if (case.method, case.path) in TAKES_A_FREE_NAME:
        # Which names and emails are free, and who exists to be a manager,
        # depends on the rows already there; schemathesis cannot know them.
        excluded.append(positive_data_acceptance)
    case.call_and_validate(
        headers={"Authorization": f"Token {hr_token}"}, excluded_checks=excluded
    )
