"""Benchmark: answering a survey under load, against a bare Django hello-world.

    apt-get install wrk    # Debian's package; the load generator
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench \\
        CACHE_URL=redis://127.0.0.1:6379/1 python benchmarks/answering.py [--seconds 20]

Builds a throw-away PostgreSQL database (Django's test database machinery: named
test_<name of DATABASE_URL's database>, created, then dropped; DATABASE_URL
defaults to the one above, CACHE_URL to that Redis), runs `collectstatic`, then
seeds an anonymous survey of 15 questions (the AI rollout pulse with three tools,
one a team's, one free-text comment) and enough invitations, each with a link.
It starts two gunicorn servers on free ports, each with Candor's own settings
(`-c config/gunicorn.py --workers 2`, sync workers, access log kept): Candor, and
the hello-world of `benchmarks/hello.py`. wrk, with `benchmarks/answering.lua`,
then drives for --seconds each, over 16 connections:

- hello: GET the hello-world (the yardstick), first and last, as the machine's
  other work varies; shares are of the mean of the two;
- GET: the answering page of a link (round a pool of unanswered links);
- POST: 15 answers and a comment to a link, each link once (one CSRF cookie);
- journey: per link, GET the page with no cookie, then POST the answers with the
  cookie and CSRF token that page gave (one connection per wrk thread).

Each gets its requests per second, latency percentiles, wrong statuses and
socket errors, its throughput as a share of hello-world's, and the CPU time per
request of the gunicorn workers, of the PostgreSQL backends serving them and of
wrk itself: all share the machine's cores, so the load generator's own cost is
shown, not hidden. At the end the rows are counted: responses (sealed, waiting for
their batch) equal answered invitations, every 302 has its response (none lost),
no invitation has two. Exits 1 if any check fails.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench")
os.environ.setdefault("CACHE_URL", "redis://127.0.0.1:6379/1")
os.environ.setdefault("SECRET_KEY", "benchmark-only-not-secret")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1")

import django

django.setup()

import datetime as dt

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.management import call_command
from django.db import connection
from django.test.utils import setup_databases, teardown_databases
from django.utils import timezone

from benchmarks.serving import (
    CONNECTIONS,
    WORKERS,
    WRK_THREADS,
    Server,
    backends,
    children_cpu,
    cpu,
    gunicorn,
    machine,
    server_env,
    warm_up,
    wrk,
)
from org.models import AITool, Department, Person, Team, User
from surveys.library import survey_from_template
from surveys.models import (
    Invitation,
    InvitationToken,
    Question,
    Response,
    Round,
    SealedResponse,
    Survey,
)
from surveys.tokens import token_new

ANSWER = {
    Question.Kind.LIKERT: "4",
    Question.Kind.ENPS: "8",
    Question.Kind.HOURS_SAVED: "2.5",
    Question.Kind.AI_ACCURACY: "mostly_correct",
    Question.Kind.FREE_TEXT: "The copilot drafts well; I would like training "
    "on checking its sources before I rely on it.",
}


@dataclass
class Run:
    name: str
    requests: int
    seconds: float
    ok: int
    bad: int
    saved: int
    exhausted: int
    socket_errors: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    cpu_ms: dict[str, float]  # per request: workers, postgres, wrk

    @property
    def rps(self) -> float:
        return self.requests / self.seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=20, help="per load run")
    parser.add_argument(
        "--links", type=int, default=20_000, help="links for each of POST, journey"
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install wrk (Debian's package)")
    if connection.vendor != "postgresql":
        sys.exit("DATABASE_URL must name a PostgreSQL database (postgres://...)")
    old = setup_databases(verbosity=0, interactive=False)
    try:
        sys.exit(0 if run(args.seconds, args.links) else 1)
    finally:
        connection.close()
        teardown_databases(old, verbosity=0)


def run(seconds: int, links: int) -> bool:
    print(machine())
    started = time.perf_counter()
    call_command("collectstatic", interactive=False, verbosity=0)
    survey, pools = seed(links)
    print(
        f"setup: {time.perf_counter() - started:.0f} s; "
        f"{survey.questions.count()} questions, {Invitation.objects.count():,} links"
    )
    with tempfile.TemporaryDirectory(prefix="candor-bench-") as tmp:
        work = Path(tmp)
        files = {name: work / f"{name}.txt" for name in pools}
        for name, tokens in pools.items():
            files[name].write_text("\n".join(tokens) + "\n")
        answers = work / "answers.txt"
        answers.write_text(urlencode(_answers(survey)))
        env = server_env(work)
        runs = []
        with (
            gunicorn("benchmarks.hello", env, work) as hello,
            gunicorn("config.wsgi", env, work) as candor,
        ):
            plain = ["plain", "2"]
            get = ["get", "2", str(files["get"])]
            warm_up(hello, "/", plain)
            warm_up(candor, f"/s/{pools['get'][0]}/", get, connections=WORKERS)
            cookie, csrf = _csrf(candor, pools["get"][0])
            post = ["post", "2", str(files["post"]), str(answers), cookie, csrf]
            journey = ["journey", str(CONNECTIONS), str(files["journey"]), str(answers)]
            # The yardstick before and after, as others' work on the machine varies.
            runs.append(_measure("hello", hello, seconds, plain))
            runs.append(_measure("GET", candor, seconds, get))
            runs.append(_measure("POST", candor, seconds, post))
            runs.append(
                _measure("journey", candor, seconds, journey, threads=CONNECTIONS)
            )
            runs.append(_measure("hello", hello, seconds, plain))
    _report(runs)
    return _check(runs)


# --- data -----------------------------------------------------------------------


def seed(links: int) -> tuple[Survey, dict[str, list[str]]]:
    """The survey, and the links of three pools: GET (read only), POST, journey."""
    now = timezone.now()
    department = Department.objects.create(name="Operations")
    team = Team.objects.create(name="Support", department=department)
    Team.objects.create(name="Sales", department=department)
    owner = Person.objects.create(
        user=User.objects.create(
            email="owner@example.org", password=UNUSABLE_PASSWORD_PREFIX
        ),
        name="Tool Owner",
        team=team,
    )
    tools = [
        AITool.objects.create(
            name=name,
            status=AITool.Status.LIVE,
            owner=owner,
            purpose="Drafts so people spend their time on the hard cases.",
            acceptable_use="Check every draft before it goes out.",
        )
        for name in ("Support Copilot", "Meeting Summariser", "Code Assistant")
    ]
    tools[0].teams.set([team])  # one a team's, two everyone's: all asked here
    survey = survey_from_template(
        "ai-rollout-pulse", first_date=now.date(), tools=tools, title="Bench pulse"
    )
    people = 5000
    users = User.objects.bulk_create(
        User(email=f"bench{n}@example.org", password=UNUSABLE_PASSWORD_PREFIX)
        for n in range(people)
    )
    staff = Person.objects.bulk_create(
        Person(user=user, name=f"Person {n}", team=team) for n, user in enumerate(users)
    )
    wanted = {"get": 500, "post": links, "journey": links}
    tokens: list[str] = []
    for number in range(-(-sum(wanted.values()) // people)):
        round_ = Round.objects.create(
            survey=survey,
            starts_at=now - dt.timedelta(hours=1, minutes=number),
            closes_at=now + dt.timedelta(days=5),
            # Fanned out here, to these people only: a dispatcher pass (as in
            # fanout_workers.py) must not invite everyone else to it.
            fanout_done_at=now,
        )
        tokens += _links(round_, staff, team, department, now)
    pools, at = {}, 0
    for name, size in wanted.items():
        pools[name], at = tokens[at : at + size], at + size
    return survey, pools


def _links(round_, staff, team, department, now) -> list[str]:
    invitations = Invitation.objects.bulk_create(
        Invitation(
            round=round_, person=p, team=team, department=department, sent_at=now
        )
        for p in staff
    )
    pairs = [token_new() for _ in invitations]
    InvitationToken.objects.bulk_create(
        InvitationToken(invitation=invitation, token_hash=digest)
        for invitation, (_, digest) in zip(invitations, pairs, strict=True)
    )
    return [token for token, _ in pairs]


def _answers(survey: Survey) -> dict[str, str]:
    return {f"q{q.pk}": ANSWER[q.kind] for q in survey.questions.all()}


# --- load -----------------------------------------------------------------------


def _csrf(server: Server, token: str) -> tuple[str, str]:
    """A CSRF cookie and form token, as a browser gets them from the page."""
    client = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    client.request("GET", f"/s/{token}/")
    response = client.getresponse()
    page = response.read().decode()
    cookie = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie", ""))
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if response.status != 200 or not cookie or not csrf:
        sys.exit(f"the answering page did not answer as expected: {response.status}")
    return cookie.group(1), csrf.group(1)


def _measure(
    name: str, server: Server, seconds: int, args: list[str], threads: int = WRK_THREADS
) -> Run:
    workers = server.workers()
    pg = backends()
    before = cpu(workers), cpu(pg), children_cpu()
    result = wrk(server, seconds=seconds, args=args, threads=threads)
    after = cpu(workers), cpu(pg), children_cpu()
    requests = int(result["requests"])
    cpu_ms = {
        part: (after[n] - before[n]) / requests * 1000
        for n, part in enumerate(("workers", "postgres", "wrk"))
    }
    return Run(
        name,
        requests,
        float(result["seconds"]),
        *(int(result[k]) for k in ("ok", "bad", "saved", "exhausted")),
        int(result["socket_errors"]),
        *(float(result[k]) for k in ("p50_ms", "p95_ms", "p99_ms")),
        cpu_ms,
    )


# --- report ---------------------------------------------------------------------


def _report(runs: list[Run]) -> None:
    yardstick = [r.rps for r in runs if r.name == "hello"]
    hello = sum(yardstick) / len(yardstick)
    print(
        f"{'run':<8} {'req/s':>7} {'share':>6} {'p50 ms':>7} {'p95 ms':>7} "
        f"{'p99 ms':>7} {'errors':>6}   CPU ms per request: workers, postgres, wrk"
    )
    for r in runs:
        errors = r.bad + r.socket_errors
        print(
            f"{r.name:<8} {r.rps:>7.0f} {r.rps / hello:>6.0%} {r.p50_ms:>7.1f} "
            f"{r.p95_ms:>7.1f} {r.p99_ms:>7.1f} {errors:>6}   "
            + ", ".join(f"{ms:.2f}" for ms in r.cpu_ms.values())
        )
    journey = next(r for r in runs if r.name == "journey")
    print(
        f"shares of hello-world's mean, {hello:.0f} req/s; journey: "
        f"{journey.saved / journey.seconds:.0f} people answered per second (a GET "
        "and a POST each; its latencies mix both)"
    )


def _check(runs: list[Run]) -> bool:
    saved = sum(r.saved for r in runs)
    answered = Invitation.objects.filter(answered=True).count()
    responses = SealedResponse.objects.count() + Response.objects.count()
    problems = []
    if responses != answered:
        problems.append(f"{responses:,} responses for {answered:,} answered links")
    if saved > responses:
        problems.append(f"{saved - responses:,} answers confirmed but not stored")
    if any(r.exhausted for r in runs):
        problems.append("a pool of links ran out: raise --links")
    if any(r.bad or r.socket_errors for r in runs):
        problems.append("some requests failed (see errors)")
    print(
        f"rows: {responses:,} responses, {answered:,} answered links, {saved:,} "
        f"confirmed by a redirect ({answered - saved} in flight when wrk stopped); "
        f"lost {max(0, saved - responses)}, twice {max(0, responses - answered)}"
    )
    for problem in problems:
        print(f"FAILED: {problem}")
    return not problems


if __name__ == "__main__":
    main()
