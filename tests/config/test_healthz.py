"""GET /healthz: database, broker and cache state; 503, in JSON, when one is down."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import OperationalError, connection
from django.test import override_settings
from django.utils import timezone
from kombu import Connection

from config.health import heartbeat_record
from config.scheduler import queued_models
from core.dispatch import broker_loss_recover
from tests.surveys.factories import InvitationFactory

pytestmark = pytest.mark.django_db

# Nothing listens on port 1: a broker there is down.
DOWN_BROKER = {
    "CELERY_BROKER_URL": "redis://127.0.0.1:1/0",
    "CELERY_BROKER_TRANSPORT_OPTIONS": {},
}


def test_it_answers_200_when_database_and_broker_are_up(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["database"] == "ok"
    assert response.json()["broker"] == "ok"
    assert response["Cache-Control"].startswith("max-age=0")


@override_settings(**DOWN_BROKER)
def test_it_answers_503_and_names_the_broker_when_the_broker_is_down(client):
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["database"] == "ok"
    assert response.json()["broker"].startswith("error:")


def test_it_answers_503_when_the_database_fails(client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise OperationalError("server closed the connection")

    monkeypatch.setattr(connection, "cursor", broken_cursor)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["database"] == "error: OperationalError"


def test_it_reports_when_a_worker_last_ran_a_task(client):
    assert client.get("/healthz").json()["worker_last_seen"] is None

    heartbeat_record()

    assert client.get("/healthz").json()["worker_last_seen"] is not None


def test_it_reports_when_the_broker_last_lost_queued_tasks_and_stays_200(
    client, tmp_path
):
    InvitationFactory(queued_at=timezone.now())  # handed to a broker that then lost it
    folder = str(tmp_path / "queue")
    options = {"data_folder_in": folder, "data_folder_out": folder}
    assert client.get("/healthz").json()["broker_queue_lost_at"] is None

    with Connection("filesystem://", transport_options=options) as broker:
        broker_loss_recover(queued_models(), broker=broker, now=timezone.now())
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["broker_queue_lost_at"] is not None


def test_it_refuses_other_methods(client):
    assert client.post("/healthz").status_code == 405


# Nothing listens on this port: a cache there is down.
DOWN_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:6399/0",
    }
}


def test_it_answers_json_503_naming_the_cache_when_the_cache_is_down(client):
    with override_settings(CACHES=DOWN_CACHE):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    report = response.json()
    assert report["cache"] == "error: ConnectionError"
    assert report["cache_down_since"] is not None
    assert (report["database"], report["broker"]) == ("ok", "ok")
    assert report["mail"] == "unknown: the cache is down"
    assert report["worker_last_seen"] is None


def test_it_reports_the_cache_ok_again_once_it_answers(client):
    with override_settings(CACHES=DOWN_CACHE):
        client.get("/healthz")

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["cache"] == "ok"
    assert "cache_down_since" not in response.json()


def test_it_answers_json_even_when_a_check_fails_unexpectedly(client, monkeypatch):
    def broken():
        raise RuntimeError("a bug in a check")

    monkeypatch.setattr("config.health.broker_check", broken)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"error": "RuntimeError"}


def test_it_counts_the_last_weeks_emails_of_unknown_fate_without_failing(client):
    from django.utils import timezone

    from tests.feedback.factories import NoticeFactory

    now = timezone.now()
    NoticeFactory(sent_at=now - dt.timedelta(days=1), send_state="unknown")
    NoticeFactory(sent_at=now - dt.timedelta(days=9), send_state="unknown")
    NoticeFactory(sent_at=now - dt.timedelta(days=1), send_state="accepted")

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["mail_fate_unknown"] == {"invitations": 0, "notices": 1}


def test_it_asks_the_broker_once_per_interval_not_once_per_call(
    client, settings, monkeypatch
):
    settings.HEALTHZ_REMEMBER_SECONDS = 5
    settings.CELERY_BROKER_URL = "memory://healthz-interval"
    calls = []
    monkeypatch.setattr(
        "config.health._broker_connect", lambda: calls.append(1) or "ok"
    )

    states = [client.get("/healthz").json()["broker"] for _ in range(3)]

    assert states == ["ok"] * 3
    assert len(calls) == 1


def test_it_asks_the_broker_again_once_the_interval_is_over(
    client, settings, monkeypatch
):
    settings.HEALTHZ_REMEMBER_SECONDS = 5
    settings.CELERY_BROKER_URL = "memory://healthz-again"
    answers = iter(["ok", "error: ConnectionRefusedError"])
    monkeypatch.setattr("config.health._broker_connect", lambda: next(answers))
    clock = [1000.0]
    monkeypatch.setattr("config.health.time.monotonic", lambda: clock[0])

    first = client.get("/healthz")
    clock[0] += 4.9
    within = client.get("/healthz")
    clock[0] += 0.2
    after = client.get("/healthz")

    assert (first.status_code, within.status_code, after.status_code) == (
        200,
        200,
        503,
    )
    assert after.json()["broker"] == "error: ConnectionRefusedError"


def test_livez_answers_without_asking_the_database_broker_or_cache(
    client, monkeypatch, django_assert_num_queries
):
    def down(*args, **kwargs):
        raise AssertionError("livez must not check anything")

    monkeypatch.setattr("config.health.database_check", down)
    monkeypatch.setattr("config.health.broker_check", down)
    monkeypatch.setattr("config.health.cache_check", down)

    with django_assert_num_queries(0), override_settings(**DOWN_BROKER):
        response = client.get("/livez")

    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Cache-Control"].startswith("max-age=0")
    assert client.post("/livez").status_code == 405


def test_it_counts_emails_of_unknown_fate_once_per_interval(
    client, settings, monkeypatch
):
    settings.HEALTHZ_REMEMBER_SECONDS = 5
    calls = []

    def counted(**kwargs):
        calls.append(kwargs)
        return 0

    monkeypatch.setattr("config.health.invitations_fate_unknown", counted)
    monkeypatch.setattr("config.health._seen", {})

    reports = [client.get("/healthz").json()["mail_fate_unknown"] for _ in range(3)]

    assert reports == [{"invitations": 0, "notices": 0}] * 3
    assert len(calls) == 1
