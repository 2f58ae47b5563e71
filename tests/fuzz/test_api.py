"""Every API endpoint, every method, with hostile JSON bodies and query strings, as
HR with a token: never a server error, and a refusal writes nothing."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import event, given
from hypothesis import strategies as st
from rest_framework.test import APIClient

from api.tokens import api_token_create
from feedback.models import Category
from org.models import Customer, Department, Team
from surveys.library import TEMPLATES
from tests.api.tokens import token_for
from tests.fuzz import strategies as s
from tests.fuzz.conftest import fuzz
from tests.fuzz.urls import ROUTES
from tests.fuzz.world import example, snapshot

# What a 201 from each endpoint that creates has written: so many rows, or as
# many as its answer says (a survey's questions depend on its template and tools).
CREATES = {
    "api:concerns": {"feedback_concern": 1, "feedback_statuschange": 1},
    "api:concern_comments": {"feedback_comment": 1},
    "api:people": {"org_user": 1, "org_person": 1},
    "api:teams": {"org_team": 1},
    "api:departments": {"org_department": 1},
    "api:customers": {"org_customer": 1},
    "api:tools": {"org_aitool": 1},
    "api:surveys": {
        "surveys_survey": 1,
        "surveys_question": lambda answer: answer["questions"],
    },
}
METHODS = ["get", "post", "put", "patch", "delete", "options"]


def _bodies(w) -> dict[str, dict]:
    """The fields each endpoint that writes reads from its body."""
    return {
        "api:concerns": {
            "title": s.nice_text,
            "body": s.nice_text,
            "category": s.choice(Category.values),
            "ai_tool": st.sampled_from([w.tool.pk, w.retired_tool.pk, 0, 2**63]),
            "anonymous": st.booleans(),
        },
        "api:concern_comments": {
            "body": s.nice_text,
            "official": st.booleans(),
            "parent": st.sampled_from([w.comment.pk, w.concern.pk, 0, -1, 2**40]),
        },
        "api:concern_support": {"supported": st.booleans()},
        "api:people": {"email": s.nice_text, "name": s.nice_text},
        "api:person": {"name": s.nice_text, "active": st.booleans()},
        "api:teams": {"name": s.nice_text, "department": st.integers()},
        "api:departments": {"name": s.nice_text},
        "api:customers": {"name": s.nice_text, "email": s.nice_text},
        "api:tools": {"name": s.nice_text, "status": s.choice(["pilot", "live"])},
        "api:surveys": {
            "template": s.choice([*TEMPLATES, "no-such"]),
            "first_date": s.soon,
            "title": s.nice_text,
        },
    }


def _token_pk(w) -> int:
    """An employee's API token, for the token endpoints' paths."""
    user = w.employee.user
    token = user.api_tokens.first()
    return (
        token.pk
        if token
        else api_token_create(
            owner=user, name="Fuzzed", scope="read", now=timezone.now()
        ).token.pk
    )


def _paths(w) -> dict[str, list[str]]:
    """Each endpoint's paths: its real object, another kind's id, and no row."""
    nonsense = ["0", "999999", str(2**31), str(2**63), str(10**30)]

    def each(name: str, real: int) -> list[str]:
        return [reverse(name, args=[pk]) for pk in [str(real), *nonsense]]

    pages = ["sentiment", "customers", "concerns", "tools", "x", "\u00e9", "..", "%00"]
    return {
        "api:tools": [reverse("api:tools")],
        "api:tool": each("api:tool", w.tool.pk),
        "api:tool_dashboard": each("api:tool_dashboard", w.tool.pk),
        "api:concerns": [reverse("api:concerns")],
        "api:concern": each("api:concern", w.concern.pk),
        "api:concern_comments": each("api:concern_comments", w.concern.pk),
        "api:concern_support": each("api:concern_support", w.concern.pk),
        "api:dashboard": [f"/api/v1/dashboards/{page}/" for page in pages],
        "api:survey_templates": [reverse("api:survey_templates")],
        "api:surveys": [reverse("api:surveys")],
        "api:survey": each("api:survey", w.survey.pk),
        # Each move on a survey in the state it starts from, and on no survey.
        "api:survey_activate": each("api:survey_activate", w.draft.pk),
        "api:survey_pause": each("api:survey_pause", w.survey.pk),
        "api:survey_resume": each("api:survey_resume", w.paused.pk),
        "api:survey_archive": each("api:survey_archive", w.paused.pk),
        "api:survey_restore": each("api:survey_restore", w.archived.pk),
        "api:rounds": each("api:rounds", w.survey.pk),
        "api:round_publish": each("api:round_publish", w.closed_round.pk),
        "api_schema": [reverse("api_schema")],
        "api_index": [reverse("api_index")],
        "api_docs": [reverse("api_docs")],
        "api_pages:tokens": [reverse("api_pages:tokens")],
        "api_pages:token_revoke": each("api_pages:token_revoke", _token_pk(w)),
        "api:tokens": [reverse("api:tokens")],
        "api:token": each("api:token", _token_pk(w)),
        "api:token_revoke": each("api:token_revoke", _token_pk(w)),
        # HR's side of the organisation (api/people.py).
        "api:people": [reverse("api:people")],
        "api:person": each("api:person", w.hr.pk),
        "api:person_deactivate": each("api:person_deactivate", w.hr.pk),
        "api:people_sync": [reverse("api:people_sync")],
        "api:people_sync_status": each("api:people_sync_status", 1),
        "api:teams": [reverse("api:teams")],
        "api:team": each("api:team", Team.objects.first().pk),
        "api:departments": [reverse("api:departments")],
        "api:department": each("api:department", Department.objects.first().pk),
        "api:customers": [reverse("api:customers")],
        "api:customer": each("api:customer", Customer.objects.first().pk),
        "api:customer_retire": each("api:customer_retire", Customer.objects.first().pk),
        "api:tool_retire": each("api:tool_retire", w.tool.pk),
    }


API = sorted(name for _, name in ROUTES if name.startswith("api"))


def test_every_endpoint_is_listed(world):
    assert set(_paths(world)) == set(API)


@pytest.mark.parametrize("name", API)
def test_an_endpoint_never_fails_and_never_half_writes(world, name):
    token = token_for(world.hr.user)
    fields = _bodies(world).get(name, {})

    @fuzz
    @given(
        path=st.sampled_from(_paths(world)[name]),
        method=st.sampled_from(METHODS),
        body=s.json_body(fields),
        query=s.query(world.ids),
        raw=st.booleans(),
    )
    def run(path, method, body, query, raw):
        with example():
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
            before = snapshot()
            url = path + ("?" + _encode(query) if query else "")
            # Not JSON at all, or JSON: on every method, as a script might send it.
            content = s_bytes(body) if raw else json.dumps(body).encode()
            response = client.generic(
                method.upper(), url, content, content_type="application/json"
            )
            event(f"answered {response.status_code}")  # --hypothesis-show-statistics
            assert response.status_code < 500, (method, url, response.status_code)
            if response.status_code >= 400 or method in ("get", "options"):
                assert snapshot() == before, (method, url, response.status_code)
            elif response.status_code == 201:  # a whole write: the row and its history
                after = snapshot()[0]
                for table, rows in CREATES[name].items():
                    written = rows(response.json()) if callable(rows) else rows
                    assert after[table] - before[0][table] == written, table

    run()


def s_bytes(body: object) -> bytes:
    """A body that is not quite JSON: truncated, or with a NUL."""
    text = json.dumps(body)
    return (text[: max(1, len(text) // 2)] + "\x00").encode()


def _encode(pairs: list[tuple[str, str]]) -> str:
    from urllib.parse import urlencode

    return urlencode(pairs)
