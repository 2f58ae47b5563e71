"""API tokens: kept as a hash, shown once, scoped, expiring, revocable by HR in the
API and on the People pages; `manage.py api_token_create`; old DRF keys migrated."""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib
from types import SimpleNamespace

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from api.models import ApiToken
from api.tokens import api_token_create, api_tokens_use_record, token_hash
from config.scheduler import tick_all
from feedback.models import Concern

pytestmark = pytest.mark.django_db


def _client(key: str, keyword: str = "Token") -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"{keyword} {key}")
    return client


def _new(user, scope="read", **kwargs):
    return api_token_create(
        owner=user, name="Exporter", scope=scope, now=timezone.now(), **kwargs
    )


def test_a_token_is_kept_only_as_its_hash(employee):
    created = _new(employee.user)

    row = ApiToken.objects.get()
    assert row.key_hash == hashlib.sha256(created.key.encode()).hexdigest()
    assert row.prefix == created.key[:8]
    assert created.key not in {row.key_hash, row.name, row.prefix}


@pytest.mark.parametrize("keyword", ["Token", "Bearer", "bearer"])
def test_token_and_bearer_both_sign_in(employee, keyword):
    key = _new(employee.user).key

    assert _client(key, keyword).get("/api/v1/tools/").status_code == 200


def test_a_read_only_token_may_not_post(employee):
    key = _new(employee.user, scope="read").key

    response = _client(key).post(
        "/api/v1/concerns/",
        {"title": "A worry", "body": "Text.", "category": "other"},
        format="json",
    )

    assert response.status_code == 403
    assert "read-only" in response.json()["errors"][0]["detail"]
    assert not Concern.objects.exists()


def test_a_revoked_or_expired_token_is_401(employee):
    revoked = _new(employee.user)
    ApiToken.objects.filter(pk=revoked.token.pk).update(revoked_at=timezone.now())
    expiring = _new(employee.user, expires_at=timezone.now() + dt.timedelta(days=1))

    assert _client(revoked.key).get("/api/v1/tools/").status_code == 401
    with time_machine.travel(timezone.now() + dt.timedelta(days=2)):
        response = _client(expiring.key).get("/api/v1/tools/")
    assert response.status_code == 401
    assert "expired" in response.json()["errors"][0]["detail"]


def test_last_use_is_written_by_the_scheduler_for_a_day_that_is_over(employee):
    # Never by the request: beside an anonymous concern posted with the token,
    # the write's time (or its transaction id) would say whose token it was.
    created = _new(employee.user)
    morning = dt.datetime(2026, 11, 30, 9, 41, 7, tzinfo=dt.UTC)
    midnight = morning.replace(hour=0, minute=0, second=0)

    with time_machine.travel(morning, tick=False):
        _client(created.key).get("/api/v1/tools/")
    created.token.refresh_from_db()
    assert created.token.last_used_at is None
    assert api_tokens_use_record(now=morning + dt.timedelta(hours=5)) == 0

    next_day = morning + dt.timedelta(days=1)
    assert api_tokens_use_record(now=next_day) == 1
    assert api_tokens_use_record(now=next_day) == 0  # safe to run twice
    created.token.refresh_from_db()
    assert created.token.last_used_at == midnight


def test_the_scheduler_tick_writes_last_use_and_a_cache_down_loses_only_that(
    employee, settings
):
    created = _new(employee.user)
    morning = dt.datetime(2026, 11, 30, 9, 41, 7, tzinfo=dt.UTC)
    with time_machine.travel(morning, tick=False):
        _client(created.key).get("/api/v1/tools/")

    reports = tick_all(now=morning + dt.timedelta(days=1), inline=True)

    assert any(line.startswith("api") and "1" in line for line in reports), reports
    created.token.refresh_from_db()
    assert created.token.last_used_at == morning.replace(hour=0, minute=0, second=0)
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6399/0",  # nothing listens here
        }
    }
    assert _client(created.key).get("/api/v1/tools/").status_code == 200


def test_hr_creates_a_token_in_the_api_and_sees_it_once(hr, employee):
    client = _client(_new(hr.user, scope="write").key)

    response = client.post(
        "/api/v1/tokens/",
        {"name": "Payroll sync", "owner": employee.user.email.upper()},
        format="json",
    )

    assert response.status_code == 201
    key = response.json()["key"]
    token = ApiToken.objects.get(name="Payroll sync")
    assert token.owner == employee.user and token.key_hash == token_hash(key)
    listed = client.get("/api/v1/tokens/").json()["results"]
    assert all("key" not in row for row in listed)
    assert _client(key).get("/api/v1/tools/").status_code == 200


def test_hr_revokes_a_token_in_the_api(hr, employee):
    client = _client(_new(hr.user, scope="write").key)
    victim = _new(employee.user)

    response = client.post(f"/api/v1/tokens/{victim.token.pk}/revoke/")

    assert response.status_code == 200
    assert response.json()["live"] is False
    assert _client(victim.key).get("/api/v1/tools/").status_code == 401


def test_only_hr_handles_tokens(employee):
    client = _client(_new(employee.user, scope="write").key)

    assert client.get("/api/v1/tokens/").status_code == 403
    assert client.post("/api/v1/tokens/", {}, format="json").status_code == 403


def test_a_bad_token_request_says_why(hr):
    client = _client(_new(hr.user, scope="write").key)

    response = client.post(
        "/api/v1/tokens/",
        {"name": "x", "owner": "nobody@example.com", "scope": "admin"},
        format="json",
    )

    assert response.status_code == 400
    assert {e["attr"] for e in response.json()["errors"]} == {"scope"}
    response = client.post(
        "/api/v1/tokens/", {"name": "x", "owner": "nobody@example.com"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "owner"
    assert ApiToken.objects.count() == 1


def test_hr_creates_and_revokes_on_the_people_pages(hr, employee, signed_in):
    client = signed_in(hr)

    page = client.post(
        "/people/api-tokens/",
        {"name": "Reporting", "owner": employee.user.email, "scope": "read"},
    )

    assert page.status_code == 200
    token = ApiToken.objects.get(name="Reporting")
    shown = page.context["key"]
    assert token.key_hash == token_hash(shown)
    assert shown in page.content.decode()
    assert shown not in client.get("/people/api-tokens/").content.decode()
    client.post(f"/people/api-tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_the_command_creates_a_token_and_prints_it(employee, capsys):
    call_command(
        "api_token_create", employee.user.email, "--name", "CI", "--scope", "write"
    )

    key = capsys.readouterr().out.strip()
    token = ApiToken.objects.get(key_hash=token_hash(key))
    assert (token.name, token.scope, token.owner) == ("CI", "write", employee.user)
    with pytest.raises(CommandError):
        call_command("api_token_create", "nobody@example.com", "--name", "CI")


def test_old_plain_keys_become_hashed_tokens_that_still_work(employee):
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, "
            "user_id bigint, created timestamp with time zone)"
            if connection.vendor == "postgresql"
            else "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, "
            "user_id bigint, created datetime)"
        )
        cursor.execute(
            "INSERT INTO authtoken_token VALUES (%s, %s, %s)",
            ["a" * 40, employee.user.pk, timezone.now()],
        )
    migration = importlib.import_module("api.migrations.0002_authtoken_keys_hashed")
    from django.apps import apps

    # The migration's function asks its schema editor only for the connection.
    migration.hash_keys(apps, SimpleNamespace(connection=connection))

    assert ApiToken.objects.get().owner == employee.user
    assert _client("a" * 40).get("/api/v1/tools/").status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM authtoken_token")
        assert cursor.fetchone()[0] == 0
