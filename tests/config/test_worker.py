"""End to end: a task sent through a real broker is run by a real worker process.

The filesystem broker is what `make run` uses; Redis is what production and CI use.
The worker runs the production settings module in its own process, so this proves
the wiring (Celery app, autodiscovery, broker options), not a test double.
"""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path

import pytest
from django.core.cache.backends.filebased import FileBasedCache
from django.utils import timezone

from config.celery import app, worker_heartbeat
from config.health import HEARTBEAT_KEY
from tests.conftest import port_open, service_missing
from tests.workers import worker_start

pytestmark = pytest.mark.services


def _redis_url() -> str:
    url = os.environ.get("CELERY_BROKER_URL", "")
    if not url.startswith("redis://"):
        url = "redis://127.0.0.1:6379/15"
    if not port_open("127.0.0.1", 6379):
        service_missing("Redis on 127.0.0.1:6379")
    return url


def _filesystem_options(var_dir: Path) -> dict[str, str]:
    # The same layout config/settings.py derives from CANDOR_VAR_DIR.
    queue = var_dir / "broker"
    for folder in ("queue", "control"):
        (queue / folder).mkdir(parents=True, exist_ok=True)
    return {
        "data_folder_in": str(queue / "queue"),
        "data_folder_out": str(queue / "queue"),
        "control_folder": str(queue / "control"),
        "processed_folder": str(queue / "processed"),
        "store_processed": False,
    }


@pytest.mark.parametrize("broker", ["filesystem", "redis"])
def test_a_task_sent_through_the_broker_is_run_by_a_real_worker(broker, tmp_path):
    url = "filesystem://" if broker == "filesystem" else _redis_url()
    options = _filesystem_options(tmp_path) if broker == "filesystem" else {}
    queue = f"test-{uuid.uuid4().hex}"  # so no other worker can take our message
    cache = FileBasedCache(str(tmp_path / "cache"), {})
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "CANDOR_VAR_DIR": str(tmp_path),
        "CELERY_BROKER_URL": url,
        "CACHE_URL": f"filecache://{tmp_path / 'cache'}",
        "SECRET_KEY": "worker-test",
    }
    worker = worker_start(queue, env)
    try:
        sent_at = timezone.now()
        with app.connection_for_write(url, transport_options=options) as connection:
            worker_heartbeat.apply_async(queue=queue, connection=connection)

        seen = _wait_for(lambda: cache.get(HEARTBEAT_KEY), seconds=60)
    finally:
        worker.terminate()
        output, _ = worker.communicate(timeout=30)

    assert seen is not None, f"the worker never ran the task; its log:\n{output}"
    assert seen >= sent_at.isoformat()
    assert "task candor.worker_heartbeat id=" in output  # config.celery's line
    assert "state=SUCCESS" in output


def _wait_for(probe, *, seconds: float):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = probe()
        if value is not None:
            return value
        time.sleep(0.2)
    return None
