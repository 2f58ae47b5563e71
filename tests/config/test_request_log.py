"""One structured line per request and per task: the fields a person running the
site needs, never a token, an answer or who raised an anonymous concern."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.urls import reverse

from config.celery import worker_heartbeat
from config.logs import JsonFormatter
from feedback.models import Concern
from org.roles import Role
from tests.org.factories import PersonFactory

pytestmark = pytest.mark.django_db

TOKEN = "Xy7-QmZ_s3cretTokenValue"
FIELDS = {"method", "path", "route", "status", "duration_ms", "request_id", "user"}


def _lines(caplog, logger: str) -> list[dict]:
    """The records of `logger`, each formatted as LOG_FORMAT=json writes it."""
    formatter = JsonFormatter()
    return [
        json.loads(formatter.format(record))
        for record in caplog.records
        if record.name == logger
    ]


def test_a_request_is_one_json_line_with_its_fields_and_no_token(client, caplog):
    caplog.set_level(logging.INFO, logger="candor.request")

    response = client.get(f"/s/{TOKEN}/")

    (line,) = _lines(caplog, "candor.request")
    assert FIELDS <= set(line)
    assert line["method"] == "GET"
    assert line["path"] == "/s/[redacted]/"
    assert line["route"] == "surveys:answer"
    assert line["status"] == response.status_code == 404
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert line["request_id"] == response["X-Request-ID"]
    assert line["user"] == "anon"
    assert TOKEN not in json.dumps(line)
    assert all(TOKEN not in record.getMessage() for record in caplog.records)


def test_the_plain_line_says_the_same(client, caplog):
    caplog.set_level(logging.INFO, logger="candor.request")

    client.get("/livez")

    (record,) = [r for r in caplog.records if r.name == "candor.request"]
    assert record.getMessage().startswith("GET /livez route=livez status=200 ")
    assert "user=-" in record.getMessage()  # the health check never looks


def test_an_anonymous_concerns_line_names_no_user(client, caplog):
    PersonFactory(roles={Role.HR})  # who owns a concern nobody else would
    raiser = PersonFactory(roles={Role.EMPLOYEE}, name="Rita Raiser")
    client.force_login(raiser.user)
    caplog.set_level(logging.INFO, logger="candor.request")

    client.post(
        reverse("feedback:concern_create"),
        {
            "title": "Will the agent replace the help desk?",
            "body": "People are worried.",
            "category": "job_security",
            "ai_tool": "",
            "anonymous": "on",
        },
        follow=True,
    )

    concern = Concern.objects.get()
    assert concern.anonymous and concern.raised_by is None
    lines = _lines(caplog, "candor.request")
    post, shown = lines  # the form's POST, then the concern's page it leads to
    assert (post["method"], post["route"], post["status"]) == (
        "POST",
        "feedback:concern_create",
        302,
    )
    assert shown["route"] == "feedback:concern_detail"
    for line in lines:
        assert line["user"] == "signed-in"
        who = {str(raiser.user.pk), str(raiser.pk), raiser.user.email, "Rita Raiser"}
        assert not who & {str(value) for value in line.values()}
        assert not who & set(line["message"].replace("=", " ").split())
        assert not {"user_id", "email", "person"} & set(line)


def test_a_task_is_one_line_with_its_name_id_state_and_duration(caplog):
    caplog.set_level(logging.INFO, logger="candor.task")

    result = worker_heartbeat.apply(task_id="a-task-id")

    assert result.successful()
    (line,) = _lines(caplog, "candor.task")
    assert (line["task"], line["task_id"], line["state"]) == (
        "candor.worker_heartbeat",
        "a-task-id",
        "SUCCESS",
    )
    assert isinstance(line["duration_ms"], float)


def test_log_format_must_be_plain_or_json(tmp_path):
    env = {**os.environ, "LOG_FORMAT": "xml", "CANDOR_VAR_DIR": str(tmp_path)}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    done = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert done.returncode != 0
    assert "LOG_FORMAT='xml': use plain or json." in done.stderr
