"""docker-compose.yml's services, run as the processes they describe: its
environment, its commands and its health checks, on this machine's PostgreSQL
and a throwaway Redis, with the documented first admin after them.

No Docker engine runs here or in CI, so the images are not built: what this
proves is everything compose hands to them. The environment's names are the
ones the settings read (a misspelt name would be silently ignored), `migrate`
finishes, `web` serves the site with production settings and passes its health
check, both workers answer their `inspect ping` checks and consume from their
queues, `beat` starts, and the first admin signs in.
Container host names become this machine's addresses and `/app/var` a
temporary folder; nothing else is changed.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import redis
import yaml
from django.conf import settings
from django.db import connection

from tests.brokers import free_port, throwaway_redis
from tests.config.test_redis_down_live import Browser
from tests.config.test_worker import _wait_for
from tests.conftest import service_missing
from tests.surveys.test_worker_delivery import _database_url

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

COMPOSE = Path(settings.BASE_DIR) / "docker-compose.yml"
# `${NAME:-default}` and `${NAME}`, as compose interpolates them from the shell.
VARIABLE = re.compile(r"\$\{(\w+)(?::-([^}]*))?\}")
LONG_RUNNING = ("web", "worker", "mailer", "beat")
ADMIN, PASSWORD = "admin@example.org", "a long enough password 42"


def _compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def _interpolate(value: str, shell: dict[str, str]) -> str:
    value = VARIABLE.sub(lambda m: shell.get(m[1]) or (m[2] or ""), value)
    return value.replace("$$", "$")


def _environment(service: dict, *, shell: dict, here: dict[str, str]) -> dict:
    """The service's environment with container addresses replaced by `here`."""
    env = {k: _interpolate(str(v), shell) for k, v in service["environment"].items()}
    for name, value in env.items():
        for container, local in here.items():
            value = value.replace(container, local)
        env[name] = value
    return env


def _argv(command: list[str], port: int) -> list[str]:
    """A service's command for this machine: our interpreter, our port."""
    program, *rest = command
    head = [sys.executable] if program == "python" else [sys.executable, "-m", program]
    return head + [arg.replace("0.0.0.0:8000", f"127.0.0.1:{port}") for arg in rest]


def test_every_compose_variable_is_one_the_settings_read():
    read = set(
        re.findall(
            r"env_(?:str|int|bool|list)\(\s*\"(\w+)\"",
            (Path(settings.BASE_DIR) / "config" / "settings.py").read_text(),
        )
    )
    service = _compose()["services"]["web"]
    assert set(service["environment"]) <= read, set(service["environment"]) - read


def test_compose_services_run_as_described(tmp_path):
    if connection.vendor != "postgresql":
        service_missing("PostgreSQL through DATABASE_URL (compose runs postgres)")
    if not shutil.which("redis-server"):
        service_missing("redis-server")
    services = _compose()["services"]
    port = free_port()
    var = tmp_path / "var"
    var.mkdir()
    with throwaway_redis(tmp_path) as redis_server:
        here = {
            "postgres://candor:candor@postgres:5432/candor": _database_url(),
            "redis://redis:6379": f"redis://127.0.0.1:{redis_server.port}",
            "/app/var": str(var),
            "http://localhost:8000": f"http://127.0.0.1:{port}",
        }
        env = {
            **os.environ,
            **_environment(services["web"], shell={}, here=here),
            "CANDOR_VAR_DIR": str(var),  # the container's /app/var volume
            "HOSTNAME": socket.gethostname(),
            "DJANGO_SETTINGS_MODULE": "config.settings",
        }
        assert "redis://127.0.0.1" in env["CELERY_BROKER_URL"]
        subprocess.run(
            _argv(services["migrate"]["command"], port),
            cwd=settings.BASE_DIR, env=env, check=True, capture_output=True,
        )  # fmt: skip
        # The image runs collectstatic when it is built (Dockerfile).
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=settings.BASE_DIR, env=env, check=True,
        )  # fmt: skip
        logs = {name: (tmp_path / f"{name}.log").open("w") for name in LONG_RUNNING}
        processes = {
            name: subprocess.Popen(
                _argv(services[name]["command"], port),
                cwd=settings.BASE_DIR,
                env=env,
                stdout=logs[name],
                stderr=subprocess.STDOUT,
            )  # fmt: skip
            for name in LONG_RUNNING
        }
        try:
            web_up = _wait_for(lambda: _health_check(services["web"], env), seconds=60)
            workers_up = {
                name: _wait_for(
                    lambda name=name: _health_check(services[name], env), seconds=60
                )
                for name in ("worker", "mailer")
            }
            # The compose file's "a first admin" (seed_demo is the other choice,
            # and slower than all the rest of this test).
            subprocess.run(
                [sys.executable, "manage.py", "createsuperuser", "--noinput"],
                cwd=settings.BASE_DIR, check=True, capture_output=True,
                env={**env, "DJANGO_SUPERUSER_EMAIL": ADMIN,
                     "DJANGO_SUPERUSER_PASSWORD": PASSWORD},
            )  # fmt: skip
            # A heartbeat through the broker to each queue, as beat sends one; the
            # worker of that queue records it for /healthz.
            base = f"http://127.0.0.1:{port}"
            cache = redis.Redis(port=redis_server.port, db=1)
            consumed = {}
            for queue in ("default", "bulk_mail"):
                cache.delete(*cache.keys("*candor:worker-heartbeat") or ["none"])
                subprocess.run(
                    [sys.executable, "-m", "celery", "-A", "config", "call",
                     "candor.worker_heartbeat", "--queue", queue],
                    cwd=settings.BASE_DIR, env=env, check=True, capture_output=True,
                )  # fmt: skip
                consumed[queue] = _wait_for(lambda: _worker_seen(base), seconds=30)
            report = consumed["bulk_mail"]
            browser = Browser(base)
            signed_in = browser.post_form(
                "/accounts/login/",
                {"username": ADMIN, "password": PASSWORD},
            )
            home = browser.get("/")
            beat_alive = processes["beat"].poll() is None
        finally:
            for process in processes.values():
                process.terminate()
            for process in processes.values():
                process.wait(timeout=30)
            for log in logs.values():
                log.close()
    output = {name: (tmp_path / f"{name}.log").read_text()[-2000:] for name in logs}
    assert web_up, output["web"]
    assert all(workers_up.values()), (workers_up, output["worker"], output["mailer"])
    assert all(consumed.values()), (consumed, output["worker"], output["mailer"])
    assert report["database"] == report["broker"] == report["cache"] == "ok", report
    assert signed_in[0] == 302, signed_in[1][:500]
    assert home[0] == 200 and "Sign out" in home[1], home[1][:500]
    assert beat_alive and "beat: Starting" in output["beat"], output["beat"]
    for name in LONG_RUNNING:
        assert "Traceback" not in output[name], output[name]


def _health_check(service: dict, env: dict[str, str]) -> bool | None:
    """Run the service's own health check; True once it passes."""
    kind, *check = service["healthcheck"]["test"]
    if kind == "CMD-SHELL":
        (line,) = check
        argv = ["sh", "-c", line.replace("$$", "$")]
    else:
        argv = _argv(check, 0)
    argv = [arg.replace("127.0.0.1:8000", _web_address(env)) for arg in argv]
    argv = [arg.replace("celery -A", f"{sys.executable} -m celery -A") for arg in argv]
    done = subprocess.run(
        argv, cwd=settings.BASE_DIR, env=env, capture_output=True, timeout=30
    )
    return True if done.returncode == 0 else None


def _web_address(env: dict[str, str]) -> str:
    return env["CANDOR_BASE_URL"].removeprefix("http://")


def _worker_seen(base: str) -> dict | None:
    status, body = Browser(base).get("/healthz")
    if status != 200:
        return None
    report = json.loads(body)
    return report if report.get("worker_last_seen") else None
