"""docker-compose.yml, the Procfiles and the settings agree: every queue a task is
routed to has workers, beat runs once, each long-running service has a health
check, and web runs gunicorn with config/gunicorn.py."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import yaml
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]


def _queues(command: list[str]) -> set[str]:
    """The queues a `celery worker` command consumes (`-Q a,b`)."""
    if "worker" not in command:
        return set()
    return set(command[command.index("-Q") + 1].split(","))


def _procfile(name: str) -> dict[str, list[str]]:
    lines = (ROOT / name).read_text().splitlines()
    return {
        kind: shlex.split(command)
        for kind, command in (
            line.split(":", 1) for line in lines if re.match(r"^[a-z]+:", line)
        )
    }


def _routed() -> set[str]:
    routes = settings.CELERY_TASK_ROUTES.values()
    return {settings.CELERY_TASK_DEFAULT_QUEUE} | {route["queue"] for route in routes}


def test_every_routed_queue_has_workers_in_compose_and_in_each_procfile():
    compose = set().union(*(_queues(s.get("command", [])) for s in SERVICES.values()))
    production = set().union(*map(_queues, _procfile("Procfile").values()))
    development = set().union(*map(_queues, _procfile("Procfile.dev").values()))

    assert compose == production == development == _routed()


def test_bulk_mail_has_workers_of_its_own():
    for commands in (
        [service.get("command", []) for service in SERVICES.values()],
        list(_procfile("Procfile").values()),
    ):
        queues = [_queues(command) for command in commands if _queues(command)]
        assert {settings.CANDOR_QUEUE_BULK_MAIL} in queues
        assert {settings.CANDOR_QUEUE_DEFAULT} in queues


def test_exactly_one_beat():
    beats = [s for s in SERVICES.values() if "beat" in s.get("command", [])]
    assert len(beats) == 1
    assert "deploy" not in beats[0]  # no replicas
    procfile = _procfile("Procfile")
    assert sum("beat" in command for command in procfile.values()) == 1


@pytest.mark.parametrize("name", ["postgres", "redis", "web", "worker", "mailer"])
def test_each_long_running_service_has_a_health_check(name):
    assert SERVICES[name]["healthcheck"]["test"]


def test_web_probes_the_liveness_path_and_runs_gunicorn_with_our_config():
    web = SERVICES["web"]
    assert "/livez" in " ".join(web["healthcheck"]["test"])
    assert web["command"][:4] == ["gunicorn", "config.wsgi", "-c", "config/gunicorn.py"]
    assert "-c config/gunicorn.py" in " ".join(_procfile("Procfile")["web"])


def test_each_worker_health_check_pings_its_own_node_name():
    for name in ("worker", "mailer"):
        service = SERVICES[name]
        node = service["command"][service["command"].index("-n") + 1]
        assert node.endswith("@%h")
        ping = service["healthcheck"]["test"][-1]
        assert f"-d {node.removesuffix('%h')}$$HOSTNAME" in ping


def test_the_others_wait_for_the_migration():
    for name in ("web", "worker", "mailer", "beat"):
        depends = SERVICES[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully"
