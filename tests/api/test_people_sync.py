"""People over the API: one at a time, and the HR system's whole list in one sync,
all or nothing, guarded against a broken export, and the same list twice a no-op."""

from __future__ import annotations

import json
import tracemalloc

import pytest
from django.core import mail
from rest_framework.test import APIClient

from api import people as people_api
from org.models import AITool, Customer, PeopleSync, Person, Team, User, Welcome
from org.roles import Role, roles_of
from org.services import people_sync as people_sync_module
from org.services import people_sync_runs
from org.services.people_sync_bodies import json_rows
from org.services.people_sync_runs import people_sync_run
from org.tasks import run_people_sync
from tests.org.factories import AIToolFactory, PersonFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

SYNC = "/api/v1/people/sync/"


@pytest.fixture
def as_hr(hr):
    client = APIClient()
    client.force_authenticate(hr.user)
    return client


def rows(count: int, *, start: int = 0, **extra) -> list[dict]:
    return [
        {
            "email": f"person{n}@example.org",
            "name": f"Person {n}",
            "department": "Support",
            "team": f"Tier {n % 3}",
            "roles": ["employee"],
            **extra,
        }
        for n in range(start, start + count)
    ]


def sync(client, body, query: str = ""):
    return client.post(SYNC + query, json.dumps(body), content_type="application/json")


def active_people() -> int:
    return User.objects.filter(is_active=True, person__isnull=False).count()


# --- who may -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/people/",
        "/api/v1/teams/",
        "/api/v1/departments/",
        "/api/v1/customers/",
    ],
)
def test_lists_are_for_hr_only(url, employee, hr):
    client = APIClient()
    client.force_authenticate(employee.user)
    assert client.get(url).status_code == 403
    client.force_authenticate(hr.user)
    assert client.get(url).status_code == 200


def test_an_employee_cannot_sync(employee):
    client = APIClient()
    client.force_authenticate(employee.user)

    assert sync(client, rows(2)).status_code == 403
    assert not Person.objects.filter(user__email="person0@example.org").exists()


# --- the sync ------------------------------------------------------------------------


def test_a_small_sync_runs_at_once_and_welcomes_the_new_people(as_hr, hr):
    response = sync(as_hr, rows(5), "?deactivate_missing=false")

    assert response.status_code == 200, response.json()
    assert response.json() == {
        "created": 5,
        "updated": 0,
        "unchanged": 0,
        "deactivated": 0,
        "welcomed": 5,
        "dry_run": False,
    }
    assert Welcome.objects.count() == 5
    assert Team.objects.filter(department__name="Support").count() == 3


def test_one_bad_row_in_a_thousand_writes_nothing_and_is_reported(as_hr):
    body = rows(1000)
    body[613]["email"] = "not an address"
    before = (User.objects.count(), Person.objects.count(), Team.objects.count())

    response = sync(as_hr, body)

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "index": 613,
            "field": "email",
            "message": "'not an address' is not an email address",
        }
    ]
    after = (User.objects.count(), Person.objects.count(), Team.objects.count())
    assert after == before


def test_every_bad_row_is_reported_with_its_field(as_hr):
    body = rows(4)
    body[0]["roles"] = ["wizard"]
    body[2]["active"] = "maybe"
    body[3] = {**body[1]}

    errors = sync(as_hr, body).json()["errors"]

    assert [(e["index"], e["field"]) for e in errors] == [
        (0, "roles"),
        (2, "active"),
        (3, "email"),
    ]


def test_the_same_body_twice_changes_nothing_the_second_time(as_hr):
    body = rows(30)
    body[0]["manager_email"] = "person3@example.org"
    # HR, not in the list, would be deactivated: a full sync is tested below.
    assert sync(as_hr, body, "?deactivate_missing=false").status_code == 200
    welcomes = Welcome.objects.count()

    again = sync(as_hr, body, "?deactivate_missing=false").json()

    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 30)
    assert again["deactivated"] == 0
    assert Welcome.objects.count() == welcomes


def test_emails_match_whatever_their_case(as_hr):
    ana = PersonFactory(user=UserFactory(email="ana@example.org"), name="Ana")

    report = sync(
        as_hr,
        [{"email": "ANA@Example.ORG", "name": "Ana Silva"}],
        "?deactivate_missing=false",
    ).json()

    assert (report["created"], report["updated"]) == (0, 1)
    ana.refresh_from_db()
    assert ana.name == "Ana Silva"
    assert User.objects.filter(email__iexact="ana@example.org").count() == 1


def test_a_sync_deactivating_over_40_percent_is_refused_unless_forced(as_hr):
    assert sync(as_hr, rows(10), "?deactivate_missing=false").status_code == 200
    active = active_people()  # the ten and HR
    truncated = rows(5)  # a broken export: half the people missing

    refused = sync(as_hr, truncated)

    assert refused.status_code == 409
    assert refused.json()["deactivating"] == active - 5
    assert f"deactivate {active - 5} of the {active}" in refused.json()["detail"]
    assert active_people() == active

    forced = sync(as_hr, truncated, "?force=true")

    assert forced.status_code == 200
    assert forced.json()["deactivated"] == active - 5
    assert active_people() == 5


def test_listed_as_inactive_counts_towards_the_guard(as_hr):
    sync(as_hr, rows(10), "?deactivate_missing=false")

    response = sync(as_hr, rows(10, active=False), "?deactivate_missing=false")

    assert response.status_code == 409
    assert response.json()["deactivating"] == 10


def test_a_body_over_the_limit_is_a_413_and_saves_nothing(as_hr, monkeypatch):
    monkeypatch.setattr(people_api, "MAX_SYNC_BYTES", 200)
    body = rows(5, start=900)
    assert len(json.dumps(body)) > 200

    response = sync(as_hr, body)

    assert response.status_code == 413
    assert response.json()["type"] == "client_error"
    [error] = response.json()["errors"]
    assert (error["code"], error["attr"]) == ("too_large", None)
    assert "send at most 100,000 people" in error["detail"]
    assert not Person.objects.filter(user__email="person900@example.org").exists()
    assert not PeopleSync.objects.exists()


def test_the_schema_documents_the_413(client):
    sync_post = client.get("/api/schema/?format=json").json()["paths"][SYNC]["post"]

    assert sync_post["responses"]["413"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorResponse413"
    }


def test_a_dry_run_reports_and_writes_nothing(as_hr):
    response = sync(as_hr, rows(8), "?dry_run=true&deactivate_missing=false")

    assert response.status_code == 200
    assert response.json()["created"] == 8
    assert response.json()["dry_run"] is True
    assert not Person.objects.filter(user__email="person0@example.org").exists()
    assert Welcome.objects.count() == 0


def test_a_csv_body_is_synced_and_its_rows_reported_by_line(as_hr):
    good = "email,name\nana@example.org,Ana\n"
    response = as_hr.post(
        SYNC + "?deactivate_missing=false", good, content_type="text/csv"
    )
    assert response.status_code == 200
    assert response.json()["created"] == 1

    bad = as_hr.post(SYNC, "email,name\nben@example.org,\n", content_type="text/csv")
    assert bad.status_code == 400
    assert bad.json()["errors"] == [
        {"line": 2, "field": "name", "message": "name is empty"}
    ]


@pytest.mark.parametrize(
    "body",
    [b"{}", b"[1, 2]", b'[{"email": ', b"\xff\xfe", b"", b"[]", b"[{}] x"],
)
def test_a_body_that_is_not_a_list_of_people_is_a_400(as_hr, body):
    response = as_hr.post(SYNC, body, content_type="application/json")

    assert response.status_code == 400
    assert Person.objects.count() == 1  # HR only


def test_a_bad_flag_is_a_400(as_hr):
    assert sync(as_hr, rows(1), "?force=maybe").status_code == 400


def test_a_large_sync_is_queued_and_run_by_a_worker(
    as_hr, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(people_sync_runs, "INLINE_ROWS", 10)
    monkeypatch.setattr("api.people.INLINE_ROWS", 10)
    queued = []
    monkeypatch.setattr(run_people_sync, "delay", queued.append)

    with django_capture_on_commit_callbacks(execute=True):
        response = sync(as_hr, rows(25), "?deactivate_missing=false")

    assert response.status_code == 202
    sync_id = response.json()["id"]
    assert response["Location"] == response.json()["status_url"]
    assert response.json()["state"] == "queued"
    assert not Person.objects.filter(user__email="person0@example.org").exists()

    # Handed to a worker once the request's transaction committed.
    assert queued == [sync_id]
    assert run_people_sync(sync_id) == "done"
    assert run_people_sync(sync_id) == "taken"  # safe to run twice

    status = as_hr.get(response.json()["status_url"]).json()
    assert (status["state"], status["created"], status["welcomed"]) == ("done", 25, 25)
    assert PeopleSync.objects.get(pk=sync_id).body == ""
    assert (
        Person.objects.filter(
            user__email__endswith="@example.org", name__startswith="Person "
        ).count()
        == 25
    )


def test_a_queued_sync_counts_every_person_and_says_how_many_are_saved_so_far(
    as_hr, monkeypatch
):
    monkeypatch.setattr("api.people.INLINE_ROWS", 10)
    monkeypatch.setattr(run_people_sync, "delay", lambda sync_id: None)
    monkeypatch.setattr(people_sync_module, "BATCH", 10)
    response = sync(as_hr, rows(25), "?deactivate_missing=false")
    status_url = response.json()["status_url"]
    seen: list[dict] = []
    save_chunk = people_sync_module._apply_chunk

    def save_then_ask(*args, **kwargs):
        save_chunk(*args, **kwargs)
        seen.append(as_hr.get(status_url).json())

    monkeypatch.setattr(people_sync_module, "_apply_chunk", save_then_ask)

    assert (response.json()["rows"], response.json()["rows_saved"]) == (25, None)
    assert run_people_sync(response.json()["id"]) == "done"

    # Each answer comes before its own batch is counted.
    assert [(s["state"], s["rows_saved"]) for s in seen] == [
        ("running", 0),
        ("running", 10),
        ("running", 20),
    ]
    done = as_hr.get(status_url).json()
    assert (done["state"], done["rows_saved"], done["created"]) == ("done", None, 25)


def test_a_queued_sync_with_a_bad_row_is_rejected_and_reports_it(hr):
    body = rows(3)
    body[1]["team"] = ""
    sync_ = PeopleSync.objects.create(
        format="json",
        body=json.dumps(body),
        deactivate_missing=False,
        created_at="2026-01-01T00:00Z",
    )

    assert people_sync_run(sync_.pk) == "rejected"

    sync_.refresh_from_db()
    assert sync_.errors == [
        {
            "index": 1,
            "field": "team",
            "message": "give both department and team, or neither",
        }
    ]
    assert not Person.objects.filter(user__email="person0@example.org").exists()


def test_the_status_of_a_sync_is_for_hr_only(employee, as_hr):
    sync_ = PeopleSync.objects.create(format="json", created_at="2026-01-01T00:00Z")
    client = APIClient()
    client.force_authenticate(employee.user)

    assert client.get(f"/api/v1/people/sync/{sync_.pk}/").status_code == 403
    assert as_hr.get(f"/api/v1/people/sync/{sync_.pk}/").json()["state"] == "queued"
    assert as_hr.get("/api/v1/people/sync/999999/").status_code == 404


def test_checking_a_sync_holds_an_index_of_addresses_not_the_rows():
    """Peak memory of checking grows by a few hundred bytes a person (the index of
    addresses), where holding the rows would cost kilobytes."""

    def peak(count: int) -> int:
        text = json.dumps(rows(count, job_title="Agent " * 20))
        source = json_rows(text)
        tracemalloc.start()
        from org.services.people_sync import _check

        _check(source, deactivate_missing=False, empty=None)
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return top

    small, large = peak(2000), peak(6000)

    per_person = (large - small) / 4000
    assert per_person < 400, per_person


# --- one person at a time ------------------------------------------------------------


def test_hr_adds_a_person_checked_as_an_imported_row(as_hr):
    response = as_hr.post(
        "/api/v1/people/",
        {
            "email": "Ana@Example.org",
            "name": "Ana",
            "department": "Support",
            "team": "Tier 1",
            "roles": ["leader", "hr"],
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert response.json()["email"] == "ana@example.org"
    assert set(response.json()["roles"]) == {"leader", "hr"}
    assert Welcome.objects.filter(person_id=response.json()["id"]).count() == 1

    again = as_hr.post(
        "/api/v1/people/", {"email": "ANA@example.org", "name": "A"}, format="json"
    )
    assert again.status_code == 409  # taken: nothing wrong with the request
    bad = as_hr.post(
        "/api/v1/people/", {"email": "x", "name": "X", "roles": ["czar"]}, format="json"
    )
    assert bad.status_code == 400
    assert _fields(bad) == {"email", "roles"}


def test_hr_patches_and_deactivates_a_person(as_hr):
    ana = PersonFactory(name="Ana", roles={Role.EMPLOYEE})
    url = f"/api/v1/people/{ana.pk}/"

    patched = as_hr.patch(
        url, {"job_title": "Lead", "roles": ["leader"]}, format="json"
    )

    assert patched.status_code == 200
    ana.refresh_from_db()
    assert ana.job_title == "Lead"
    assert roles_of(ana.user) == {Role.LEADER}
    assert (
        as_hr.patch(url, {"email": "new@example.org"}, format="json").status_code == 400
    )

    assert as_hr.post(f"{url}deactivate/").json()["active"] is False
    ana.user.refresh_from_db()
    assert not ana.user.is_active
    assert as_hr.patch(url, {"active": True}, format="json").json()["active"] is True


def test_hr_creates_and_renames_teams_and_departments(as_hr):
    department = as_hr.post("/api/v1/departments/", {"name": "Claims"}, format="json")
    assert department.status_code == 201
    team = as_hr.post(
        "/api/v1/teams/",
        {"name": "Tier 1", "department": department.json()["id"]},
        format="json",
    )
    assert team.status_code == 201
    renamed = as_hr.patch(
        f"/api/v1/teams/{team.json()['id']}/", {"name": "Tier 2"}, format="json"
    )
    assert renamed.json()["name"] == "Tier 2"
    twice = as_hr.post(
        "/api/v1/teams/",
        {"name": "Tier 2", "department": department.json()["id"]},
        format="json",
    )
    assert twice.status_code == 409  # the department has a Tier 2


# --- customers and AI tools ----------------------------------------------------------


def test_hr_adds_edits_and_retires_a_customer(as_hr):
    created = as_hr.post(
        "/api/v1/customers/",
        {"name": "Cy", "email": " Cy@Client.example ", "company": "Client"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["email"] == "cy@client.example"
    url = f"/api/v1/customers/{created.json()['id']}/"
    duplicate = as_hr.post(
        "/api/v1/customers/",
        {"name": "Cy", "email": "CY@client.example"},
        format="json",
    )
    assert duplicate.status_code == 409

    assert (
        as_hr.patch(url, {"segment": "SMB"}, format="json").json()["segment"] == "SMB"
    )
    assert as_hr.post(f"{url}retire/").json()["is_active"] is False
    assert not Customer.objects.get(pk=created.json()["id"]).is_active


def test_an_ai_tool_cannot_go_live_without_its_governance(as_hr, hr):
    draft = as_hr.post(
        "/api/v1/tools/", {"name": "Summariser", "status": "live"}, format="json"
    )
    assert draft.status_code == 400
    assert {"owner", "purpose", "acceptable_use"} <= _fields(draft)
    assert not AITool.objects.filter(name="Summariser").exists()

    pilot = as_hr.post("/api/v1/tools/", {"name": "Summariser"}, format="json")
    assert pilot.status_code == 201
    url = f"/api/v1/tools/{pilot.json()['id']}/"
    live = as_hr.patch(
        url,
        {
            "status": "live",
            "owner": hr.pk,
            "purpose": "Summarises tickets.",
            "acceptable_use": "Check every summary.",
        },
        format="json",
    )
    assert live.status_code == 200, live.json()
    assert live.json()["live_since"] is not None

    retired = as_hr.post(f"{url}retire/")
    assert retired.json()["status"] == "retired"
    assert retired.json()["retired_at"] is not None


def test_an_employee_cannot_add_or_change_a_tool(employee):
    tool = AIToolFactory()
    client = APIClient()
    client.force_authenticate(employee.user)

    assert (
        client.post("/api/v1/tools/", {"name": "X"}, format="json").status_code == 403
    )
    assert (
        client.patch(
            f"/api/v1/tools/{tool.pk}/", {"name": "Y"}, format="json"
        ).status_code
        == 403
    )
    assert client.post(f"/api/v1/tools/{tool.pk}/retire/").status_code == 403


def test_a_team_is_not_required_to_exist_before_a_sync(as_hr):
    TeamFactory(name="Tier 0")
    assert sync(as_hr, rows(3), "?deactivate_missing=false").status_code == 200
    assert mail.outbox == []  # welcomes are queued for workers, never sent inline


def _fields(response) -> set[str]:
    """The fields a 400 names, in the API's one error shape
    (`{"type": "validation_error", "errors": [{"attr": ..., ...}]}`)."""
    body = response.json()
    assert body["type"] == "validation_error", body
    return {error["attr"] for error in body["errors"]}
