"""Every page and endpoint read with hostile query strings and path values: never
a server error (a bad parameter is a 4xx, or ignored with a message)."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest
from django.test import Client
from hypothesis import event, given
from hypothesis import strategies as st

from tests.api.tokens import token_for
from tests.fuzz import strategies as s
from tests.fuzz.conftest import fuzz
from tests.fuzz.urls import ROUTES
from tests.fuzz.world import client_for, example

NONSENSE_IDS = ["0", "999999", str(2**31), str(2**63), str(10**30)]
NONSENSE_TOKENS = ["x", "not-a-real-token", "a" * 500, "..", "%00", "é", "0" * 64]


def _real(world, route: str, name: str) -> dict[str, list[str]]:
    """The real values a route's path takes, by parameter."""
    objects = {
        "round_publish": world.closed_round.pk,
        "questions/": world.questions[0].pk,
        "comments/<int:pk>": world.comment.pk,
        "flags/": world.flag.pk,
        "me/surveys/": world.named_invitation.pk,
        "surveys/": world.survey.pk,
        "tools/": world.tool.pk,
        "people/": world.employee.pk,
    }
    pk = next(
        (pk for key, pk in objects.items() if key in route or name.endswith(key)),
        world.concern.pk,
    )
    tokens = {
        "surveys:answer": [
            world.named_token,
            world.anonymous_token,
            world.leaver_token,
        ],
        "feedback:customer_board": [world.customer_token, world.retired_customer_token],
        "feedback:customer_concern": [
            world.customer_token,
            world.retired_customer_token,
        ],
        "feedback:unsubscribe": [world.unsubscribe_token],
        "api:dashboard": ["sentiment", "customers", "concerns", "tools"],
    }
    return {
        "pk": [str(pk), *map(str, world.ids)],
        "token": tokens.get(name, []),
        "page": tokens.get(name, []),
        "uidb64": ["MQ", "Mg", "!!"],
    }


def _paths(world, route: str, name: str) -> list[str]:
    real = _real(world, route, name)
    choices: list[list[str]] = [[]]

    def fill(match: re.Match) -> str:
        kind, param = match.group(1), match.group(2)
        values = real.get(param) or ["set-password"]
        nonsense = NONSENSE_IDS if kind == "int" else NONSENSE_TOKENS
        choices[0] = [*values, *nonsense]
        return "{}"

    template = "/" + re.sub(r"<(?:(\w+):)?(\w+)>", fill, route)
    if "{}" not in template:
        return [template]
    # One parameter at a time is enough: the routes with two take a token first.
    if template.count("{}") == 2:
        return [
            template.format(t, pk)
            for t in real["token"] or ["x"]
            for pk in [str(world.concern.pk), *NONSENSE_IDS]
        ]
    return [template.format(value) for value in choices[0]]


@pytest.mark.parametrize(("route", "name"), ROUTES, ids=[name for _, name in ROUTES])
def test_a_page_never_fails_on_its_query_string(world, route, name):
    paths = _paths(world, route, name)
    tokens = {role: token_for(world.person(role).user) for role in ("hr", "leader")}

    @fuzz
    @given(
        path=st.sampled_from(paths),
        query=s.query(world.ids),
        role=st.sampled_from(["hr", "leader", "employee", "tool_owner", None]),
    )
    def run(path, query, role):
        with example():
            if name.startswith("api:") and role in tokens:
                client = Client(HTTP_AUTHORIZATION=f"Token {tokens[role]}")
            else:
                client = client_for(world.person(role) if role else None)
            url = path + ("?" + urlencode(query) if query else "")
            response = client.get(url)
            event(f"answered {response.status_code}")  # --hypothesis-show-statistics
            assert response.status_code < 500, (url, role, response.status_code)

    run()
