"""Welcome emails: whoever is added (import, People page, admin) is sent one email,
once, with a link that lets them choose a password; handed to workers, never sent
inside the request, and found again by the scheduler when the broker lost it."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
import time_machine
from django.contrib.auth import authenticate
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.http import HttpRequest
from django.urls import reverse

from config.scheduler import queued_models, tick_all
from core.delivery import SendState
from org.models import PeopleSync, Person, User, Welcome
from org.scheduler import org_tick
from org.services.people import NewPerson, people_create, person_set_active
from org.services.welcome import welcome_send
from org.tasks import queue_welcomes, run_people_sync, send_welcome
from tests.org.factories import PersonFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

NOON = dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.UTC)
SITE = "https://candor.example.com"
PASSWORD = "a-very-good-passphrase-42"
LINK = re.compile(re.escape(SITE) + r"(/accounts/reset/\S+/)")


@pytest.fixture(autouse=True)
def _site(settings):
    settings.CANDOR_BASE_URL = SITE
    settings.CANDOR_ORG_NAME = "Acme Logistics"


@pytest.fixture
def broker(monkeypatch):
    """The two tasks' `delay`, recorded instead of published: what went to the
    broker, as (task name, argument)."""
    sent: list[tuple[str, object]] = []
    monkeypatch.setattr(queue_welcomes, "delay", lambda ids: sent.append(("q", ids)))
    monkeypatch.setattr(send_welcome, "delay", lambda pk: sent.append(("send", pk)))
    return sent


@pytest.fixture
def workers(monkeypatch):
    """A worker that runs each task as soon as it is published (after commit)."""
    monkeypatch.setattr(
        queue_welcomes, "delay", lambda ids: queue_welcomes.apply(args=[ids])
    )
    monkeypatch.setattr(send_welcome, "delay", lambda pk: send_welcome.apply(args=[pk]))


def csv_file(*rows: str) -> bytes:
    return ("email,name,active\n" + "".join(f"{row}\n" for row in rows)).encode()


def upload(client, data: bytes, *, welcome: bool = True):
    fields = {"file": SimpleUploadedFile("people.csv", data, content_type="text/csv")}
    if welcome:
        fields["welcome"] = "on"
    return client.post(reverse("org:people_import"), fields)


def link_in(message) -> str:
    """The set-password link's path, after checking it uses the site's address."""
    found = LINK.findall(message.body)
    assert len(found) == 1, message.body
    return found[0]


SET, REFUSED = "password set", "link no longer works"


def choose_password(client, path: str) -> str:
    """Follow a set-password link as its reader would and choose a password: SET,
    or REFUSED when the page says the link no longer works."""
    form = client.get(path, follow=True)
    assert form.status_code == 200
    if "This link no longer works" in form.content.decode():
        return REFUSED
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": PASSWORD, "new_password2": PASSWORD},
        follow=True,
    )
    assert done.status_code == 200
    assert done.redirect_chain[-1][0] == reverse("password_reset_complete")
    return SET


def can_sign_in(email: str) -> bool:
    user = authenticate(HttpRequest(), username=email, password=PASSWORD)
    return user is not None


# --- Created three ways, one email each ------------------------------------------


def test_people_imported_on_the_page_get_one_email_each_and_can_set_a_password(
    signed_in, hr, workers, mailoutbox, client, django_capture_on_commit_callbacks
):
    browser = signed_in(hr)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(browser, csv_file("ana@example.org,Ana,", "ben@x.org,Ben,"))

    assert response.status_code == 302
    assert sorted(m.to[0] for m in mailoutbox) == ["ana@example.org", "ben@x.org"]
    ana = next(m for m in mailoutbox if m.to == ["ana@example.org"])
    assert ana.subject == "Welcome to Candor at Acme Logistics"
    assert "Hello Ana," in ana.body and "Acme Logistics uses Candor" in ana.body
    assert "anonymous surveys are kept apart from your name" in ana.body
    assert "it works once, for 3 days" in ana.body
    browser.logout()
    assert choose_password(client, link_in(ana)) == SET
    assert can_sign_in("ana@example.org")
    assert not can_sign_in("ben@x.org")
    assert Welcome.objects.filter(send_state=SendState.ACCEPTED).count() == 2


def test_the_link_lasts_as_long_as_the_email_says(
    settings, workers, mailoutbox, client, django_capture_on_commit_callbacks
):
    settings.PASSWORD_RESET_TIMEOUT = 2 * 3600
    with time_machine.travel(NOON, tick=False) as clock:
        with django_capture_on_commit_callbacks(execute=True):
            people_create(people=[NewPerson(email="ana@example.org", name="Ana")])
        assert "it works once, for 2 hours" in mailoutbox[0].body
        clock.shift(dt.timedelta(hours=2, minutes=1))

        assert choose_password(client, link_in(mailoutbox[0])) == REFUSED
    assert not can_sign_in("ana@example.org")


def test_people_imported_by_the_command_are_welcomed_by_the_scheduler_tick(
    tmp_path, broker, mailoutbox, client
):
    path = tmp_path / "people.csv"
    path.write_bytes(csv_file("ana@example.org,Ana,", "ben@example.org,Ben,"))

    call_command("import_people", str(path), stdout=io.StringIO())
    # The test's transaction never commits, so nothing reached the broker: as if it
    # were down. `manage.py scheduler_tick` sends what waits.
    assert mailoutbox == []
    reports = tick_all(now=NOON, inline=True)

    assert "org: 2 welcomed" in reports
    assert sorted(m.to[0] for m in mailoutbox) == ["ana@example.org", "ben@example.org"]
    assert choose_password(client, link_in(mailoutbox[0])) == SET


def test_a_person_added_in_the_admin_is_welcomed_once(
    client, workers, mailoutbox, django_capture_on_commit_callbacks
):
    admin = User.objects.create_superuser("root@example.org", "pw-for-the-admin-1")
    account = UserFactory(email="cleo@example.org", password=None)
    client.force_login(admin)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:org_person_add"),
            {
                "user": account.pk,
                "name": "Cleo",
                "team": TeamFactory().pk,
                "job_title": "Analyst",
            },
        )
    assert response.status_code == 302
    person = Person.objects.get(user=account)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:org_person_change", args=[person.pk]),
            {"user": account.pk, "name": "Cleo B", "team": "", "job_title": ""},
        )

    assert [m.to for m in mailoutbox] == [["cleo@example.org"]]
    assert Welcome.objects.filter(person=person).count() == 1
    client.logout()
    assert choose_password(client, link_in(mailoutbox[0])) == SET
    assert can_sign_in("cleo@example.org")


# --- Once, and never to the inactive -----------------------------------------------


def test_a_welcome_is_sent_once_however_often_the_task_and_the_tick_run(
    broker, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        [ana] = people_create(people=[NewPerson(email="ana@example.org", name="Ana")])
    [(kind, ids)] = broker
    assert kind == "q"
    welcome = Welcome.objects.get(person=ana)
    assert ids == [welcome.pk]

    with django_capture_on_commit_callbacks(execute=True):
        queue_welcomes.apply(args=[ids])
        queue_welcomes.apply(args=[ids])  # a re-delivered message
    assert broker[1:] == [("send", welcome.pk)]
    send_welcome.apply(args=[welcome.pk])
    send_welcome.apply(args=[welcome.pk])
    tick_all(now=NOON, inline=True)
    call_command("scheduler_tick", stdout=io.StringIO())

    assert [m.to for m in mailoutbox] == [["ana@example.org"]]
    welcome.refresh_from_db()
    assert welcome.send_state == SendState.ACCEPTED and welcome.queued_at is None


def test_the_dispatcher_queues_each_waiting_welcome_once_until_its_mark_is_stale(
    django_capture_on_commit_callbacks,
):
    people = people_create(
        people=[NewPerson(email=f"p{n}@example.org", name=f"P{n}") for n in range(3)]
    )
    queued: list[tuple[int, int]] = []

    with django_capture_on_commit_callbacks(execute=True):
        assert org_tick(now=NOON, enqueue=queued.extend).queued == 3
    with django_capture_on_commit_callbacks(execute=True):
        org_tick(now=NOON + dt.timedelta(minutes=1), enqueue=queued.extend)
    assert len(queued) == 3
    with django_capture_on_commit_callbacks(execute=True):
        org_tick(now=NOON + dt.timedelta(minutes=20), enqueue=queued.extend)

    assert len(queued) == 6  # the broker lost them? queued again, still sent once
    assert {pk for pk, _ in queued} == set(
        Welcome.objects.filter(person__in=people).values_list("pk", flat=True)
    )
    assert Welcome in queued_models()  # a lost broker queue voids its marks too


def test_nobody_inactive_is_welcomed(
    signed_in, hr, workers, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        upload(signed_in(hr), csv_file("ana@example.org,Ana,no", "ben@x.org,Ben,yes"))
    assert [m.to for m in mailoutbox] == [["ben@x.org"]]
    assert not Welcome.objects.filter(person__user__email="ana@example.org").exists()


def test_someone_deactivated_before_their_welcome_went_is_not_sent_it(
    broker, mailoutbox
):
    [ana] = people_create(people=[NewPerson(email="ana@example.org", name="Ana")])
    person_set_active(person=ana, is_active=False)

    tick_all(now=NOON, inline=True)
    welcome_send(Welcome.objects.get(person=ana).pk, now=NOON)

    assert mailoutbox == []
    welcome = Welcome.objects.get(person=ana)
    assert (welcome.send_state, welcome.cancelled_at) == ("", NOON)


def test_a_quiet_import_sends_nothing(
    signed_in, hr, workers, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        upload(signed_in(hr), csv_file("ana@example.org,Ana,"), welcome=False)
    tick_all(now=NOON, inline=True)

    assert mailoutbox == []
    assert Person.objects.filter(user__email="ana@example.org").exists()
    assert not Welcome.objects.exists()


def test_the_import_form_ticks_welcome_emails_by_default(signed_in, hr):
    page = signed_in(hr).get(reverse("org:person_list")).content.decode()
    assert re.search(r'<input[^>]*name="welcome"[^>]*checked', page)


# --- Many at once: queued, not sent in the request ----------------------------------


def test_an_import_of_thousands_hands_them_to_workers_in_a_few_messages(
    signed_in, hr, broker, mailoutbox, django_capture_on_commit_callbacks, monkeypatch
):
    rows = [f"p{n}@bulk.example,Person {n}," for n in range(2500)]
    # More than 2,000 people: a worker runs the import, here as soon as it is queued.
    monkeypatch.setattr(
        run_people_sync, "delay", lambda pk: run_people_sync.apply(args=[pk])
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = upload(signed_in(hr), csv_file(*rows))

    assert response.status_code == 302
    assert PeopleSync.objects.get().state == "done"
    assert mailoutbox == []
    assert [len(ids) for kind, ids in broker] == [1000, 1000, 500]
    assert {kind for kind, _ in broker} == {"q"}
    assert Welcome.objects.filter(sent_at=None, queued_at=None).count() == 2500


def test_when_the_broker_is_down_the_request_still_succeeds_and_the_tick_sends(
    signed_in, hr, monkeypatch, mailoutbox, django_capture_on_commit_callbacks
):
    def down(ids):
        raise ConnectionRefusedError("broker down")

    monkeypatch.setattr(queue_welcomes, "delay", down)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(signed_in(hr), csv_file("ana@example.org,Ana,"))
    assert response.status_code == 302
    assert mailoutbox == []

    tick_all(now=NOON, inline=True)
    assert [m.to for m in mailoutbox] == [["ana@example.org"]]


# --- Sending again from the People page ---------------------------------------------


def test_hr_sends_a_welcome_again_with_a_new_link_and_either_link_works_once(
    signed_in, hr, workers, mailoutbox, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        [ana] = people_create(people=[NewPerson(email="ana@example.org", name="Ana")])
    browser = signed_in(hr)
    with time_machine.travel(dt.datetime.now(tz=dt.UTC) + dt.timedelta(seconds=2)):
        with django_capture_on_commit_callbacks(execute=True):
            response = browser.post(reverse("org:person_welcome", args=[ana.pk]))

    assert response.status_code == 302
    assert [m.to for m in mailoutbox] == [["ana@example.org"]] * 2
    first, second = (link_in(m) for m in mailoutbox)
    assert first != second
    asked_by = Welcome.objects.filter(person=ana).order_by("pk")
    assert list(asked_by.values_list("requested_by", flat=True)) == [None, hr.pk]
    browser.logout()
    assert choose_password(client, first) == SET
    client.logout()
    assert choose_password(client, second) == REFUSED  # a password was chosen
    assert can_sign_in("ana@example.org")


def test_a_welcome_cannot_be_sent_again_to_someone_inactive(signed_in, hr, broker):
    person = PersonFactory()
    person_set_active(person=person, is_active=False)

    response = signed_in(hr).post(
        reverse("org:person_welcome", args=[person.pk]), follow=True
    )

    assert "is inactive: reactivate them first" in response.content.decode()
    assert not Welcome.objects.exists()


def test_sending_again_while_one_waits_writes_no_second_welcome(signed_in, hr, broker):
    [ana] = people_create(people=[NewPerson(email="ana@example.org", name="Ana")])
    browser = signed_in(hr)

    browser.post(reverse("org:person_welcome", args=[ana.pk]))
    browser.post(reverse("org:person_welcome", args=[ana.pk]))

    assert Welcome.objects.filter(person=ana).count() == 1


def test_the_people_page_says_where_each_welcome_stands(
    signed_in, hr, workers, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        [ana] = people_create(people=[NewPerson(email="ana@example.org", name="Ana")])
    [ben] = people_create(people=[NewPerson(email="ben@example.org", name="Ben")])
    cleo = PersonFactory(name="Cleo")

    page = signed_in(hr).get(reverse("org:person_list")).content.decode()

    def cell(person):
        return re.search(rf'data-testid="welcome-{person.pk}">([^<]*)', page)[1]

    assert cell(ana).startswith("sent ")
    assert cell(ben).strip() == "on its way"
    assert cell(cleo).strip() == "not sent"


def test_only_hr_may_send_a_welcome_again(signed_in, leader, employee, broker):
    person = PersonFactory()
    for who in (leader, employee):
        response = signed_in(who).post(reverse("org:person_welcome", args=[person.pk]))
        assert response.status_code == 403
    assert not Welcome.objects.exists()
