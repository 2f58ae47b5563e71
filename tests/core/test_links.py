"""One address for every link, whichever process writes it (core/links.py): a
command run from a shell writes the same links as the site, and they work."""

from __future__ import annotations

import io
import re
from urllib.parse import urlsplit

import pytest
from django.contrib.sites.models import Site
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command

from core.links import site_root
from tests.org.factories import CustomerFactory
from tests.surveys.helpers import MONDAY_9, weekly_pulse

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://\S+/s/[\w-]+/")


@pytest.fixture(autouse=True)
def fresh_site_cache():
    # The current site is cached per process; a test's rollback does not clear it.
    Site.objects.clear_cache()
    yield
    Site.objects.clear_cache()


def _follow(client, link: str):
    """Open an absolute link with the test client, on the host it names."""
    parts = urlsplit(link)
    return client.get(
        parts.path, HTTP_HOST=parts.netloc, secure=parts.scheme == "https"
    )


def test_scheduler_tick_links_use_candor_base_url_and_open_the_survey(
    client, settings, mailoutbox, time_machine
):
    settings.CANDOR_BASE_URL = "https://candor.example.org:8443"
    settings.ALLOWED_HOSTS = ["candor.example.org"]
    weekly_pulse(people=1)
    time_machine.move_to(MONDAY_9, tick=False)

    call_command("scheduler_tick", "--now", MONDAY_9.isoformat(), stdout=io.StringIO())

    link = LINK.search(mailoutbox[0].body).group(0)
    assert link.startswith("https://candor.example.org:8443/s/")
    page = _follow(client, link)
    assert page.status_code == 200
    assert page.context["survey"].title in page.content.decode()


def test_without_candor_base_url_links_use_the_site_address_set_once(
    client, settings, mailoutbox, time_machine
):
    settings.CANDOR_BASE_URL = ""
    settings.ALLOWED_HOSTS = ["127.0.0.1"]
    out = io.StringIO()
    call_command("site_address", "127.0.0.1:9123", stdout=out)
    weekly_pulse(people=1)
    time_machine.move_to(MONDAY_9, tick=False)

    call_command("scheduler_tick", "--now", MONDAY_9.isoformat(), stdout=io.StringIO())

    assert out.getvalue() == "Links point at http://127.0.0.1:9123/\n"
    link = LINK.search(mailoutbox[0].body).group(0)
    assert link.startswith("http://127.0.0.1:9123/s/")
    assert _follow(client, link).status_code == 200
    assert Site.objects.get().domain == "127.0.0.1:9123"


def test_customer_links_follow_the_same_address(client, settings, mailoutbox):
    settings.CANDOR_BASE_URL = ""
    settings.HTTPS = True
    settings.ALLOWED_HOSTS = ["candor.example.org"]
    call_command("site_address", "candor.example.org", stdout=io.StringIO())
    customer = CustomerFactory()

    call_command("customer_links", "--email", stdout=io.StringIO())

    link = re.search(r"https://candor\.example\.org/c/\S+", mailoutbox[0].body)
    assert mailoutbox[0].to == [customer.email]
    assert _follow(client, link.group(0)).status_code == 200


def test_an_unset_site_falls_back_to_the_first_allowed_host(settings):
    settings.CANDOR_BASE_URL = ""
    settings.HTTPS = False

    settings.ALLOWED_HOSTS = ["*", ".example.org", "localhost"]
    assert site_root() == "http://localhost:8000"  # runserver's port
    settings.ALLOWED_HOSTS = ["candor.example.org"]
    assert site_root() == "http://candor.example.org"
    settings.ALLOWED_HOSTS = ["*"]
    with pytest.raises(ImproperlyConfigured, match="CANDOR_BASE_URL"):
        site_root()


@pytest.mark.parametrize("address", ["not a host", "example.org/path", "a:b:c"])
def test_site_address_refuses_what_is_not_a_host(address):
    with pytest.raises(CommandError, match="is not a host"):
        call_command("site_address", address, stdout=io.StringIO())

    assert Site.objects.get().domain == "example.com"
