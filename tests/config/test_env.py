"""Settings read from the environment fail loudly on a value they cannot parse."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("true", True), ("1", True), ("No", False), ("off", False), ("", False)],
)
def test_booleans_accept_the_usual_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("CANDOR_FLAG", raw)

    assert env_bool("CANDOR_FLAG", not expected) is expected


def test_a_misspelt_boolean_stops_start_up(monkeypatch):
    monkeypatch.setenv("CANDOR_FLAG", "ture")

    with pytest.raises(
        ImproperlyConfigured, match="CANDOR_FLAG='ture' is not a boolean"
    ):
        env_bool("CANDOR_FLAG", False)


def test_a_bad_integer_stops_start_up(monkeypatch):
    monkeypatch.setenv("CANDOR_N", "ten")

    with pytest.raises(ImproperlyConfigured, match="not an integer"):
        env_int("CANDOR_N", 1)


def test_an_integer_below_its_minimum_stops_start_up(monkeypatch):
    monkeypatch.setenv("AXES_FAILURE_LIMIT", "0")

    with pytest.raises(
        ImproperlyConfigured, match="AXES_FAILURE_LIMIT='0' must be at least 1"
    ):
        env_int("AXES_FAILURE_LIMIT", 10, minimum=1)


def test_lists_are_comma_separated_and_trimmed(monkeypatch):
    monkeypatch.setenv("CANDOR_HOSTS", " a.example , b.example,,")

    assert env_list("CANDOR_HOSTS", []) == ["a.example", "b.example"]


def _settings_in_a_fresh_process(**env: str) -> subprocess.CompletedProcess:
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='config.settings'; "
        "from django.conf import settings; "
        "print(settings.DATABASES['default']['ENGINE'], settings.EMAIL_BACKEND, "
        "settings.EMAIL_FILE_PATH, settings.CELERY_BROKER_URL)"
    )
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "EMAIL_URL", "SECRET_KEY"}
    }
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_defaults_run_locally_without_any_service(tmp_path):
    result = _settings_in_a_fresh_process(CANDOR_VAR_DIR=str(tmp_path))

    assert result.returncode == 0, result.stderr
    engine, email_backend, mail_dir, broker = result.stdout.split()
    assert engine == "django.db.backends.sqlite3"
    assert email_backend == "django.core.mail.backends.filebased.EmailBackend"
    assert mail_dir == str(tmp_path / "mail")
    assert broker == "filesystem://"
    assert (tmp_path / "secret_key").exists()


def test_a_malformed_database_url_is_named_in_the_error(tmp_path):
    result = _settings_in_a_fresh_process(
        CANDOR_VAR_DIR=str(tmp_path), DATABASE_URL="nonsense://x"
    )

    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr
