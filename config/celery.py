"""The Celery app: configured from Django settings (CELERY_*), tasks autodiscovered.

The periodic schedule lives here, in one place. django-celery-beat copies it into
the database when beat starts, where HR-editable schedules live beside it.
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path
from typing import Any

from celery import Celery, Task
from celery.signals import task_postrun, task_prerun, worker_process_shutdown

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("candor")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _make_broker_folders(sender: Celery, **kwargs: object) -> None:
    # The filesystem transport (local runs) expects its folders to exist.
    if str(sender.conf.broker_url).startswith("filesystem://"):
        for key in ("data_folder_in", "data_folder_out", "control_folder"):
            folder = sender.conf.broker_transport_options.get(key)
            if folder:
                Path(folder).mkdir(parents=True, exist_ok=True)


# One line per task run: its name, id, final state and duration, never its
# arguments (ids of people's invitations) or its return value.
task_log = logging.getLogger("candor.task")
_started: dict[str, float] = {}


@task_prerun.connect
def _task_started(task_id: str, **kwargs: Any) -> None:
    _started[task_id] = time.perf_counter()


@task_postrun.connect
def _task_finished(
    task_id: str, task: Task, state: str | None = None, **_: Any
) -> None:
    started = _started.pop(task_id, None)
    fields = {
        "task": task.name,
        "task_id": task_id,
        "state": state or "UNKNOWN",
        "duration_ms": (
            round((time.perf_counter() - started) * 1000, 1) if started else None
        ),
    }
    task_log.info(
        "task %(task)s id=%(task_id)s state=%(state)s duration_ms=%(duration_ms)s",
        fields,
        extra={"fields": fields},
    )


@worker_process_shutdown.connect
def _mail_connection_close(**_: Any) -> None:
    # A pool process ending says goodbye (QUIT) on the connection it kept to the
    # mail server (core/mail.py), rather than leaving the server to time it out.
    from core.mail import mail_connection_close

    mail_connection_close()


app.conf.beat_schedule = {
    # Once a minute: cheap, and /healthz can then tell a stalled worker within minutes.
    "worker-heartbeat": {"task": "candor.worker_heartbeat", "schedule": 60.0},
    # Opens rounds, sends invitations and reminders, closes rounds: every job finds
    # its due work in the database, so a missed minute is caught up by the next.
    "dispatch": {"task": "candor.dispatch", "schedule": 60.0},
}


@app.task(name="candor.worker_heartbeat", ignore_result=True)
def worker_heartbeat() -> None:
    """Record that a worker consumed a task just now (read by /healthz)."""
    from config.health import heartbeat_record

    heartbeat_record()


@app.task(name="candor.dispatch", ignore_result=True)
def dispatch() -> None:
    """Run every periodic job due now, handing emails to workers."""
    from django.utils import timezone

    from config.scheduler import tick_all

    tick_all(now=timezone.now(), inline=False)
