"""Error pages: each in the site's layout with a way back, none with a stack trace,
and a refusal (403) logged as one WARNING line without a traceback."""

from __future__ import annotations

import logging

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse

from core import errors

pytestmark = pytest.mark.django_db

LAYOUT = 'class="navbar-brand"'  # base.html's bar
WAY_BACK = 'data-testid="way-back"'


def assert_error_page(html: str, *, signed_in: bool = False) -> None:
    assert LAYOUT in html and 'data-testid="error-page"' in html
    assert WAY_BACK in html
    assert f'href="{reverse("home")}"' in html
    if not signed_in:
        assert f'href="{reverse("login")}"' in html
    assert "Traceback" not in html and "secret detail" not in html


def test_an_unknown_address_is_a_404_in_the_layout(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "We cannot find that page" in response.content.decode()
    assert_error_page(response.content.decode())


def test_a_bad_host_is_a_400_in_the_layout(client):
    response = client.get("/", HTTP_HOST="evil.example")

    assert response.status_code == 400
    assert_error_page(response.content.decode())


def test_a_refusal_is_a_403_with_a_way_home_and_no_traceback_in_the_log(
    signed_in, employee, caplog
):
    client = signed_in(employee)

    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get(reverse("surveys:survey_list"))

    html = response.content.decode()
    assert response.status_code == 403
    assert "This page is not open to you" in html
    assert_error_page(html, signed_in=True)
    assert "Back to your home page" in html
    records = [r for r in caplog.records if r.name == "django.request"]
    assert [(r.levelname, r.getMessage()) for r in records] == [
        ("WARNING", "Forbidden (Permission denied): /surveys/")
    ]
    assert records[0].exc_info is None and "Traceback" not in caplog.text


def test_too_many_bad_links_is_a_429_in_the_layout(client):
    for n in range(20):
        client.get(reverse("feedback:customer_board", args=[f"guess-{n}"]))

    response = client.get(reverse("feedback:customer_board", args=["guess-last"]))

    assert response.status_code == 429
    assert "Too many links that did not work" in response.content.decode()
    assert_error_page(response.content.decode())


def test_the_410_page_others_extend_has_the_layout_and_a_way_back():
    request = RequestFactory().get("/gone/")
    request.user = AnonymousUser()

    html = render_to_string("410.html", request=request)

    assert "This is no longer available" in html
    assert_error_page(html)


def test_a_fault_is_a_500_in_the_layout_without_its_details(settings, caplog):
    settings.ROOT_URLCONF = "tests.config.fault_urls"
    client = Client(raise_request_exception=False)

    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get("/fault/")

    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()
    assert_error_page(response.content.decode())
    # The log keeps the traceback: a fault is for the people who run the site.
    assert caplog.records[-1].exc_info is not None


def test_the_500_page_renders_without_a_request_context(rf):
    # No context processor runs: not the navigation, the session or the user.
    response = errors.server_error(rf.get("/anywhere/"))

    assert response.status_code == 500
    assert_error_page(response.content.decode())
