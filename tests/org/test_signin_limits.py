"""Too many wrong passwords pause one account from one address, with a page that
says until when; an administrator can lift it. Password-reset emails are limited
per client address."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from org.models import User
from tests.org.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a-good-password-1"  # what UserFactory gives every account
HERE, ELSEWHERE = "192.0.2.10", "198.51.100.7"
NINE_UTC = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def ana(db):
    return UserFactory(email="ana@example.org")


def sign_in(client, email: str, password: str, address: str = HERE):
    return client.post(
        reverse("login"),
        {"username": email, "password": password},
        REMOTE_ADDR=address,
    )


def fail(client, email: str, times: int, address: str = HERE):
    return [sign_in(client, email, "wrong-password", address) for _ in range(times)]


def signed_in(client) -> str | None:
    return client.session.get(SESSION_KEY)


@time_machine.travel(NINE_UTC, tick=False)
def test_ten_wrong_passwords_pause_the_account_and_the_right_one_is_refused(
    client, ana, settings
):
    settings.TIME_ZONE = "UTC"
    responses = fail(client, ana.email, 10)

    right = sign_in(client, ana.email, PASSWORD)

    assert [r.status_code for r in responses[:9]] == [200] * 9
    assert responses[9].status_code == 429
    assert right.status_code == 429
    page = right.content.decode()
    assert "Signing in is paused" in page
    assert "10 wrong passwords for <strong>ana@example.org</strong>" in page
    assert "until <strong>10:00</strong> on Tuesday 10 March (UTC)" in page
    assert 'href="/accounts/password_reset/"' in page
    assert "<nav" in page  # the site's own layout, not a bare 403
    assert signed_in(client) is None
    attempt = AccessAttempt.objects.get()
    assert (attempt.username, attempt.ip_address) == ("ana@example.org", HERE)
    assert attempt.failures_since_start == 10


def test_trying_again_while_paused_neither_counts_nor_extends_the_pause(client, ana):
    with time_machine.travel(NINE_UTC, tick=False):
        fail(client, ana.email, 10)
    with time_machine.travel(NINE_UTC + dt.timedelta(minutes=30), tick=False):
        fail(client, ana.email, 5)
    with time_machine.travel(NINE_UTC + dt.timedelta(minutes=61), tick=False):
        response = sign_in(client, ana.email, PASSWORD)
        session_user = signed_in(client)  # the session is dated too

    assert response.status_code == 302
    assert session_user == str(ana.pk)


def test_the_pause_holds_until_its_hour_is_up(client, ana):
    with time_machine.travel(NINE_UTC, tick=False):
        fail(client, ana.email, 10)
    with time_machine.travel(NINE_UTC + dt.timedelta(minutes=59), tick=False):
        early = sign_in(client, ana.email, PASSWORD)

    assert early.status_code == 429
    assert signed_in(client) is None


def test_another_account_from_the_same_address_still_signs_in(client, ana):
    ben = UserFactory(email="ben@example.org")
    fail(client, ana.email, 10)

    response = sign_in(client, ben.email, PASSWORD)

    assert response.status_code == 302
    assert signed_in(client) == str(ben.pk)


def test_the_same_account_from_another_address_still_signs_in(client, ana):
    fail(client, ana.email, 10)

    response = sign_in(client, ana.email, PASSWORD, address=ELSEWHERE)

    assert response.status_code == 302
    assert signed_in(client) == str(ana.pk)


def test_changing_the_case_of_the_address_does_not_get_around_the_pause(client, ana):
    fail(client, "ANA@example.org", 5)
    fail(client, "Ana@Example.org", 5)

    response = sign_in(client, " ana@EXAMPLE.ORG ", PASSWORD)

    assert response.status_code == 429
    assert AccessAttempt.objects.get().username == "ana@example.org"


def test_an_unknown_account_is_paused_alike_so_the_page_tells_nothing(client):
    responses = fail(client, "nobody@example.org", 10)

    assert responses[9].status_code == 429
    assert "Signing in is paused" in responses[9].content.decode()


def test_a_right_password_clears_the_count(client, ana):
    fail(client, ana.email, 9)
    sign_in(client, ana.email, PASSWORD)
    client.post(reverse("logout"))

    responses = fail(client, ana.email, 9)

    assert [r.status_code for r in responses] == [200] * 9
    assert sign_in(client, ana.email, PASSWORD).status_code == 302


def test_many_sign_ins_and_force_logins_never_trip_the_limit(client, ana):
    for _ in range(30):
        assert sign_in(client, ana.email, PASSWORD).status_code == 302
        client.post(reverse("logout"))
        client.force_login(ana)
        client.logout()

    assert AccessAttempt.objects.count() == 0


def test_axes_reset_lifts_the_pause(client, ana):
    fail(client, ana.email, 10)

    call_command("axes_reset", verbosity=0)

    assert sign_in(client, ana.email, PASSWORD).status_code == 302
    assert signed_in(client) == str(ana.pk)
    assert AccessAttempt.objects.count() == 0


def test_an_administrator_lifts_the_pause_in_the_admin(client, ana):
    fail(client, ana.email, 10)
    attempt = AccessAttempt.objects.get()
    admin = User.objects.create_superuser("root@example.org", "root-password-1")
    client.force_login(admin)

    listed = client.get(reverse("admin:axes_accessattempt_changelist"))
    deleted = client.post(
        reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"}
    )
    client.logout()

    assert "ana@example.org" in listed.content.decode()
    assert deleted.status_code == 302
    assert sign_in(client, ana.email, PASSWORD).status_code == 302
    assert AccessAttempt.objects.count() == 0


def test_the_admin_sign_in_is_paused_too(client):
    User.objects.create_superuser("root@example.org", "root-password-1")
    for _ in range(10):
        response = client.post(
            reverse("admin:login"),
            {"username": "root@example.org", "password": "wrong"},
            REMOTE_ADDR=HERE,
        )

    assert response.status_code == 429
    assert "Signing in is paused" in response.content.decode()


# --- password reset -----------------------------------------------------------


def ask_for_a_reset(client, email: str, address: str = HERE):
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=address)


def test_reset_emails_are_limited_per_address_with_a_clear_page(client, ana, settings):
    settings.PASSWORD_RESET_LIMIT = 3
    first = [ask_for_a_reset(client, ana.email) for _ in range(3)]

    refused = ask_for_a_reset(client, ana.email)
    elsewhere = ask_for_a_reset(client, ana.email, address=ELSEWHERE)

    assert [r.status_code for r in first] == [302] * 3
    assert refused.status_code == 429
    assert "Too many password-reset requests" in refused.content.decode()
    assert "at most 3 password-reset emails an hour" in refused.content.decode()
    assert elsewhere.status_code == 302
    assert len(mail.outbox) == 4


def test_the_reset_limit_counts_unknown_addresses_too(client, settings):
    settings.PASSWORD_RESET_LIMIT = 2
    for n in range(2):
        ask_for_a_reset(client, f"nobody{n}@example.org")

    refused = ask_for_a_reset(client, "nobody9@example.org")

    assert refused.status_code == 429
    assert mail.outbox == []


def test_the_reset_limit_lifts_after_an_hour(client, ana, settings):
    settings.PASSWORD_RESET_LIMIT = 1
    with time_machine.travel(NINE_UTC, tick=False):
        ask_for_a_reset(client, ana.email)
        refused = ask_for_a_reset(client, ana.email)
    with time_machine.travel(NINE_UTC + dt.timedelta(hours=1, minutes=1), tick=False):
        later = ask_for_a_reset(client, ana.email)

    assert (refused.status_code, later.status_code) == (429, 302)
    assert len(mail.outbox) == 2


@pytest.mark.parametrize("page", ["login", "admin:login"])
def test_a_username_longer_than_any_address_is_a_wrong_password_not_a_server_error(
    client, page
):
    # Axes keeps the username in 255 characters; PostgreSQL refused a longer one.
    long_name = "x@example.org" * 200

    response = client.post(
        reverse(page), {"username": long_name, "password": "wrong"}, REMOTE_ADDR=HERE
    )

    assert response.status_code == 200
    attempt = AccessAttempt.objects.get()
    assert attempt.username == long_name[:255]
