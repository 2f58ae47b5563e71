"""No log line carries a link's secret (config/logs.py): Django's warnings about a
404 or 410 name the path with its token redacted, and every route whose path holds
a token is covered."""

from __future__ import annotations

import logging
import re

import pytest
from django.urls import URLResolver, get_resolver, reverse

from config.logs import REDACTED, redact_secrets
from feedback.customer_links import customer_token
from surveys.scheduler import survey_tick
from tests.org.factories import CustomerFactory
from tests.surveys.helpers import MONDAY_9, at, weekly_pulse

LINK = re.compile(r"http://testserver(/s/([\w-]+)/)")
# Route parameters that are credentials; any other name is not redacted.
SECRET_PARAMETERS = {"token", "uidb64"}
SECRET = "Sup3r-s3cret_t0ken"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Not Found: /s/AbC_12-x/", "Not Found: /s/[redacted]/"),
        ("GET /s/abc/?page=2 HTTP/1.1", "GET /s/[redacted]/?page=2 HTTP/1.1"),
        (
            "https://candor.example/c/MQ:1v:x/12/",
            "https://candor.example/c/[redacted]/12/",
        ),
        (
            '"GET /unsubscribe/t0k/ HTTP/1.1" 200',
            '"GET /unsubscribe/[redacted]/ HTTP/1.1" 200',
        ),
        ("/accounts/reset/MQ/c3k-9f/", "/accounts/reset/[redacted]/[redacted]/"),
        (
            "/accounts/reset/MQ/set-password/",
            "/accounts/reset/[redacted]/set-password/",
        ),
        ("GET /s/thanks/ HTTP/1.1", "GET /s/thanks/ HTTP/1.1"),
        ("GET /dashboards/s/x/ HTTP/1.1", "GET /dashboards/s/x/ HTTP/1.1"),
        # A person's own answer page names their invitation.
        ("POST /me/surveys/4127/ HTTP/1.1", "POST /me/surveys/[redacted]/ HTTP/1.1"),
    ],
)
def test_secret_segments_are_redacted_and_nothing_else(line, expected):
    assert redact_secrets(line) == expected


def _routes(resolver: URLResolver, prefix: str = "") -> list[tuple[str, set[str]]]:
    """Every route as (its full route, the names of its parameters)."""
    routes = []
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            routes += _routes(entry, route)
        else:
            routes.append((route, set(re.findall(r"<(?:\w+:)?(\w+)>", route))))
    return routes


def _sample(match: re.Match[str]) -> str:
    return SECRET if match[1] in SECRET_PARAMETERS else "7"


def test_every_route_with_a_token_in_its_path_is_redacted():
    secret_routes = [
        route for route, names in _routes(get_resolver()) if names & SECRET_PARAMETERS
    ]
    # The answer link, the customer's board and concern, unsubscribe, reset.
    assert len(secret_routes) >= 5

    for route in secret_routes:
        path = "/" + re.sub(r"<(?:\w+:)?(\w+)>", _sample, route)
        assert SECRET not in redact_secrets(f"Not Found: {path}"), route
        assert SECRET not in redact_secrets(f'"GET {path} HTTP/1.1"'), route


@pytest.mark.django_db
def test_a_404_on_an_unknown_survey_or_customer_link_is_logged_without_it(
    client, caplog
):
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert client.get("/s/guessed-Tok3n/").status_code == 404
        assert client.get("/c/MQ:guessed:Tok3n/").status_code == 404

    lines = [r.getMessage() for r in caplog.records if r.name == "django.request"]
    assert lines == ["Not Found: /s/[redacted]/", "Not Found: /c/[redacted]/"]
    assert "Tok3n" not in caplog.text


@pytest.mark.django_db
def test_a_410_on_a_closed_rounds_link_is_logged_without_it(
    client, caplog, settings, time_machine, mailoutbox
):
    settings.CANDOR_BASE_URL = "http://testserver"
    weekly_pulse(people=1)
    survey_tick(now=MONDAY_9)
    path, token = LINK.search(mailoutbox[0].body).groups()
    time_machine.move_to(at(9, 10), tick=False)  # the next Monday: closed

    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert client.get(path).status_code == 410

    assert [r.getMessage() for r in caplog.records if r.name == "django.request"] == [
        f"Gone: /s/{REDACTED}/"
    ]
    assert token not in caplog.text


@pytest.mark.django_db
def test_a_customer_link_that_works_is_not_logged_by_django(client, caplog):
    customer = CustomerFactory()
    url = reverse("feedback:customer_board", args=[customer_token(customer)])

    with caplog.at_level(logging.INFO):
        client.post(url, {"title": "", "body": "", "category": ""})  # 400

    assert customer_token(customer) not in caplog.text
    assert f"/c/{REDACTED}/" in caplog.text
