"""A real Celery worker process for end-to-end tests, started the one way they all
use: production settings from `env`, one queue of its own, no gossip, mingle or
heartbeat (nothing else on the broker to talk to), its output captured."""

from __future__ import annotations

import subprocess
import sys

from django.conf import settings


def worker_start(
    queue: str, env: dict[str, str], *, concurrency: int | None = None, **popen
) -> subprocess.Popen:
    """A worker consuming `queue`: the solo pool, or a prefork pool of
    `concurrency` processes. `popen` goes to subprocess.Popen as it is."""
    pool = (
        ["solo"]
        if concurrency is None
        else ["prefork", "--concurrency", str(concurrency)]
    )
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", queue,
         "--pool", *pool, "--without-gossip", "--without-mingle",
         "--without-heartbeat", "--loglevel", "INFO"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        **popen,
    )  # fmt: skip
