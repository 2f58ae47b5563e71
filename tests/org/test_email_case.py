"""One account per email address, whatever its case: in the database, the admin,
the import, sign-in and password reset (on SQLite and PostgreSQL alike)."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.db import IntegrityError, transaction
from django.urls import reverse

from org.models import Customer, Person, User
from org.services.people import NewPerson, people_create
from org.services.people_import import PeopleImportError, people_import
from tests.org.factories import CustomerFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a-good-password-1"  # what UserFactory gives every account


@pytest.fixture
def admin_client(client):
    root = User.objects.create_superuser("root@example.org", "root-password-1")
    client.force_login(root)
    return client


def run_import(*lines: str):
    return people_import(lines=io.StringIO("".join(f"{line}\n" for line in lines)))


def add_account(client, email: str):
    return client.post(
        reverse("admin:org_user_add"),
        {"email": email, "password1": PASSWORD, "password2": PASSWORD},
    )


# --- the database ----------------------------------------------------------------


def test_the_database_refuses_a_second_account_differing_only_in_case():
    UserFactory(email="hr@example.com")

    with pytest.raises(IntegrityError), transaction.atomic():
        # Past every form and service: the constraint is the last line.
        User.objects.bulk_create([User(email="HR@Example.com")])

    assert list(User.objects.values_list("email", flat=True)) == ["hr@example.com"]


def test_the_database_refuses_a_customer_differing_only_in_case():
    CustomerFactory(email="buyer@client.example")

    with pytest.raises(IntegrityError), transaction.atomic():
        Customer.objects.bulk_create(
            [Customer(name="Again", email="Buyer@Client.Example")]
        )

    assert Customer.objects.count() == 1


def test_accounts_made_in_code_are_stored_trimmed_and_in_lower_case():
    user = User.objects.create_user("  Casey.Case@Example.COM ", "pw-long-enough-1")
    [person] = people_create(
        people=[NewPerson(email="New.Starter@Example.org", name="New Starter")]
    )

    assert user.email == "casey.case@example.com"
    assert person.user.email == "new.starter@example.org"


# --- the admin -------------------------------------------------------------------


def test_the_admin_stores_a_new_account_in_lower_case(admin_client):
    response = add_account(admin_client, " HR@Example.com ")

    assert response.status_code == 302
    assert User.objects.filter(email="hr@example.com").exists()


def test_the_admin_refuses_an_account_differing_only_in_case(admin_client):
    UserFactory(email="hr@example.com")

    response = add_account(admin_client, "HR@Example.com")

    assert response.status_code == 200
    assert "Another account already has this email address" in str(
        response.context["adminform"].form.errors["email"]
    )
    assert User.objects.with_email("hr@example.com").count() == 1


def test_the_admin_refuses_changing_an_address_to_another_accounts(admin_client):
    UserFactory(email="hr@example.com")
    other = UserFactory(email="leader@example.com")

    response = admin_client.post(
        reverse("admin:org_user_change", args=[other.pk]),
        {
            "email": "Hr@Example.com",
            "is_active": "on",
            "date_joined_0": "2026-01-05",
            "date_joined_1": "09:00:00",
        },
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["email"]
    other.refresh_from_db()
    assert other.email == "leader@example.com"


def test_the_admin_stores_a_changed_address_in_lower_case(admin_client):
    user = UserFactory(email="leader@example.com")

    response = admin_client.post(
        reverse("admin:org_user_change", args=[user.pk]),
        {
            "email": "Lea.Der@Example.com",
            "is_active": "on",
            "date_joined_0": "2026-01-05",
            "date_joined_1": "09:00:00",
        },
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.email == "lea.der@example.com"


def test_the_admin_refuses_a_customer_differing_only_in_case(admin_client):
    CustomerFactory(email="buyer@client.example")

    response = admin_client.post(
        reverse("admin:org_customer_add"),
        {"name": "Bea Buyer", "email": "Buyer@Client.example", "is_active": "on"},
    )

    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert Customer.objects.count() == 1


def test_the_admin_stores_a_customer_address_in_lower_case(admin_client):
    response = admin_client.post(
        reverse("admin:org_customer_add"),
        {"name": "Bea Buyer", "email": "Bea@Client.Example", "is_active": "on"},
    )

    assert response.status_code == 302
    assert Customer.objects.get().email == "bea@client.example"


# --- the import ------------------------------------------------------------------


def test_an_import_updates_an_admin_made_account_whatever_its_case(admin_client):
    add_account(admin_client, "Casey.Case@Example.com")
    casey = User.objects.get(email="casey.case@example.com")
    Person.objects.create(user=casey, name="Casey")

    report = run_import("email,name", "casey.case@example.com,Casey Case")

    assert (report.created, report.updated) == (0, 1)
    assert User.objects.with_email("casey.case@example.com").count() == 1
    assert Person.objects.get(user=casey).name == "Casey Case"


def test_an_import_finds_an_account_stored_with_capitals():
    # Written past every normalising path, as an old row might be.
    person = PersonFactory(user__email="casey@example.com")
    User.objects.filter(pk=person.user.pk).update(email="Casey@Example.com")

    report = run_import(
        "email,name,department,team,manager_email",
        " CASEY@example.com ,Casey Case,Ops,Desk,",
        "dana@example.com,Dana,Ops,Desk,casey@EXAMPLE.com",
    )

    assert (report.created, report.updated) == (1, 1)
    assert User.objects.count() == 2
    person.refresh_from_db()
    assert person.name == "Casey Case"
    assert person.team.manager == person


def test_an_import_stores_new_addresses_trimmed_and_in_lower_case():
    run_import("email,name", "  Ana.Lima@Example.ORG ,Ana")

    assert User.objects.get().email == "ana.lima@example.org"


def test_an_import_naming_one_address_twice_in_two_cases_is_refused():
    with pytest.raises(PeopleImportError) as rejected:
        run_import("email,name", "ana@example.org,Ana", "ANA@example.org,Ana again")

    assert rejected.value.errors == [(3, "ana@example.org is already on line 2")]
    assert User.objects.count() == 0


# --- signing in and choosing a password -------------------------------------------


@pytest.mark.parametrize(
    "typed",
    ["casey.case@example.com", "Casey.Case@Example.com", " CASEY.CASE@EXAMPLE.COM "],
)
def test_a_person_signs_in_whatever_the_case_they_type(client, typed):
    user = UserFactory(email="casey.case@example.com")

    response = client.post(reverse("login"), {"username": typed, "password": PASSWORD})

    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(user.pk)


def test_an_account_made_in_the_admin_with_capitals_signs_in(admin_client, client):
    add_account(admin_client, "HR@Example.com")
    admin_client.logout()

    response = client.post(
        reverse("login"), {"username": "hr@example.com", "password": PASSWORD}
    )

    assert response.status_code == 302


def test_a_reset_asked_in_another_case_mails_the_one_account(client):
    UserFactory(email="casey.case@example.com")

    client.post(reverse("password_reset"), {"email": "Casey.CASE@example.com"})

    assert [message.to for message in mail.outbox] == [["casey.case@example.com"]]


def test_createsuperuser_style_lookups_ignore_case():
    user = UserFactory(email="root@example.org")

    assert User.objects.get_by_natural_key("ROOT@Example.org") == user
    with pytest.raises(User.DoesNotExist):
        User.objects.get_by_natural_key("nobody@example.org")
