"""What the benchmarks that serve Candor share: gunicorn started the way the
Procfile starts it, wrk driven with `answering.lua`, the CPU time of processes
read from /proc, and the machine line every report starts with.

No Django setup here: a benchmark sets its environment, calls `django.setup()`,
then imports this module.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import socket
import subprocess  # nosec B404
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
LUA = ROOT / "benchmarks" / "answering.lua"
WORKERS = 2  # gunicorn sync workers, as answering.py has always measured
CONNECTIONS = 16
WRK_THREADS = 2


@dataclass
class Server:
    port: int
    master: subprocess.Popen

    def workers(self) -> list[int]:
        children = Path(f"/proc/{self.master.pid}/task/{self.master.pid}/children")
        return [int(pid) for pid in children.read_text().split()]


def server_env(work: Path) -> dict[str, str]:
    """The environment of a server or worker started on the benchmark's database."""
    db = settings.DATABASES["default"]
    port = f":{db['PORT']}" if db["PORT"] else ""
    return {
        **os.environ,
        "DATABASE_URL": (
            f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}{port}"
            f"/{db['NAME']}"
        ),
        "DEBUG": "false",
        "CANDOR_VAR_DIR": str(work / "var"),
        # Connections kept for the whole run, so each worker's backend is one
        # process whose CPU time can be read.
        "DB_CONN_MAX_AGE": "600",
    }


@contextlib.contextmanager
def gunicorn(app: str, env: dict[str, str], work: Path) -> Iterator[Server]:
    """gunicorn serving `app` on a free port with Candor's own settings
    (`-c config/gunicorn.py`, WORKERS sync workers, an access log in `work`)."""
    port = free_port()
    log = open(work / f"{app}.log", "w")  # noqa: SIM115 (closed below)
    # bandit B404/B603: gunicorn and wrk start with our own argv, and no shell.
    master = subprocess.Popen(  # noqa: S603  # nosec B603
        [sys.executable, "-m", "gunicorn", app, "-c", "config/gunicorn.py"]
        + ["--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS)]
        + ["--worker-class", "sync", "--access-logfile", str(work / "access.log")],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_for(port, master, work / f"{app}.log")
        yield Server(port, master)
    finally:
        master.terminate()
        master.wait(timeout=30)
        log.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(port: int, master: subprocess.Popen, log: Path) -> None:
    for _ in range(200):
        if master.poll() is not None:
            sys.exit(f"gunicorn stopped:\n{log.read_text()}")
        with contextlib.suppress(OSError):
            socket.create_connection(("127.0.0.1", port)).close()
            return
        time.sleep(0.1)
    sys.exit(f"gunicorn did not start:\n{log.read_text()}")


def warm_up(
    server: Server, path: str, args: list[str], *, connections: int = 0
) -> None:
    """Until both workers have loaded the app (gunicorn listens before they do)
    and, for Candor, each holds its database connection; then a short load."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            client = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
            client.request("GET", path)
            if client.getresponse().status == 200:
                wrk(server, seconds=2, args=args)
                if len(backends()) >= connections:
                    wrk(server, seconds=2, args=args)
                    return
        time.sleep(0.2)
    sys.exit("the server did not warm up in 2 minutes")


def wrk(
    server: Server,
    *,
    seconds: int,
    args: list[str],
    threads: int = WRK_THREADS,
    connections: int = CONNECTIONS,
    pause_ms: int = 0,
) -> dict[str, str]:
    """One wrk run with `answering.lua` and its `args`; the script's RESULT line
    as a dict. `pause_ms`: each connection waits that long between requests (a
    load of at most connections * 1000 / pause_ms requests a second), else none."""
    env = {**os.environ, "WRK_PAUSE_MS": str(pause_ms)}
    result = subprocess.run(  # noqa: S603  # nosec B603
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s"]
        + ["-s", str(LUA), f"http://127.0.0.1:{server.port}/", "--"]
        + args,
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    line = next(x for x in result.stdout.splitlines() if x.startswith("RESULT "))
    return dict(pair.split("=") for pair in line.split()[1:])


def backends() -> list[int]:
    """The PostgreSQL processes serving the benchmark's database, but ours."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return [pid for (pid,) in cursor.fetchall()]


def cpu(pids: list[int]) -> float:
    """User and system CPU seconds of these processes so far."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        with contextlib.suppress(FileNotFoundError, ProcessLookupError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def children_cpu() -> float:
    """CPU seconds of this process's children that have ended (wrk's runs)."""
    usage = os.times()
    return usage.children_user + usage.children_system


def machine() -> str:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "unknown CPU",
    )
    return f"machine: {os.cpu_count()} cores, {model}; load average at start {load()}"


def load() -> str:
    """The load average over 1, 5 and 15 minutes, e.g. `1.2, 0.9, 0.7`."""
    return ", ".join(f"{x:.1f}" for x in os.getloadavg())
