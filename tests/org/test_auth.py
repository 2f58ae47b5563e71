"""Signing in with an email address, signing out, and choosing a new password."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.urls import reverse

from org.services.people import NewPerson, people_create, person_set_active

pytestmark = pytest.mark.django_db

PASSWORD = "a-good-password-1"  # what PersonFactory gives every account
NEW_PASSWORD = "correct-horse-battery-9"
RESET_LINK = re.compile(r"https?://testserver(/accounts/reset/[\w-]+/[\w-]+/)")


@pytest.fixture(autouse=True)
def site_at_testserver(settings):
    """Reset links point at the site's one address (core/links.py): here the test
    client's."""
    settings.CANDOR_BASE_URL = "http://testserver"


def sign_in(client, email: str, password: str):
    return client.post(reverse("login"), {"username": email, "password": password})


def signed_in_user_id(client) -> str | None:
    return client.session.get(SESSION_KEY)


def ask_for_a_reset(client, email: str):
    return client.post(reverse("password_reset"), {"email": email})


def test_a_person_signs_in_with_their_email_and_password(client, employee):
    response = sign_in(client, employee.email, PASSWORD)

    assert response.status_code == 302
    assert response.url == reverse("home")
    assert client.get(reverse("home")).status_code == 200
    assert signed_in_user_id(client) == str(employee.user.pk)


def test_signing_in_returns_to_the_page_that_asked_for_it(client, employee):
    asked = client.get(reverse("org:aitool_list"))

    response = client.post(
        f"{reverse('login')}?next={reverse('org:aitool_list')}",
        {
            "username": employee.email,
            "password": PASSWORD,
            "next": reverse("org:aitool_list"),
        },
    )

    assert asked.url == f"{reverse('login')}?next={reverse('org:aitool_list')}"
    assert response.url == reverse("org:aitool_list")
    assert signed_in_user_id(client) == str(employee.user.pk)


def test_a_person_signs_in_whatever_the_case_of_their_email(client, employee):
    sign_in(client, employee.email.upper(), PASSWORD)

    assert signed_in_user_id(client) == str(employee.user.pk)


def test_a_wrong_password_shows_an_error_and_stays_signed_out(client, employee):
    response = sign_in(client, employee.email, "not-the-password")

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert "correct email address and password" in response.content.decode()
    assert signed_in_user_id(client) is None
    assert client.get(reverse("home")).status_code == 302


def test_a_deactivated_person_cannot_sign_in(client, employee):
    person_set_active(person=employee, is_active=False)

    response = sign_in(client, employee.email, PASSWORD)

    assert response.status_code == 200
    assert signed_in_user_id(client) is None


def test_signing_out_by_post_ends_the_session(client, employee):
    sign_in(client, employee.email, PASSWORD)

    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert response.url == reverse("login")
    assert signed_in_user_id(client) is None
    assert client.get(reverse("home")).status_code == 302


def test_signing_out_by_get_is_refused_so_a_link_cannot_sign_someone_out(
    client, employee
):
    sign_in(client, employee.email, PASSWORD)

    response = client.get(reverse("logout"))

    assert response.status_code == 405
    assert signed_in_user_id(client) == str(employee.user.pk)


def test_a_password_reset_mails_one_link_to_the_account(client, employee):
    response = ask_for_a_reset(client, employee.email)

    assert response.status_code == 302
    assert response.url == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [employee.email]
    assert message.subject == "Choose your Candor password"
    assert RESET_LINK.search(message.body)


def test_the_mailed_link_sets_a_new_password_that_then_signs_in(client, employee):
    ask_for_a_reset(client, employee.email)
    link = RESET_LINK.search(mail.outbox[0].body).group(1)

    form_page = client.get(link, follow=True)
    saved = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert form_page.context["validlink"] is True
    assert saved.status_code == 302
    assert saved.url == reverse("password_reset_complete")
    assert signed_in_user_id(client) is None  # it does not sign anyone in by itself
    assert sign_in(client, employee.email, PASSWORD).status_code == 200  # old: no
    assert sign_in(client, employee.email, NEW_PASSWORD).status_code == 302
    assert signed_in_user_id(client) == str(employee.user.pk)
    employee.user.refresh_from_db()
    assert employee.user.check_password(NEW_PASSWORD)


def test_a_used_reset_link_no_longer_works(client, employee):
    ask_for_a_reset(client, employee.email)
    link = RESET_LINK.search(mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    again = client.get(link, follow=True)

    assert again.context["validlink"] is False
    assert "This link no longer works" in again.content.decode()
    employee.user.refresh_from_db()
    assert employee.user.check_password(NEW_PASSWORD)


def test_an_unknown_address_sends_nothing_but_looks_the_same(client, employee):
    known = ask_for_a_reset(client, employee.email)
    mail.outbox.clear()

    unknown = ask_for_a_reset(client, "nobody@example.org")
    page = client.get(unknown.url)

    assert (unknown.status_code, unknown.url) == (known.status_code, known.url)
    assert "Check your email" in page.content.decode()
    assert mail.outbox == []


def test_a_deactivated_person_gets_no_reset_link(client, employee):
    person_set_active(person=employee, is_active=False)

    response = ask_for_a_reset(client, employee.email)

    assert response.url == reverse("password_reset_done")
    assert mail.outbox == []


def test_a_person_created_without_a_password_chooses_one_by_reset(client):
    [person] = people_create(
        people=[NewPerson(email="new.starter@example.org", name="New Starter")]
    )

    ask_for_a_reset(client, person.email)

    assert len(mail.outbox) == 1


def test_a_reset_link_ignores_the_host_the_request_named(client, employee, settings):
    settings.ALLOWED_HOSTS = ["testserver", "other.example"]

    client.post(
        reverse("password_reset"), {"email": employee.email}, HTTP_HOST="other.example"
    )

    assert "http://testserver/accounts/reset/" in mail.outbox[0].body
    assert "other.example" not in mail.outbox[0].body
