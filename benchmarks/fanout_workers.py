"""Benchmark: a survey's fan-out through real workers, and answering meanwhile.

    apt-get install wrk redis-server    # Debian's packages
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench \\
        python benchmarks/fanout_workers.py [--people 100000] [--seconds 20]

Everything is the benchmark's own and gone afterwards: a PostgreSQL database
(Django's test database machinery: test_<DATABASE_URL's name>), a redis-server
on a free port (broker in db 0, cache in db 1; never the shared one), an SMTP
sink (`benchmarks/smtp_sink.py`, aiosmtpd) and a folder for the rest. It seeds
the audience (N people in one department) and a scheduled survey for it, and the
answering benchmark's anonymous pulse (`benchmarks/answering.py`) for the page
it measures, then starts as production does (the Procfile's command lines):

- `worker` (-Q default) and `mailer` (-Q bulk_mail): Celery workers on Redis, at
  the Procfile's niceness (--nice for another), sending through Candor's SMTP
  backend (`core/smtp.py`) to the sink, which runs at the mailer's niceness
  (--sink-nice): it stands in for a mail server on another machine;
- gunicorn serving Candor (`benchmarks/serving.py`, as answering.py does).

and plays beat: `candor.dispatch` now and every --pass-every seconds (60, as
`config/celery.py` schedules it). The first pass opens the round and fans it out
(its inserts are timed from the worker's log against one bare `INSERT ...
SELECT` of the same rows, run before); every pass queues sends to the mailer.
Meanwhile wrk GETs the answering page in windows of --seconds, at a pace well
below its capacity (--connections, each pausing --pause-ms between requests), as
before the fan-out and after it (the idle yardstick: the median of those windows).

It reports the time from the first pass until the sink holds every email, the
invitations (each one row and one email) per second, each worker's peak memory,
the answering page's p95 while the fan-out ran against idle, then checks: every
invitation accepted, the sink got exactly one email per invitation (none lost,
none twice), each carrying a link whose token is stored for it. Exits 1 if a
check fails. Targets (the issue's): memory under 300 MB a process, the inserts
within 3x the bare insert, the p95 within 1.5x idle: reported, not enforced.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from subprocess import Popen  # nosec B404

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.serving import free_port  # no Django setup needed yet

REDIS_PORT, SMTP_PORT = free_port(), free_port()
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench")
os.environ.setdefault("SECRET_KEY", "benchmark-only-not-secret")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1")
# The benchmark's own services, whatever the shell says: never the shared Redis.
os.environ["CELERY_BROKER_URL"] = f"redis://127.0.0.1:{REDIS_PORT}/0"
os.environ["CACHE_URL"] = f"redis://127.0.0.1:{REDIS_PORT}/1"
os.environ["EMAIL_URL"] = f"smtp://127.0.0.1:{SMTP_PORT}"
os.environ["CANDOR_BASE_URL"] = "http://127.0.0.1:8000"
os.environ["LOG_FORMAT"] = "plain"

import django

django.setup()

import redis
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, Q, Sum
from django.test.utils import setup_databases, teardown_databases
from django.utils import timezone

from benchmarks.answering import seed as answering_seed
from benchmarks.fanout import people_create
from benchmarks.serving import (
    WORKERS,
    cpu,
    gunicorn,
    load,
    machine,
    server_env,
    warm_up,
    wrk,
)
from benchmarks.throwaway import (
    MemoryWatch,
    celery_worker,
    children,
    procfile_niceness,
    redis_server,
    smtp_sink,
    stop,
)
from config.celery import dispatch
from core.delivery import SendState
from org.models import Department
from surveys.models import Invitation, InvitationToken, Question, Round, Survey
from surveys.tokens import token_hash

STUCK = 300  # seconds without a new email accepted: the run has failed
# wrk windows of the idle page before the fan-out, and as many after: the machine's
# other work varies, so the yardstick is their median.
IDLE_WINDOWS = 2
LOG_TIME = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) ")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=20, help="per wrk window")
    parser.add_argument("--pass-every", type=float, default=60.0, help="beat's")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--pause-ms", type=int, default=100)
    parser.add_argument(
        "--nice",
        type=int,
        help="both workers' niceness instead of the Procfile's (0: none)",
    )
    parser.add_argument(
        "--sink-nice",
        type=int,
        help="the SMTP sink's niceness (default: the mailer's): it stands in for a"
        " mail server on another machine, so it should not take web's CPU either",
    )
    parser.add_argument(
        "--keep", type=Path, help="a folder to keep the logs in (else thrown away)"
    )
    args = parser.parse_args()
    for tool in ("wrk", "redis-server"):
        if not shutil.which(tool):
            sys.exit(f"{tool} is needed: apt-get install {tool} (Debian's package)")
    if connection.vendor != "postgresql":
        sys.exit("DATABASE_URL must name a PostgreSQL database (postgres://...)")
    with tempfile.TemporaryDirectory(prefix="candor-fanout-") as tmp:
        work = Path(tmp) if args.keep is None else args.keep
        work.mkdir(parents=True, exist_ok=True)
        with redis_server(work, REDIS_PORT) as broker:
            old = setup_databases(verbosity=0, interactive=False)
            try:
                ok = run(args, work, broker)
            finally:
                connection.close()
                teardown_databases(old, verbosity=0)
    sys.exit(0 if ok else 1)


def run(args: argparse.Namespace, work: Path, broker: Popen) -> bool:
    print(machine())
    started = time.perf_counter()
    call_command("collectstatic", interactive=False, verbosity=0)
    _, pools = answering_seed(0)  # the answering page's links, a survey of its own
    department = people_create(args.people, prefix="invitee")
    survey = _survey(department)
    niceness = {
        name: procfile_niceness(name) if args.nice is None else args.nice
        for name in ("worker", "mailer")
    }
    sink_nice = niceness["mailer"] if args.sink_nice is None else args.sink_nice
    print(
        f"setup: {time.perf_counter() - started:.0f} s; {args.people:,} people; "
        "the Procfile's worker and mailer at niceness "
        f"{niceness['worker']} and {niceness['mailer']}, the SMTP sink at {sink_nice}"
    )
    bare = _bare_insert(survey, department)
    links = work / "links.txt"
    links.write_text("\n".join(pools["get"]) + "\n")
    threads = min(2, args.connections)
    page = {
        "args": ["get", str(threads), str(links)],
        "threads": threads,
        "connections": args.connections,
        "pause_ms": args.pause_ms,
        "seconds": args.seconds,
    }
    env = server_env(work)
    logs = {name: work / f"{name}.log" for name in ("worker", "mailer")}
    workers = {
        name: celery_worker(name, env, log, nice=args.nice)
        for name, log in logs.items()
    }
    try:
        with (
            smtp_sink(SMTP_PORT, work / "sink.log", nice=sink_nice) as sink,
            gunicorn("config.wsgi", env, work) as candor,
        ):
            warm_up(candor, f"/s/{pools['get'][0]}/", page["args"], connections=WORKERS)
            idle = [_window(candor, page) for _ in range(IDLE_WINDOWS)]
            with MemoryWatch(workers) as memory:
                fanout = _fan_out(
                    survey,
                    candor,
                    page,
                    workers | {"sink": sink, "redis": broker},
                    args,
                )
            idle += [_window(candor, page) for _ in range(IDLE_WINDOWS)]
    finally:
        for worker in workers.values():
            stop(worker)
    fanout.read_logs(logs)
    _report(args, bare, fanout, idle, memory)
    return _check(survey, work / "sink.log", fanout)


# --- data -----------------------------------------------------------------------


def _survey(department: Department) -> Survey:
    """A scheduled one-off survey whose round opened yesterday, for `department`:
    the dispatcher's next pass opens its round and fans it out."""
    survey = Survey.objects.create(
        title="Fan-out pulse",
        cadence="once",
        first_date=timezone.localdate() - dt.timedelta(days=1),
        open_days=5,
        status=Survey.Status.SCHEDULED,
    )
    survey.departments.set([department])
    Question.objects.create(survey=survey, kind="likert", text="I trust the tools.")
    return survey


def _bare_insert(survey: Survey, department: Department) -> float:
    """Seconds for the database alone to write the fan-out's rows (then removed)."""
    now = timezone.now()
    round_ = Round.objects.create(
        survey=survey,
        starts_at=now - dt.timedelta(days=30),
        closes_at=now - dt.timedelta(days=29),
        closed_at=now,
    )
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            # Every NOT NULL column without a database default, as Django fills it.
            "INSERT INTO surveys_invitation (round_id, person_id, team_id,"
            " department_id, created_at, reminders_sent, send_state,"
            " fate_unknown_sends, answered)"
            " SELECT %s, p.id, p.team_id, t.department_id, %s, 0, '', 0, false"
            " FROM org_person p JOIN org_team t ON t.id = p.team_id"
            " WHERE t.department_id = %s",
            [round_.pk, now, department.pk],
        )
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        # In one statement: the ORM's cascade would list every invitation's id,
        # more parameters than PostgreSQL takes at 100,000 people.
        cursor.execute(
            "DELETE FROM surveys_invitation WHERE round_id = %s", [round_.pk]
        )
    round_.delete()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE surveys_invitation")
    return seconds


# --- the fan-out ----------------------------------------------------------------


@dataclass
class FanOut:
    """What happened from the first dispatcher pass to the last email accepted."""

    people: int
    started: float = 0.0  # time.monotonic() of the first pass
    finished: float | None = None  # the last email accepted
    accepted: int = 0
    waiting_peak: int = 0  # sends waiting in the bulk mail queue at most
    passes: int = 0
    windows: list[dict[str, float]] = field(default_factory=list)
    cpu: dict[str, float] = field(default_factory=dict)  # seconds per worker
    insert_seconds: float | None = None  # opening to fanned out, from the log
    dispatch_ms: list[float] = field(default_factory=list)
    sends_run: int = 0  # send tasks the mailer ran (more: some were queued twice)
    errors: dict[str, int] = field(default_factory=dict)

    @property
    def seconds(self) -> float:
        return (self.finished or time.monotonic()) - self.started

    def read_logs(self, logs: dict[str, Path]) -> None:
        """The inserts' time, the passes' durations and ERROR lines, from the
        workers' logs (`config/celery.py` writes one line per task)."""
        at: dict[str, dt.datetime] = {}
        for name, path in logs.items():
            lines = path.read_text(errors="replace").splitlines()
            self.errors[name] = sum(" ERROR " in line for line in lines)
            self.sends_run += sum(
                "task surveys.send_invitation " in line for line in lines
            )
            for line in lines:
                stamp = LOG_TIME.match(line)
                for mark in ("Opened Fan-out pulse", "Fanned out Fan-out pulse"):
                    if stamp and mark in line and mark not in at:
                        at[mark] = dt.datetime.strptime(  # noqa: DTZ007 (a span)
                            stamp.group(1), "%Y-%m-%d %H:%M:%S,%f"
                        )
                duration = re.search(
                    r"task candor\.dispatch .* duration_ms=(\S+)", line
                )
                if duration and duration.group(1) != "None":
                    self.dispatch_ms.append(float(duration.group(1)))
        if len(at) == 2:
            opened, done = at.values()
            self.insert_seconds = (done - opened).total_seconds()


def _fan_out(survey, candor, page, processes, args) -> FanOut:
    """Beat's passes in one thread, progress read in another, wrk in this one;
    the CPU time of `processes` (and their children) meanwhile."""
    fanout = FanOut(people=args.people)
    done = threading.Event()
    pids = {
        name: lambda p=p: [p.pid, *children(p.pid)] for name, p in processes.items()
    }
    before = {name: cpu(list_pids()) for name, list_pids in pids.items()}
    fanout.started = time.monotonic()
    beat = threading.Thread(target=_beat, args=(fanout, done, args.pass_every))
    watch = threading.Thread(target=_watch, args=(fanout, survey, done))
    beat.start()
    watch.start()
    while not done.is_set():
        window = _window(candor, page)
        window["complete"] = not done.is_set()  # the fan-out ran throughout
        fanout.windows.append(window)
    beat.join()
    watch.join()
    fanout.cpu = {name: cpu(pids[name]()) - before[name] for name in pids}
    return fanout


def _beat(fanout: FanOut, done: threading.Event, every: float) -> None:
    """`candor.dispatch` on the default queue now and every `every` seconds."""
    while True:
        dispatch.delay()
        fanout.passes += 1
        if done.wait(every):
            return


def _watch(fanout: FanOut, survey: Survey, done: threading.Event) -> None:
    """Counts accepted emails each second until all are, or none comes for
    STUCK seconds."""
    last_change = time.monotonic()
    broker = redis.Redis(port=REDIS_PORT)
    try:
        while fanout.finished is None:
            time.sleep(1)
            waiting = broker.llen(settings.CANDOR_QUEUE_BULK_MAIL)
            fanout.waiting_peak = max(fanout.waiting_peak, waiting)
            counts = Invitation.objects.filter(round__survey=survey).aggregate(
                total=Count("pk"),
                accepted=Count("pk", filter=Q(send_state=SendState.ACCEPTED)),
            )
            if counts["accepted"] != fanout.accepted:
                fanout.accepted, last_change = counts["accepted"], time.monotonic()
            if fanout.accepted == counts["total"] == fanout.people:
                fanout.finished = time.monotonic()
            elif time.monotonic() - last_change > STUCK:
                print(f"STUCK: no email accepted for {STUCK} s", file=sys.stderr)
                return
    finally:
        connection.close()
        done.set()


def _window(candor, page: dict) -> dict[str, float]:
    result = wrk(
        candor,
        seconds=page["seconds"],
        args=page["args"],
        threads=page["threads"],
        connections=page["connections"],
        pause_ms=page["pause_ms"],
    )
    requests = int(result["requests"])
    return {
        "rps": requests / float(result["seconds"]),
        "errors": int(result["bad"]) + int(result["socket_errors"]),
        **{key: float(result[key]) for key in ("p50_ms", "p95_ms", "p99_ms")},
    }


# --- report and checks -----------------------------------------------------------


def _report(args, bare: float, fanout: FanOut, idle: list[dict], memory) -> None:
    mb = 1e6
    rate = fanout.people / fanout.seconds
    print(f"load average at the end {load()}")
    print(f"{'':<46} {'measured':>12}  target")
    if fanout.insert_seconds is not None:
        ratio = fanout.insert_seconds / bare
        print(f"{'fan-out: invitations written (first pass)':<46} "
              f"{fanout.insert_seconds:>10.1f} s")  # fmt: skip
        print(f"{'bare INSERT ... SELECT of the same rows':<46} {bare:>10.1f} s")
        print(f"{'  ratio':<46} {ratio:>11.1f}x  <= 3x {_ok(ratio <= 3)}")
    print(f"{'first pass to last email accepted':<46} {fanout.seconds:>10.0f} s")
    print(f"{'invitations (one row, one email) per second':<46} {rate:>12.0f}")
    print(
        f"{'send tasks run per invitation':<46} "
        f"{fanout.sends_run / fanout.people:>12.2f}"
    )
    print(f"{'sends waiting in the bulk mail queue, at most':<46} "
          f"{fanout.waiting_peak:>12,}")  # fmt: skip
    passes = fanout.dispatch_ms or [0.0]
    print(
        f"{'dispatcher passes, every ' + f'{args.pass_every:.0f} s':<46} "
        f"{len(fanout.dispatch_ms):>12}  mean {statistics.mean(passes) / 1000:.1f} s,"
        f" longest {max(passes) / 1000:.1f} s"
    )
    cpu_ms = {
        name: seconds / fanout.people * 1000 for name, seconds in fanout.cpu.items()
    }
    print(
        f"{'CPU per invitation':<46} "
        + ", ".join(f"{name} {ms:.1f} ms" for name, ms in cpu_ms.items())
    )
    for name, peak in memory.peaks.items():
        print(
            f"{name + ': peak RSS of one process':<46} {peak.rss_one / mb:>9.0f} MB"
            f"  < 300 MB {_ok(peak.rss_one < 300 * mb)}"
        )
        print(
            f"{name + f': peak PSS of its {peak.processes} processes':<46} "
            f"{peak.pss_all / mb:>9.0f} MB"
        )
    during = [w for w in fanout.windows if w["complete"]] or fanout.windows
    print(
        f"answering page GET, {args.connections} connections pausing "
        f"{args.pause_ms} ms, {args.seconds} s windows:"
    )
    print(f"  {'':<28} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} errors")
    for n, window in enumerate(idle):
        _row("idle, " + ("before" if n < IDLE_WINDOWS else "after"), window)
    for stat, pick in (("median", statistics.median), ("worst", max)):
        _row(
            f"fan-out, {stat} of {len(during)} windows",
            {
                key: pick(w[key] for w in during)
                for key in ("rps", "p50_ms", "p95_ms", "p99_ms")
            }
            | {"errors": sum(w["errors"] for w in during)},
        )
    if not any(w["complete"] for w in fanout.windows):
        print("  (the fan-out ended inside every window: raise --people)")
    base = statistics.median(w["p95_ms"] for w in idle)
    typical = statistics.median(w["p95_ms"] for w in during) / base
    worst = max(w["p95_ms"] for w in during) / base
    print(
        f"  p95 during / idle: {typical:.2f}x (median window), {worst:.2f}x "
        f"(worst); target <= 1.5x {_ok(typical <= 1.5)}"
    )
    for name, count in fanout.errors.items():
        if count:
            print(f"{name}: {count} ERROR lines in its log")


def _row(label: str, w: dict) -> None:
    print(
        f"  {label:<28} {w['rps']:>7.1f} {w['p50_ms']:>7.1f} {w['p95_ms']:>7.1f} "
        f"{w['p99_ms']:>7.1f} {int(w['errors']):>6}"
    )


def _ok(met: bool) -> str:
    return "met" if met else "MISSED"


def _check(survey: Survey, sink_log: Path, fanout: FanOut) -> bool:
    invitations = Invitation.objects.filter(round__survey=survey)
    states = dict(
        invitations.values_list("send_state").annotate(n=Count("pk")).order_by()
    )
    rows = invitations.aggregate(
        total=Count("pk"),
        unsent=Count("pk", filter=Q(sent_at=None)),
        queued=Count("pk", filter=~Q(queued_at=None)),
        bounced=Count("pk", filter=~Q(bounced_at=None)),
        fate_unknown=Sum("fate_unknown_sends"),
    )
    emails = {
        email: pk for pk, email in invitations.values_list("pk", "person__user__email")
    }
    stored = dict(
        InvitationToken.objects.filter(invitation__round__survey=survey).values_list(
            "token_hash", "invitation_id"
        )
    )
    received: Counter[str] = Counter()
    wrong_link, others = 0, 0
    for line in sink_log.read_text().splitlines():
        address, token = line.rsplit(" ", 1)
        if address not in emails:
            others += 1
            continue
        received[address] += 1
        if stored.get(token_hash(token)) != emails[address]:
            wrong_link += 1
    lost = len(set(emails) - set(received))
    twice = sum(n - 1 for n in received.values() if n > 1)
    print(
        f"rows: {rows['total']:,} invitations; states {states}; unsent "
        f"{rows['unsent']}, still queued {rows['queued']}, bounced {rows['bounced']},"
        f" fate unknown {rows['fate_unknown'] or 0}; {len(stored):,} links stored"
    )
    print(
        f"sink: {sum(received.values()):,} emails to {len(received):,} invitees; "
        f"lost {lost}, twice {twice}, without their own link {wrong_link}, "
        f"to anyone else {others}"
    )
    problems = {
        "not every invitation was accepted in time": fanout.finished is None,
        "some invitation's email was lost": lost > 0,
        "some invitee got two emails": twice > 0,
        "some email has no link stored for its invitation": wrong_link > 0,
        "the invitations are not one per person": rows["total"] != fanout.people,
        "some invitation is not marked accepted": states.get(SendState.ACCEPTED)
        != rows["total"],
    }
    for problem, found in problems.items():
        if found:
            print(f"FAILED: {problem}")
    return not any(problems.values())


if __name__ == "__main__":
    main()
