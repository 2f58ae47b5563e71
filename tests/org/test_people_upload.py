"""The People page's CSV upload of a large file: checked for what is cheap at once,
stored with its run, run by a worker, and followed on the run's own page (its
progress, then its counts, its bad lines or the 40% guard) without a script."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from org.models import PeopleSync, Person, User, Welcome
from org.services import people_sync as people_sync_module
from org.services import people_uploads
from org.tasks import run_people_sync
from tests.org.factories import PersonFactory, UserFactory

pytestmark = pytest.mark.django_db

INLINE = 10  # files of more people than this go to a worker in these tests


@pytest.fixture
def to_worker(monkeypatch):
    """Large means more than INLINE people; the tasks handed to the broker."""
    monkeypatch.setattr(people_uploads, "INLINE_ROWS", INLINE)
    queued: list[int] = []
    monkeypatch.setattr(run_people_sync, "delay", queued.append)
    return queued


def csv_bytes(*lines: str) -> bytes:
    return "".join(f"{line}\n" for line in lines).encode()


def people_rows(count: int, *, start: int = 0) -> list[str]:
    return [
        f"member{n}@import.example,Member {n},Support,Tier {n % 3}"
        for n in range(start, start + count)
    ]


def upload(client, data: bytes, name: str = "people.csv", **fields):
    return client.post(
        reverse("org:people_import"),
        {"file": SimpleUploadedFile(name, data, content_type="text/csv"), **fields},
    )


def imported() -> int:
    return Person.objects.filter(user__email__endswith="@import.example").count()


def test_a_large_file_is_stored_with_its_run_and_handed_to_a_worker(
    hr, signed_in, to_worker, django_capture_on_commit_callbacks
):
    client = signed_in(hr)
    data = csv_bytes("email,name,department,team", *people_rows(25))

    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, data, "staff.csv", welcome="on")

    sync = PeopleSync.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("org:people_sync", args=[sync.pk])
    assert to_worker == [sync.pk]  # once the request's transaction committed
    assert (sync.state, sync.format, sync.rows, sync.file_name) == (
        "queued",
        "csv",
        25,
        "staff.csv",
    )
    assert sync.body == data.decode()
    assert (sync.welcome, sync.force, sync.deactivate_missing) == (True, False, False)
    assert sync.requested_by == hr
    assert sync.queued_at is not None
    assert imported() == 0  # nothing is saved inside the request


def test_the_runs_page_follows_it_from_queued_to_its_counts(hr, signed_in, to_worker):
    client = signed_in(hr)
    upload(client, csv_bytes("email,name,department,team", *people_rows(25)))
    sync = PeopleSync.objects.get()
    url = reverse("org:people_sync", args=[sync.pk])

    waiting = client.get(url)

    assert waiting.status_code == 200
    page = waiting.content.decode()
    assert "Queued" in page
    assert '<meta http-equiv="refresh" content="3">' in page

    assert run_people_sync(sync.pk) == "done"
    finished = client.get(url).content.decode()

    assert "http-equiv" not in finished  # done: nothing left to follow
    assert "Imported 25 people: 25 new, 0 updated." in finished
    counts = re.search(r'data-testid="sync-counts">(.*?)</table>', finished, re.S)
    assert '<th scope="row">New</th><td>25</td>' in counts.group(1)
    assert imported() == 25
    assert PeopleSync.objects.get().body == ""  # the stored file goes with the run


def test_the_runs_page_shows_the_people_saved_while_it_runs(
    hr, signed_in, to_worker, monkeypatch
):
    client = signed_in(hr)
    upload(client, csv_bytes("email,name,department,team", *people_rows(25)))
    sync = PeopleSync.objects.get()
    url = reverse("org:people_sync", args=[sync.pk])
    monkeypatch.setattr(people_sync_module, "BATCH", 10)
    pages: list[str] = []
    save_chunk = people_sync_module._apply_chunk

    def save_then_look(*args, **kwargs):
        save_chunk(*args, **kwargs)
        pages.append(client.get(url).content.decode())  # as HR's browser would

    monkeypatch.setattr(people_sync_module, "_apply_chunk", save_then_look)

    run_people_sync(sync.pk)

    # Each look comes before its own batch is counted: 0, then 10, then 20.
    assert "Checking every row before anything is saved." in pages[0]
    assert "Running" in pages[1]
    assert "10 of 25 people" in pages[1]
    assert '<progress max="25" value="10"' in pages[1]
    assert '<progress max="25" value="20"' in pages[2]
    assert all('http-equiv="refresh"' in page for page in pages)
    assert imported() == 25


def test_the_runs_page_passes_the_csp_with_no_inline_script(hr, signed_in, to_worker):
    client = signed_in(hr)
    upload(
        client, csv_bytes("email,name", *[f"p{n}@example.org,P {n}" for n in range(20)])
    )
    sync = PeopleSync.objects.get()

    response = client.get(reverse("org:people_sync", args=[sync.pk]))

    assert "script-src 'self'" in response["Content-Security-Policy"]
    page = response.content.decode()
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", page) == []
    assert " style=" not in page


def test_a_large_file_with_bad_rows_is_rejected_by_the_worker_line_by_line(
    hr, signed_in, to_worker
):
    client = signed_in(hr)
    rows = people_rows(20)
    rows[1] = "member1@import.example,,Support,Tier 1"  # line 3
    rows[14] = "member14@import.example,Member 14,,Tier 1"  # line 16
    upload(client, csv_bytes("email,name,department,team", *rows))
    sync = PeopleSync.objects.get()

    assert run_people_sync(sync.pk) == "rejected"
    page = client.get(reverse("org:people_sync", args=[sync.pk])).content.decode()

    assert "Nothing was saved." in page
    assert "Line 3: name is empty" in page
    assert "(column <code>name</code>)" in page
    assert "Line 16: give both department and team, or neither" in page
    assert "Line 2:" not in page
    assert imported() == 0


def test_a_large_file_deactivating_many_is_refused_until_forced(
    hr, signed_in, to_worker
):
    client = signed_in(hr)
    staff = [
        PersonFactory(user=UserFactory(email=f"old{n}@example.org")) for n in range(9)
    ]
    leavers = [f"old{n}@example.org,Old {n},,,no" for n in range(6)]
    data = csv_bytes(
        "email,name,department,team,active",
        *leavers,
        *[f"{row},yes" for row in people_rows(20)],
    )
    upload(client, data)
    refused = PeopleSync.objects.get()

    assert run_people_sync(refused.pk) == "rejected"
    page = client.get(reverse("org:people_sync", args=[refused.pk])).content.decode()

    assert "This would deactivate 6 of the 10 active people (60%)" in page
    assert "Deactivate many people" in page  # the form to send it again, forced
    assert imported() == 0
    assert all(User.objects.get(pk=p.user_id).is_active for p in staff)

    upload(client, data, force="on")
    forced = PeopleSync.objects.latest("pk")
    assert forced.force
    assert run_people_sync(forced.pk) == "done"

    forced.refresh_from_db()
    assert (forced.created, forced.deactivated) == (20, 6)
    assert User.objects.filter(email__startswith="old", is_active=False).count() == 6


def test_a_large_file_with_a_wrong_header_is_refused_at_once(hr, signed_in, to_worker):
    client = signed_in(hr)
    data = csv_bytes("email,full_name", *[f"p{n}@example.org,P {n}" for n in range(30)])

    response = upload(client, data)

    assert response.status_code == 400
    page = response.content.decode()
    assert "Line 1: unknown column(s) &#x27;full_name&#x27;" in page
    assert "missing required column(s) name" in page
    assert not PeopleSync.objects.exists()
    assert to_worker == []


def test_a_large_file_that_is_not_utf8_is_refused_at_once_naming_its_line(
    hr, signed_in, to_worker
):
    client = signed_in(hr)
    rows = [f"p{n}@example.org,P {n}" for n in range(30)]
    rows[27] = "jose@example.org,José"  # line 29
    data = "".join(f"{line}\r\n" for line in ["email,name", *rows]).encode("cp1252")

    response = upload(client, data)

    assert response.status_code == 400
    assert "Line 29: cannot read this line: it is not UTF-8 text (byte 0xE9" in (
        response.content.decode()
    )
    assert not PeopleSync.objects.exists()


def test_a_small_file_is_still_imported_within_the_request(hr, signed_in, to_worker):
    client = signed_in(hr)

    response = upload(client, csv_bytes("email,name", "ana@example.org,Ana"))

    assert response.url == reverse("org:person_list")
    assert not PeopleSync.objects.exists()
    assert Person.objects.filter(user__email="ana@example.org").exists()


def test_the_people_page_links_to_the_latest_runs(hr, signed_in, to_worker):
    client = signed_in(hr)
    upload(client, csv_bytes("email,name,department,team", *people_rows(25)), "a.csv")
    sync = PeopleSync.objects.get()

    page = client.get(reverse("org:person_list")).content.decode()

    assert f'<a href="{reverse("org:people_sync", args=[sync.pk])}">a.csv</a>' in page
    assert ": queued</li>" in page


def test_an_employee_may_not_see_a_run(employee, signed_in):
    sync = PeopleSync.objects.create(format="csv", created_at="2026-01-01T00:00Z")

    response = signed_in(employee).get(reverse("org:people_sync", args=[sync.pk]))

    assert response.status_code == 403


def test_a_run_run_twice_welcomes_its_new_people_once(hr, signed_in, to_worker):
    client = signed_in(hr)
    data = csv_bytes("email,name,department,team", *people_rows(15))
    upload(client, data, welcome="on")
    sync = PeopleSync.objects.get()

    assert run_people_sync(sync.pk) == "done"
    assert run_people_sync(sync.pk) == "taken"

    sync.refresh_from_db()
    assert (sync.created, sync.welcomed) == (15, 15)
    welcomes = Welcome.objects.filter(person__user__email__endswith="@import.example")
    assert welcomes.count() == 15
    assert imported() == 15
