"""Services a benchmark starts for itself and stops afterwards: a Redis server on
a free port (never the shared one), the SMTP sink of `smtp_sink.py`, and Celery
workers started with the Procfile's own command lines; plus the memory of those
workers, read from /proc while they run.
"""

from __future__ import annotations

import contextlib
import shlex
import socket
import subprocess  # nosec B404
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@contextlib.contextmanager
def redis_server(folder: Path, port: int) -> Iterator[subprocess.Popen]:
    """redis-server on 127.0.0.1:`port`, without persistence (as tests/brokers.py
    starts one), until the block ends."""
    # bandit B603: our own argv, no shell; ruff S607: redis-server from the PATH.
    process = subprocess.Popen(  # noqa: S603  # nosec B603
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1"]  # noqa: S607
        + ["--save", "", "--appendonly", "no", "--dir", str(folder)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _listening(port, process, "redis-server")
        yield process
    finally:
        process.terminate()
        process.wait(timeout=30)


@contextlib.contextmanager
def smtp_sink(port: int, log: Path, *, nice: int = 0) -> Iterator[subprocess.Popen]:
    """`benchmarks/smtp_sink.py` on 127.0.0.1:`port`, one line a message in `log`;
    with `nice` above 0 at that lower CPU priority."""
    lower = ["nice", "-n", str(nice)] if nice > 0 else []
    process = subprocess.Popen(  # noqa: S603  # nosec B603
        lower
        + [sys.executable, str(ROOT / "benchmarks" / "smtp_sink.py")]
        + ["--port", str(port), "--log", str(log)],
        cwd=ROOT,
    )
    try:
        _listening(port, process, "the SMTP sink")
        yield process
    finally:
        process.terminate()
        process.wait(timeout=30)


def _listening(port: int, process: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"{what} stopped at start (exit status {process.returncode})")
        with contextlib.suppress(OSError):
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        time.sleep(0.05)
    sys.exit(f"{what} did not listen on port {port} within 20 s")


def procfile_command(name: str) -> list[str]:
    """The Procfile's command line for process `name` (`worker`, `mailer`), run with
    this interpreter: the benchmark's workers are shaped as production's, at the
    Procfile's niceness (a leading `nice -n N`) if it sets one."""
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.startswith(f"{name}:"):
            argv = shlex.split(line.split(":", 1)[1])
            lower = argv[:3] if argv[:2] == ["nice", "-n"] else []
            argv = argv[len(lower) :]
            if argv[0] != "celery":
                sys.exit(f"the Procfile's {name} does not start with celery: {line}")
            return [*lower, sys.executable, "-m", "celery", *argv[1:]]
    sys.exit(f"the Procfile has no {name} process")


def procfile_niceness(name: str) -> int:
    """The niceness the Procfile gives process `name` (0 if none)."""
    argv = procfile_command(name)
    return int(argv[2]) if argv[:2] == ["nice", "-n"] else 0


def celery_worker(
    name: str, env: dict[str, str], log: Path, *, nice: int | None = None
) -> subprocess.Popen:
    """The Procfile's process `name`, its output in `log`; `nice` None runs it at
    the Procfile's niceness, a number at that one instead (`nice -n`, which runs
    it as the same process)."""
    argv = procfile_command(name)
    if nice is not None:
        if argv[:2] == ["nice", "-n"]:
            argv = argv[3:]
        argv = (["nice", "-n", str(nice)] if nice > 0 else []) + argv
    with log.open("w") as out:
        return subprocess.Popen(  # noqa: S603  # nosec B603
            argv,
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def stop(process: subprocess.Popen, *, seconds: float = 60) -> None:
    """SIGTERM (a Celery worker's warm shutdown), then SIGKILL if it lingers."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@dataclass
class Memory:
    """Peaks of one worker (its main process and its pool's), in bytes: the largest
    resident set of any one process, and the largest proportional set size (PSS,
    pages shared after the fork counted once) of them all together."""

    rss_one: int = 0
    pss_all: int = 0
    processes: int = 0


@dataclass
class MemoryWatch:
    """Reads each worker's memory from /proc every `every` seconds, in a thread."""

    workers: dict[str, subprocess.Popen]
    every: float = 0.5
    peaks: dict[str, Memory] = field(default_factory=dict)
    _done: threading.Event = field(default_factory=threading.Event)

    def __enter__(self) -> MemoryWatch:
        self.peaks = {name: Memory() for name in self.workers}
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._done.wait(self.every):
            for name, worker in self.workers.items():
                pids = [worker.pid, *children(worker.pid)]
                peak = self.peaks[name]
                rss = [_status_kb(pid, "VmRSS") * 1024 for pid in pids]
                pss = sum(_pss_kb(pid) * 1024 for pid in pids)
                peak.rss_one = max(peak.rss_one, *rss)
                peak.pss_all = max(peak.pss_all, pss)
                peak.processes = max(peak.processes, len(pids))


def children(pid: int) -> list[int]:
    with contextlib.suppress(FileNotFoundError, ProcessLookupError):
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
        return [int(child) for child in text.split()]
    return []


def _status_kb(pid: int, key: str) -> int:
    with contextlib.suppress(FileNotFoundError, ProcessLookupError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{key}:"):
                return int(line.split()[1])
    return 0


def _pss_kb(pid: int) -> int:
    with contextlib.suppress(FileNotFoundError, ProcessLookupError):
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    return 0
