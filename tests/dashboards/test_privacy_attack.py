"""The exhaustive attack: every figure every role can download, combined in pairs and
triples, never isolates fewer people than the floor (docs/PRIVACY.md, "Testing it").

The organisation (ground truth, `truth()`): Sales has teams S2 and S7, Ops has O3, O4
and O12, Eng has E6 (34 people, named "S2.1" to "E6.6"). One anonymous pulse survey
(floor 5, comment threshold 10) asks three agreement questions (two with a driver),
eNPS, a comment, and the hours saved and accuracy of one AI tool; it ran three
weekly rounds, all closed and published. Some people skip round 2 or 3 (E6 falls
to 4 in round 2), two of E6 skip eNPS in round 1, a few write no comment. The board
holds output ratings on six days over four weeks (the last week below the floor).
A customer survey (floor 5, threshold 10) ran the same three weeks with 12, 3 and
7 customers. Personas: HR, a leader of E6, a leader of O4 and O12, an employee,
the tool's owner (in S7). The first and last rounds of each survey are
summarised (`dashboards.summaries`), the middle ones not: pages read both kinds.

What the attack enumerates, per role, every page it may open:

- pages and charts: the overview's CSVs (`?csv=` sentiment, participation,
  team_participation, drivers, comments; sentiment and participation for those who
  see published results), the tools page's (hours, hours_total, accuracy), the tool
  page's (tool_hours, hours_total, tool_accuracy, beside), the customers page's
  (csat_nps, customer_comments), HR's comments page (HTML: counts and texts), and
  the API's `/api/v1/dashboards/<page>/` and `/api/v1/tools/<id>/dashboard/`, whose
  tables must equal the CSVs (the comments page's commenters CSV and API must
  say, round for round, what its HTML says). Concerns are left out: they are named,
  not anonymous.
- filters: department (none, each) x team (none, each) x dates, where the dates are
  every whole-round range (since/until on each round's start and none: rounds
  {1, 2, 3}, {1}, {1, 2}, {2, 3}, {2}, {3}).

How it is pruned, keeping every filter that changes who is counted:

- a team with its own department asks for the same people as the team alone, and
  a team with another department for nobody: only the team alone is fetched;
- a filter the role may not use is dropped by the server with a note (a leader's
  team or department outside their teams, anyone's on the published and owner's
  views): those views are fetched without it;
- the survey filter (one employee survey) selects the same rounds as none, except
  where it removes board ratings (the AI tools pages with no people cut): there it
  is fetched with every whole-round range;
- the AI tool filter picks the one tool the tools page shows anyway, and changes
  nothing else but the rollout events drawn on charts: never fetched;
- where board ratings count (HR's and the owner's AI tools pages with no people
  cut), the dates run over every day a round starts or a rating was given, the
  day after and the day before, keeping one range per distinct selection (rounds,
  rating days, rating cells touched).

Every shown row becomes a figure: its measure (the quantity it sums: agreement,
one driver, eNPS, comments, invitees, hours, verdicts, CSAT, NPS, customers'
comments; a count n sums ones over the same people), its rounds (from its week or
round), the people it covers and its n. The people come from the ground truth,
read two ways:

- the page's claim, in each round the row counts (its week's, or every round in
  view): the view's people (role and filters, as dashboards/scope.py narrows
  them), plus the teams its text says were merged in in that round, less those it
  says were left out there. The text is sentences joined by ". ": "with A + B[ in
  the round(s) of 9 Mar 2026, ...], merged in to reach the floor" (naming no
  round: in every round the row counts anyone in) and "without C[ in the round(s)
  of ...]: <why>" (units "A + B", or "Sales: S2; Eng: E6" across departments).
  A trend table has it per series ("<series>: also counts": each series has its
  own cells), other tables in one "Also counts" column, the comments page in
  brackets after its count ("N people wrote a comment (...)"), whose texts'
  writers the ground truth knows; a heatmap row counts its cell's teams ("A + B")
  in the rounds its "Rounds" column names ("every round in view" or days). For
  board ratings: whole weeks joined until they hold the floor (PRIVACY.md,
  "Time"), a cell dated by its last week and taken whole by the dates that touch
  it. The text is checked against the cells too: it names only the row's rounds,
  merges in only teams the view does not ask for, and leaves out only teams it
  does, in rounds they answered, for the reason their cell gives;
- the engine's cells: `partition` of each round's population; a view takes each
  shown cell holding someone it asks for, whole, and a leader only the cells made
  of their own teams (dashboards/privacy).

A row is explained by whichever of the two matches its n and its values (means,
shares, sums recomputed from the ground truth), the claim first. A row explained
only by the cells says one thing and counts another; a row explained by neither
counts something unknown: both fail `test_every_figure_counts_the_people_it_says`.
The leak search then runs over what each figure really counts: within a measure,
every pair (A minus B, B inside A) and triple (A minus B minus C, B and C disjoint
inside A) of distinct figures whose difference holds 1 to floor - 1 people (a
person counted in several rounds is one person; floor 5, 10 for comments).

About 2,200 requests (555 views) and 2,800 figures: about two minutes on SQLite.

The old guard (`git show 95fe5ad:dashboards/scope.py`, `suppression.py`: weeks and
teams hidden with their smallest sibling, each view compared with the views one
cut away) is reproduced over the same ground truth in `old_guard_figures`, and the
same search must find the department-minus-team and the two-date-ranges leaks there.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import random
import re
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from itertools import combinations
from urllib.parse import urlencode

import pytest
import time_machine
from django.core.cache import cache as django_cache
from django.db import transaction
from django.test import Client

from dashboards.csv import safe_cell
from dashboards.privacy.partition import partition
from dashboards.summaries import round_summarise
from feedback.models import OutputRating
from org.models import AITool
from org.roles import Role
from surveys.models import Answer, Invitation, Question, Response, Round, Survey
from tests.org.factories import (
    CustomerFactory,
    DepartmentFactory,
    PersonFactory,
    TeamFactory,
)

Kind = Question.Kind
FLOOR, THRESHOLD = 5, 10

# --- The organisation, as ground truth -----------------------------------------------

DEPARTMENT = {
    "S2": "Sales",
    "S7": "Sales",
    "O3": "Ops",
    "O4": "Ops",
    "O12": "Ops",
    "E6": "Eng",
}
SIZE = {"S2": 2, "S7": 7, "O3": 3, "O4": 4, "O12": 12, "E6": 6}
TEAMS = tuple(SIZE)
MONDAYS = (dt.date(2026, 3, 2), dt.date(2026, 3, 9), dt.date(2026, 3, 16))
ROUNDS = (0, 1, 2)
NOW = dt.datetime(2026, 3, 30, 12, tzinfo=dt.UTC)  # every rating week is over
SKIPS = {1: {"E6.5", "E6.6", "O12.12"}, 2: {"S7.7", "O3.3", "O12.11", "O12.12"}}
NO_ENPS = {0: {"E6.5", "E6.6"}}
NO_COMMENT = {0: {"O12.1", "O12.2"}, 2: {"S7.1"}}
LIKERT = {"trust": "Trust", "clarity": "Clarity of purpose", "general": ""}
VERDICTS = ("correct", "mostly_correct", "incorrect")
RATINGS_ON = {  # day -> ratings given: weeks of 6, 3, 3 (joined: 6) and 2 (waits)
    dt.date(2026, 3, 4): 2,
    dt.date(2026, 3, 5): 4,
    dt.date(2026, 3, 11): 1,
    dt.date(2026, 3, 13): 2,
    dt.date(2026, 3, 17): 3,
    dt.date(2026, 3, 23): 2,
}
CUSTOMERS_IN = {0: range(1, 13), 1: range(1, 4), 2: range(4, 11)}
PERSONAS = {
    "hr": "O12.1",
    "leader": "E6.1",
    "leader2": "O4.1",
    "employee": "O12.2",
    "owner": "S7.2",
}
LEADS = {"leader": ("E6",), "leader2": ("O4", "O12")}

# What each population is: the people a kind of figure counts, and its floor.
CUSTOMER_MEASURES = ("csat", "tool_csat", "nps", "customer_comments")
FLOOR_OF = {"comments": THRESHOLD, "customer_comments": THRESHOLD}

# Someone counted once: (person, customer or rating; round, None for a rating).
Who = tuple[str, int | None]


@dataclass(frozen=True)
class Truth:
    team_of: dict[str, str]  # person -> team
    answers: dict[tuple[str, int], dict]  # (person, round) -> what they answered
    ratings: dict[str, tuple[dt.date, str]]  # "rating 3" -> (day, verdict)
    customers: dict[tuple[str, int], dict]  # (customer, round) -> what they answered

    def population(self, measure: str, r: int) -> dict[str, str | None]:
        """Who is in a round's population for a measure, with their team."""
        if measure in CUSTOMER_MEASURES:
            return {c: None for c, cr in self.customers if cr == r}
        if measure == "invitees":
            return dict(self.team_of)
        found = {}
        for (person, pr), answer in self.answers.items():
            if pr != r:
                continue
            if measure == "enps" and answer["enps"] is None:
                continue
            if measure == "comments" and answer["comment"] is None:
                continue
            found[person] = self.team_of[person]
        return found

    def people(self, measure: str, r: int, teams: Iterable[str]) -> frozenset[Who]:
        teams = set(teams)
        return frozenset(
            (who, r)
            for who, team in self.population(measure, r).items()
            if team is None or team in teams
        )


@cache
def truth() -> Truth:
    rng = random.Random(2026)  # noqa: S311 - test data, the same every run
    team_of = {f"{t}.{i}": t for t, size in SIZE.items() for i in range(1, size + 1)}
    answers = {}
    for r in ROUNDS:
        for person in team_of:
            if person in SKIPS.get(r, ()):
                continue
            answers[(person, r)] = {
                "likert": {q: rng.randint(1, 5) for q in LIKERT},
                "enps": None if person in NO_ENPS.get(r, ()) else rng.randint(0, 10),
                "comment": None
                if person in NO_COMMENT.get(r, ())
                else (f"note {person} r{r}", round(rng.uniform(-1, 1), 3)),
                "hours": rng.randint(0, 8),
                "verdict": rng.choice(VERDICTS),
            }
    ratings, index = {}, 0
    for day, count in RATINGS_ON.items():
        for _ in range(count):
            index += 1
            ratings[f"rating {index}"] = (day, rng.choice(VERDICTS))
    customers = {}
    for r, numbers in CUSTOMERS_IN.items():
        for i in numbers:
            customers[(f"C.{i}", r)] = {
                "csat": rng.randint(1, 5),
                "tool_csat": rng.randint(1, 5),
                "nps": rng.randint(0, 10),
                "comment": (f"remark C.{i} r{r}", round(rng.uniform(-1, 1), 3)),
            }
    return Truth(team_of, answers, ratings, customers)


def week_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def rating_cells() -> list[tuple[dt.date, dt.date, frozenset[Who]]]:
    """The board's time cells (PRIVACY.md, "Time"): whole weeks joined from the
    first until they hold the floor; a trailing run below it waits, shown nowhere.
    (first Monday, last Monday, ratings)."""
    weeks: dict[dt.date, set[Who]] = defaultdict(set)
    for rating, (day, _) in truth().ratings.items():
        if week_of(day) < week_of(NOW.date()):
            weeks[week_of(day)].add((rating, None))
    cells, run, first = [], set(), None
    for week in sorted(weeks):
        first = first or week
        run |= weeks[week]
        if len(run) >= FLOOR:
            cells.append((first, week, frozenset(run)))
            run, first = set(), None
    return cells


# --- What a figure's people answered: the values a page must show -----------------


def answers_of(measure: str, people: Iterable[Who]) -> list:
    t = truth()
    found = []
    for who, r in people:
        if r is None:
            found.append(t.ratings[who][1])
        elif measure in CUSTOMER_MEASURES:
            found.append(t.customers[(who, r)])
        else:
            found.append(t.answers.get((who, r)))
    return found


def value_of(kind: str, people: frozenset[Who]) -> tuple[float, ...]:
    """The figures a page shows for these people, computed as the metric does."""
    rows = answers_of(kind.split(":")[0].removesuffix("_shares"), people)
    if kind == "likert":
        numbers = [v for row in rows for v in row["likert"].values()]
        return (round((sum(numbers) / len(numbers) - 1) * 25, 1),)
    if kind.startswith("likert:"):
        numbers = [row["likert"][kind.split(":")[1]] for row in rows]
        return (round(sum(numbers) / len(numbers), 2),)
    if kind in ("enps", "nps"):
        return (_promoters([row[kind] for row in rows]),)
    if kind in ("comments", "customer_comments"):
        tones = [row["comment"][1] for row in rows]
        return (round(sum(tones) / len(tones), 3),)
    if kind == "invitees":
        return (float(sum((who, r) in truth().answers for who, r in people)),)
    if kind == "hours":
        return (round(float(sum(row["hours"] for row in rows)), 1),)
    if kind in ("accuracy", "accuracy_shares"):
        verdicts = Counter(r if isinstance(r, str) else r["verdict"] for r in rows)
        total = sum(verdicts.values())
        if kind == "accuracy_shares":
            return tuple(round(100 * verdicts[v] / total, 1) for v in VERDICTS)
        right = verdicts["correct"] + verdicts["mostly_correct"]
        return (round(100 * right / total, 1),)
    if kind in ("csat", "tool_csat"):
        return (round(100 * sum(row[kind] >= 4 for row in rows) / len(rows), 1),)
    raise AssertionError(kind)


def _promoters(scores: list[int]) -> float:
    promoters = sum(s >= 9 for s in scores)
    detractors = sum(s <= 6 for s in scores)
    return round(100 * (promoters - detractors) / len(scores), 1)


# --- Views: who asks for what -----------------------------------------------------


@dataclass(frozen=True)
class View:
    role: str
    page: str  # sentiment, tools, tool, customers, comments
    since: dt.date | None = None
    until: dt.date | None = None
    department: str | None = None
    team: str | None = None
    survey: bool = False  # the page's own survey

    @property
    def reach(self) -> str:
        if self.role == "hr":
            return "org"
        if self.role in LEADS:
            return "teams"
        return "owner" if self.page == "tool" else "published"

    @property
    def allowed(self) -> tuple[str, ...]:
        return LEADS[self.role] if self.reach == "teams" else TEAMS

    @property
    def asked(self) -> frozenset[str]:
        """The teams the view asks for, after the server drops what the role may
        not filter (dashboards/scope.py)."""
        if self.reach in ("published", "owner"):
            return frozenset(TEAMS)
        allowed = self.allowed
        team = self.team if self.team in allowed else None
        department = self.department
        if not any(DEPARTMENT[t] == department for t in allowed):
            department = None
        return frozenset(
            t
            for t in allowed
            if (team is None or t == team)
            and (department is None or DEPARTMENT[t] == department)
        )

    @property
    def rounds(self) -> tuple[int, ...]:
        return tuple(
            r
            for r in ROUNDS
            if (self.since is None or MONDAYS[r] >= self.since)
            and (self.until is None or MONDAYS[r] <= self.until)
        )

    @property
    def with_ratings(self) -> bool:
        """Board ratings keep no person: any people cut leaves them out."""
        cut = self.reach == "teams" or self.survey
        if self.reach == "org":
            cut = cut or self.team is not None or self.department is not None
        return self.page in ("tools", "tool") and not cut

    def ratings(self, week: dt.date | None = None) -> frozenset[Who]:
        """The rating cells the dates touch (whole cells), of one week or all."""
        if not self.with_ratings:
            return frozenset()
        found: set[Who] = set()
        for first, last, ratings in rating_cells():
            if self.since and last + dt.timedelta(days=6) < self.since:
                continue
            if self.until and first > self.until:
                continue
            if week is None or last == week:
                found |= ratings
        return frozenset(found)

    def may_see(self, teams: Iterable[str]) -> bool:
        return self.reach != "teams" or set(teams) <= set(self.allowed)


CHARTS = {
    "sentiment": [
        "sentiment",
        "participation",
        "team_participation",
        "drivers",
        "comments",
    ],
    "tools": ["hours", "hours_total", "accuracy"],
    "tool": ["tool_hours", "hours_total", "tool_accuracy", "beside"],
    "customers": ["csat_nps", "customer_comments"],
    "comments": [],
}
PAGES_OF = {
    "hr": ("sentiment", "tools", "tool", "customers", "comments"),
    "leader": ("sentiment", "tools", "tool"),
    "leader2": ("sentiment", "tools", "tool"),
    "employee": ("sentiment",),
    "owner": ("sentiment", "tool"),
}
ROUND_RANGES = (
    (None, None),
    (None, MONDAYS[0]),
    (None, MONDAYS[1]),
    (MONDAYS[1], None),
    (MONDAYS[1], MONDAYS[1]),
    (MONDAYS[2], None),
)


def charts_of(view: View) -> list[str]:
    if view.page == "sentiment" and view.reach == "published":
        return ["sentiment", "participation"]
    return CHARTS[view.page]


def people_options(role: str, page: str) -> list[dict]:
    if page == "customers" or role in ("employee", "owner"):
        return [{}]
    allowed = LEADS.get(role, TEAMS)
    departments = sorted({DEPARTMENT[t] for t in allowed})
    return [
        {},
        *({"department": d} for d in departments),
        *({"team": t} for t in allowed),
    ]


def day_ranges() -> list[tuple[dt.date | None, dt.date | None]]:
    """Every since/until over the days rounds start and ratings were given (the
    day itself, the one after and before), one per distinct selection."""
    days = set(MONDAYS) | set(RATINGS_ON)
    one = dt.timedelta(days=1)
    sinces = [None, *sorted(days | {d + one for d in days})]
    untils = [None, *sorted(days | {d - one for d in days})]
    kept, seen = [], set()
    for since in sinces:
        for until in untils:
            if since and until and since > until:
                continue
            view = View("hr", "tools", since, until)
            days_in = frozenset(
                d
                for d in RATINGS_ON
                if (since is None or d >= since) and (until is None or d <= until)
            )
            key = (view.rounds, days_in, view.ratings())
            if key not in seen:
                seen.add(key)
                kept.append((since, until))
    return kept


def views() -> Iterator[View]:
    for role, pages in PAGES_OF.items():
        for page in pages:
            for people in people_options(role, page):
                base = View(role, page, **people)
                uncut = not people and base.reach in ("org", "owner")
                if page in ("tools", "tool") and uncut:
                    for since, until in day_ranges():
                        yield View(role, page, since, until)
                    for since, until in ROUND_RANGES:
                        yield View(role, page, since, until, survey=True)
                    continue
                for since, until in ROUND_RANGES:
                    yield View(role, page, since, until, **people)


# --- The database, built from the ground truth ----------------------------------


@dataclass
class World:
    team_pk: dict[str, int]
    department_pk: dict[str, int]
    tool: int
    survey: int
    customer_survey: int
    users: dict[str, object]

    def url(self, view: View, *, api: bool = False, chart: str = "") -> str:
        query = {
            "since": view.since.isoformat() if view.since else None,
            "until": view.until.isoformat() if view.until else None,
            "department": self.department_pk.get(view.department),
            "team": self.team_pk.get(view.team),
            "survey": (
                self.customer_survey if view.page == "customers" else self.survey
            )
            if view.survey
            else None,
            "csv": chart or None,
        }
        path = {
            "sentiment": ("/dashboards/", "/api/v1/dashboards/sentiment/"),
            "tools": ("/dashboards/tools/", "/api/v1/dashboards/tools/"),
            "tool": (
                f"/dashboards/tools/{self.tool}/",
                f"/api/v1/tools/{self.tool}/dashboard/",
            ),
            "customers": ("/dashboards/customers/", "/api/v1/dashboards/customers/"),
            "comments": ("/dashboards/comments/", "/api/v1/dashboards/comments/"),
        }[view.page][api]
        encoded = urlencode({k: v for k, v in query.items() if v is not None})
        return f"{path}?{encoded}" if encoded else path


def build_world() -> World:
    t = truth()
    departments = {
        name: DepartmentFactory(name=name) for name in ("Sales", "Ops", "Eng")
    }
    teams = {
        name: TeamFactory(name=name, department=departments[DEPARTMENT[name]])
        for name in TEAMS
    }
    roles = {"hr": Role.HR, "leader": Role.LEADER, "leader2": Role.LEADER}
    by_key = {v: k for k, v in PERSONAS.items()}
    people = {
        key: PersonFactory(
            team=teams[team], roles={roles.get(by_key.get(key), Role.EMPLOYEE)}
        )
        for key, team in t.team_of.items()
    }
    for role, led in LEADS.items():
        for name in led:
            teams[name].manager = people[PERSONAS[role]]
            teams[name].save(update_fields=["manager"])
    tool = AITool.objects.create(
        name="Copilot", owner=people[PERSONAS["owner"]], serves_customers=True
    )
    survey = Survey.objects.create(
        title="Pulse",
        min_group_size=FLOOR,
        comment_threshold=THRESHOLD,
        first_date=MONDAYS[0],
    )
    questions = _employee_questions(survey, tool)
    rounds = {r: _closed_round(survey, MONDAYS[r], 9) for r in ROUNDS}
    invitations, responses, answers = [], [], []
    for r in ROUNDS:
        for key, person in people.items():
            answered = t.answers.get((key, r))
            invitations.append(
                Invitation(
                    round=rounds[r],
                    person=person,
                    # As the fan-out does: the team the person is in when invited.
                    team=teams[t.team_of[key]],
                    department_id=teams[t.team_of[key]].department_id,
                    sent_at=rounds[r].starts_at,
                    answered=bool(answered),
                )
            )
            if answered:
                team = teams[t.team_of[key]]
                response = Response(
                    round=rounds[r],
                    team=team,
                    department_id=team.department_id,
                )
                responses.append(response)
                answers += _employee_answers(response, questions, answered)
    Invitation.objects.bulk_create(invitations)
    customer_survey = _customer_data(tool, responses, answers)
    Response.objects.bulk_create(responses)
    Answer.objects.bulk_create(answers)
    OutputRating.objects.bulk_create(
        OutputRating(ai_tool=tool, rating=verdict, rated_on=day)
        for day, verdict in t.ratings.values()
    )
    # The first and last rounds of each survey summarised, as the scheduler
    # would once they close; the middle ones read raw: both paths, side by side.
    for round_ in Round.objects.filter(starts_at__date__in=(MONDAYS[0], MONDAYS[2])):
        assert round_summarise(round_=round_, now=NOW)
    return World(
        team_pk={name: team.pk for name, team in teams.items()},
        department_pk={name: d.pk for name, d in departments.items()},
        tool=tool.pk,
        survey=survey.pk,
        customer_survey=customer_survey.pk,
        users={role: people[key].user for role, key in PERSONAS.items()},
    )


def _closed_round(survey: Survey, monday: dt.date, hour: int) -> Round:
    starts = dt.datetime.combine(monday, dt.time(hour), tzinfo=dt.UTC)
    return Round.objects.create(
        survey=survey,
        starts_at=starts,
        closes_at=starts + dt.timedelta(days=5),
        closed_at=starts + dt.timedelta(days=5),
        results_published_at=starts + dt.timedelta(days=6),
    )


def _employee_questions(survey: Survey, tool: AITool) -> dict[str, Question]:
    found = {}
    for position, (key, driver) in enumerate(
        {"trust": "trust", "clarity": "clarity", "general": ""}.items()
    ):
        found[key] = Question.objects.create(
            survey=survey, position=position, kind=Kind.LIKERT, driver=driver, text=key
        )
    for key, kind in (
        ("enps", Kind.ENPS),
        ("comment", Kind.FREE_TEXT),
        ("hours", Kind.HOURS_SAVED),
        ("accuracy", Kind.AI_ACCURACY),
    ):
        found[key] = Question.objects.create(
            survey=survey,
            position=len(found),
            kind=kind,
            text=key,
            required=key != "comment",
            ai_tool=tool if key in ("hours", "accuracy") else None,
        )
    return found


def _employee_answers(response, questions, answered: dict) -> list[Answer]:
    found = [
        Answer(response=response, question=questions[q], number=Decimal(v))
        for q, v in answered["likert"].items()
    ]
    if answered["enps"] is not None:
        found.append(
            Answer(
                response=response,
                question=questions["enps"],
                number=Decimal(answered["enps"]),
            )
        )
    if answered["comment"] is not None:
        text, sentiment = answered["comment"]
        found.append(
            Answer(
                response=response,
                question=questions["comment"],
                text=text,
                sentiment=sentiment,
            )
        )
    found.append(
        Answer(
            response=response,
            question=questions["hours"],
            number=Decimal(answered["hours"]),
        )
    )
    found.append(
        Answer(
            response=response,
            question=questions["accuracy"],
            choice=answered["verdict"],
        )
    )
    return found


def _customer_data(tool: AITool, responses: list, answers: list) -> Survey:
    survey = Survey.objects.create(
        title="Customers",
        audience=Survey.Audience.CUSTOMERS,
        min_group_size=FLOOR,
        comment_threshold=THRESHOLD,
        first_date=MONDAYS[0],
    )
    questions = {
        key: Question.objects.create(
            survey=survey,
            position=position,
            kind=kind,
            text=key,
            driver="",
            ai_tool=tool if key == "tool_csat" else None,
        )
        for position, (key, kind) in enumerate(
            (
                ("csat", Kind.CSAT),
                ("tool_csat", Kind.CSAT),
                ("nps", Kind.ENPS),
                ("comment", Kind.FREE_TEXT),
            )
        )
    }
    rounds = {r: _closed_round(survey, MONDAYS[r], 10) for r in ROUNDS}
    for key, r in sorted(truth().customers):
        CustomerFactory(email=f"{key.lower()}-{r}@client.example")
        answered = truth().customers[(key, r)]
        response = Response(round=rounds[r])
        responses.append(response)
        for name in ("csat", "tool_csat", "nps"):
            answers.append(
                Answer(
                    response=response,
                    question=questions[name],
                    number=Decimal(answered[name]),
                )
            )
        text, sentiment = answered["comment"]
        answers.append(
            Answer(
                response=response,
                question=questions["comment"],
                text=text,
                sentiment=sentiment,
            )
        )
    return survey


# --- Reading what a page shows -------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """A shown number: what it sums (its measure), over whom, and where."""

    measure: str
    people: frozenset[Who]
    n: int | None
    url: str
    where: str
    view: View


@dataclass
class Crawl:
    figures: list[Figure] = field(default_factory=list)
    dishonest: list[str] = field(default_factory=list)  # counts other than it says
    unexplained: list[str] = field(default_factory=list)  # counts no one knows what
    api_mismatch: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # opened though forbidden
    requests: int = 0
    views: int = 0
    seconds: float = 0.0


@dataclass(frozen=True)
class Row:
    """One shown row, as the page states it."""

    measure: str
    kind: str  # how its value is computed (`value_of`)
    n: int | None
    value: tuple[float, ...]
    claim: frozenset[Who]  # what the page says it counts
    cells: frozenset[Who]  # what the engine's cells count
    where: str
    says: Says | str = ""  # what it says it also counts (and leaves out)


class Cells:
    """The engine's cells, from the ground truth, as dashboards/privacy documents
    them: `partition` of each round's population by (department, team) ids; a view
    takes each shown cell holding someone it asks for, whole, and a leader only
    the cells made of their own teams."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.names = {pk: name for name, pk in world.team_pk.items()}

    @staticmethod
    def population(measure: str) -> str:
        if measure.startswith("likert") or measure in ("hours", "accuracy"):
            return "likert"  # whoever answers a round answers all of these
        return measure

    @cache  # noqa: B019 - one instance per crawl
    def of(self, measure: str, r: int) -> list[tuple[frozenset[str], int]]:
        sizes: Counter = Counter()
        for team in truth().population(self.population(measure), r).values():
            pks = (self.world.department_pk[DEPARTMENT[team]], self.world.team_pk[team])
            sizes[pks] += 1
        floor = FLOOR_OF.get(measure, FLOOR)
        return [
            (frozenset(self.names[t] for _, t in cell.units), cell.n)
            for cell in partition(sizes, floor=floor)
        ]

    def taken(self, view: View, measure: str, r: int) -> list[frozenset[str]]:
        floor = FLOOR_OF.get(measure, FLOOR)
        return [
            teams
            for teams, n in self.of(measure, r)
            if teams & view.asked and n >= floor and view.may_see(teams)
        ]

    def people(self, view: View, measure: str, r: int) -> frozenset[Who]:
        teams = set().union(*self.taken(view, measure, r))
        return truth().people(measure, r, teams) if teams else frozenset()


class Unreadable(ValueError):
    """A text the reader cannot read: the page says something it does not know."""


def teams_named(units: str) -> frozenset[str]:
    """The teams a cell or a list of units names: "S2 + S7", or across departments
    "Sales: S2 + S7; Eng: E6" (each team under its own department)."""
    parts = units.split("; ")
    teams: set[str] = set()
    for part in parts:
        department, _, names = part.rpartition(": ")
        if (department == "") != (len(parts) == 1):
            raise Unreadable(f"departments in {units!r}")
        for name in names.split(" + "):
            if name not in SIZE or department not in ("", DEPARTMENT[name]):
                raise Unreadable(f"team {name!r} in {units!r}")
            teams.add(name)
    return frozenset(teams)


DAY = r"\d{1,2} [A-Z][a-z]{2} \d{4}"
IN_ROUNDS = rf"(?: in the (?P<word>rounds?) of (?P<days>{DAY}(?:, {DAY})*))?"
MERGED_IN = re.compile(rf"with (?P<units>.+?){IN_ROUNDS}, merged in to reach the floor")
LEFT_OUT = re.compile(
    rf"without (?P<units>.+?){IN_ROUNDS}: "
    r"(?P<reason>hidden: merged with a team you do not lead|fewer than \d+ [a-z]+)"
)
MERGED_AWAY = "hidden: merged with a team you do not lead"


def round_of_day(label: str) -> int:
    """The round a day label names ("9 Mar 2026": the day it started)."""
    try:
        day = dt.datetime.strptime(label, "%d %b %Y").date()  # noqa: DTZ007
        return MONDAYS.index(day)
    except ValueError:
        raise Unreadable(f"no round started on {label!r}") from None


def rounds_named(found: re.Match) -> frozenset[int] | None:
    """The rounds " in the round(s) of ..." names; None when it names none."""
    if found["days"] is None:
        return None
    days = found["days"].split(", ")
    if (found["word"] == "round") != (len(days) == 1) or len(set(days)) < len(days):
        raise Unreadable(f"{found['word']} of {found['days']!r}")
    return frozenset(round_of_day(day) for day in days)


@dataclass(frozen=True)
class Says:
    """What a row's "also counts" text says beyond its view's own people: teams
    merged in and teams left out (with why), each in the rounds it names (None:
    every round the row counts)."""

    text: str = ""
    merged: tuple[tuple[frozenset[str], frozenset[int] | None], ...] = ()
    left_out: tuple[tuple[frozenset[str], frozenset[int] | None, str], ...] = ()

    @classmethod
    def read(cls, text: str) -> Says:
        """ "with A + B[ in the round(s) of D1, D2], merged in to reach the floor"
        and "without C[ in the round(s) of ...]: <reason>" sentences, joined by
        ". "; raises `Unreadable`."""
        text = text.strip()
        merged, left_out = [], []
        for sentence in text.split(". ") if text else ():
            if found := MERGED_IN.fullmatch(sentence):
                merged.append((teams_named(found["units"]), rounds_named(found)))
            elif found := LEFT_OUT.fullmatch(sentence):
                teams, rounds = teams_named(found["units"]), rounds_named(found)
                left_out.append((teams, rounds, found["reason"]))
            else:
                raise Unreadable(f"sentence {sentence!r}")
        return cls(text, tuple(merged), tuple(left_out))

    def left_out_in(self, r: int) -> frozenset[str]:
        return frozenset().union(
            *(teams for teams, days, _ in self.left_out if days is None or r in days)
        )

    def merged_in(self, r: int, *, counted: bool) -> frozenset[str]:
        """The teams merged in in round r: those it names r for, and, if the row
        counts anyone in r, those it names no round for."""
        return frozenset().union(
            *(
                teams
                for teams, days in self.merged
                if (r in days if days is not None else counted)
            )
        )

    def named(self) -> set[int]:
        """Every round a sentence names."""
        found = [days for _, days in self.merged] + [d for _, d, _ in self.left_out]
        return set().union(*(days for days in found if days is not None))


def number(cell: str) -> float | None:
    try:
        return float(cell)
    except ValueError:
        return None


def round_of_week(week: str) -> int | None:
    day = dt.date.fromisoformat(week)
    return MONDAYS.index(day) if day in MONDAYS else None


def describe(people: Iterable[Who]) -> str:
    """ "round 1: E6 6, S2 2; board 3": who a set holds, by round and team."""
    t = truth()
    counts: Counter = Counter()
    for who, r in people:
        if r is None:
            counts[("board", "")] += 1
        else:
            counts[(f"round {r + 1}", t.team_of.get(who, "customers"))] += 1
    by_round: dict[str, list[str]] = defaultdict(list)
    for (r, team), n in sorted(counts.items()):
        by_round[r].append(f"{team} {n}".strip())
    return "; ".join(f"{r}: {', '.join(teams)}" for r, teams in by_round.items())


SERIES = {
    "Sentiment index (0-100)": "likert",
    "eNPS": "enps",
    "Comment sentiment": "comments",
    "CSAT (%)": "csat",
    "NPS": "nps",
    "Employees: output correct or mostly correct (%)": "accuracy",
    "Customers: satisfied with the AI-assisted service (%)": "tool_csat",
}
# The charts whose table has one "Also counts" column, last (a row per figure).
ALSO_COUNTS = ("participation", "hours", "tool_hours", "accuracy", "tool_accuracy")
COMMENT = re.compile(r'data-testid="comment-text">note (\S+) r(\d)</p>')


class Reader:
    """Turns one view's tables into figures, filed in the crawl."""

    def __init__(self, crawl: Crawl, cells: Cells, view: View) -> None:
        self.crawl, self.cells, self.view = crawl, cells, view
        self.url = ""
        self.hours: list[Row] = []

    def file(self, row: Row) -> None:
        """File a row under what it really counts: its claim when that matches
        its n and value; else the engine's cells (the page says something else);
        else nothing (no one knows what it counts)."""
        text = row.says.text if isinstance(row.says, Says) else row.says
        said = (
            f"{self.view.role}: {row.where}: n={row.n} value={row.value}, "
            f"says {text!r}, claims {len(row.claim)} ({describe(row.claim)}) "
            f"at {self.url}"
        )
        if self.fits(row, row.claim):
            people = row.claim
        elif self.fits(row, row.cells):
            people = row.cells
            self.crawl.dishonest.append(f"{said}; counts {describe(people)}")
        else:
            self.crawl.unexplained.append(f"{said}; cells: {describe(row.cells)}")
            return
        self.crawl.figures.append(
            Figure(row.measure, people, row.n, self.url, row.where, self.view)
        )

    def hidden(self, row: list[str], count: int, figures: list[str]) -> bool:
        """Whether a row's count is blank; then its figures must be too (or say
        why they are hidden), never a number."""
        if row[count] != "":
            return False
        if any(number(cell) is not None for cell in figures):
            self.crawl.unexplained.append(
                f"a number without its n: {row} at {self.url}"
            )
        return True

    @staticmethod
    def fits(row: Row, people: frozenset[Who]) -> bool:
        if not people or (row.n is not None and row.n != len(people)):
            return False
        expected = value_of(row.kind, people)
        return all(abs(a - b) < 1e-6 for a, b in zip(expected, row.value, strict=True))

    def says(self, text: str, where: str) -> Says | None:
        """A row's "also counts" text, read; None, filed, when it cannot be."""
        try:
            return Says.read(text)
        except Unreadable as problem:
            self.crawl.unexplained.append(
                f"{self.view.role}: {where}: unreadable {text!r} ({problem}) "
                f"at {self.url}"
            )
            return None

    def claim(self, measure: str, rounds: Iterable[int], says: Says) -> frozenset[Who]:
        """The people a row says it counts: in each of its rounds, the view's
        teams less those it says it leaves out in that round, plus those it says
        it merged in in that round (a merge naming no round: in every round it
        counts anyone in)."""
        t, found = truth(), set()
        for r in rounds:
            if measure in CUSTOMER_MEASURES:
                found |= t.people(measure, r, ())
                continue
            own = self.view.asked - says.left_out_in(r)
            counted = bool(t.people(measure, r, own))
            found |= t.people(measure, r, own | says.merged_in(r, counted=counted))
        return frozenset(found)

    def engine(self, measure: str, rounds: Iterable[int]) -> frozenset[Who]:
        """The people the engine's cells give a row of these rounds."""
        if measure in CUSTOMER_MEASURES:
            return frozenset().union(*(truth().people(measure, r, ()) for r in rounds))
        return frozenset().union(
            *(self.cells.people(self.view, measure, r) for r in rounds)
        )

    def check(self, says: Says, measure: str, rounds: Iterable[int], where: str):
        """What a row says of merges and omissions, against the engine's cells: it
        names only rounds it counts; it merges in only teams the view does not
        ask for, and leaves out only teams it does, in rounds they answered in,
        for the reason their cell gives (below the floor; merged with a team the
        viewer does not lead)."""
        rounds, problems = tuple(rounds), []
        if not says.named() <= set(rounds):
            problems.append(
                f"names rounds {sorted(says.named() - set(rounds))} not its"
            )
        if measure in CUSTOMER_MEASURES and (says.merged or says.left_out):
            problems.append("names teams in a figure of customers")
            rounds = ()
        for teams, _ in says.merged:
            if teams & self.view.asked:
                problems.append(f"merges in {sorted(teams & self.view.asked)}, asked")
        floor = FLOOR_OF.get(measure, FLOOR)
        for teams, days, reason in says.left_out:
            if not teams <= self.view.asked:
                problems.append(
                    f"leaves out {sorted(teams - self.view.asked)}, unasked"
                )
            for team in sorted(teams):
                for r in sorted(rounds if days is None else days & set(rounds)):
                    cell = [c for c in self.cells.of(measure, r) if team in c[0]]
                    if not cell:
                        if days is not None:
                            problems.append(f"leaves out {team}, absent in r{r + 1}")
                        continue
                    ((teams_of_cell, n),) = cell
                    if n < floor:
                        expected = f"fewer than {floor} "
                    elif not self.view.may_see(teams_of_cell):
                        expected = MERGED_AWAY
                    else:
                        expected = None
                    if expected is None or not reason.startswith(expected):
                        problems.append(
                            f"leaves out {team} in round {r + 1} as {reason!r}, its "
                            f"cell being {' + '.join(sorted(teams_of_cell))} of {n}"
                            + ("" if expected is None else f", so {expected!r}")
                            + (", which the view shows" if expected is None else "")
                        )
        for problem in problems:
            self.crawl.dishonest.append(
                f"{self.view.role}: {where}: {problem}: says {says.text!r} "
                f"at {self.url}"
            )

    def round_row(self, measure: str, week: str, says: Says, where: str):
        """The claim and the cells of a row of one week (one round); a week of
        board ratings holds the rating cells dated by it."""
        r = round_of_week(week)
        rounds = (r,) if r is not None and r in self.view.rounds else ()
        self.check(says, measure, rounds, where)
        claim, cells = self.claim(measure, rounds, says), self.engine(measure, rounds)
        if measure == "accuracy":
            ratings = self.view.ratings(dt.date.fromisoformat(week))
            claim, cells = claim | ratings, cells | ratings
        return claim, cells

    def read(self, chart: str, columns: list[str], rows: list[list[str]]) -> None:
        """A chart's table. Weekly trends have an "also counts" column per series
        (`_trend`); the others, one "Also counts" column, last (ALSO_COUNTS)."""
        handler = getattr(self, f"_{chart}", None)
        if handler is None:
            self._trend(chart, columns, rows)
            return
        also = None
        if "Also counts" in columns:
            if chart in ALSO_COUNTS and columns[-1] == "Also counts":
                also = len(columns) - 1
            else:
                self.crawl.unexplained.append(f"unread column in {columns} {self.url}")
        for row in rows:
            where = f"{chart} row {row[0]}"
            says = Says() if also is None else self.says(row[also], where)
            if says is not None:
                handler(chart, columns, row, says)

    def _trend(self, chart, columns, rows) -> None:
        """Week, then for each series "<series>: respondents", "<series>" and, when
        any of its rows counts other teams than its view's, "<series>: also
        counts" (each series has its own cells)."""
        series, i = [], 1
        while i < len(columns):
            name = columns[i].removesuffix(": respondents")
            if (
                columns[0] != "Week"
                or name == columns[i]
                or columns[i + 1 : i + 2] != [name]
            ):
                self.crawl.unexplained.append(f"unread column in {columns} {self.url}")
                return
            also = i + 2 if columns[i + 2 : i + 3] == [f"{name}: also counts"] else None
            series.append((name, i, also))
            i += 2 if also is None else 3
        for row in rows:
            for name, i, also in series:
                if self.hidden(row, i, row[i + 1 : i + 2]):
                    continue
                where = f"{chart} {name!r} week {row[0]}"
                says = Says() if also is None else self.says(row[also], where)
                if says is None:
                    continue
                measure = "customer_comments" if chart == "customer_comments" else None
                measure = measure or SERIES[name]
                claim, cells = self.round_row(measure, row[0], says, where)
                value = (float(row[i + 1]),)
                self.file(
                    Row(measure, measure, int(row[i]), value, claim, cells, where, says)
                )

    def _participation(self, chart, columns, row, says) -> None:
        """Round, Survey, Starts, Invited, Answered, Participation (%)."""
        if self.hidden(row, 3, row[4:6]):
            return
        where = f"participation round {row[2]}"
        claim, cells = self.round_row("invitees", row[2], says, where)
        value = (float(row[4]),)
        self.file(
            Row("invitees", "invitees", int(row[3]), value, claim, cells, where, says)
        )

    def _team_participation(self, chart, columns, row, says) -> None:
        """Round, Team (the cell), Invited, Answered, Participation (%)."""
        if self.hidden(row, 2, row[3:5]):
            return
        where = f"team_participation {row[1]!r} round {row[0]}"
        try:
            r = round_of_day(row[0].split(" · ")[0])
            teams = teams_named(row[1])
        except Unreadable as problem:
            self.crawl.unexplained.append(f"{where}: {problem} at {self.url}")
            return
        claim = truth().people("invitees", r, teams)
        cells = claim if teams in self.cells.taken(self.view, "invitees", r) else None
        value = (float(row[3]),)
        self.file(
            Row(
                "invitees",
                "invitees",
                int(row[2]),
                value,
                claim,
                cells or frozenset(),
                where,
            )
        )

    def _drivers(self, chart, columns, row, says) -> None:
        """Team (the cell), Driver, Respondents, Mean score, Rounds ("every round
        in view" or the days of the rounds the row counts): the cell's teams in
        those rounds; the engine counts the rounds in which they are a cell."""
        if self.hidden(row, 2, row[3:4]) or number(row[3]) is None:
            return  # a driver too few answered within the cell is blank
        where = f"drivers {row[0]!r} {row[1]}"
        said = row[columns.index("Rounds")]
        try:
            teams = teams_named(row[0])
            rounds = (
                self.view.rounds
                if said == "every round in view"
                else tuple(sorted({round_of_day(day) for day in said.split(", ")}))
            )
        except Unreadable as problem:
            self.crawl.unexplained.append(f"{where}: {problem} at {self.url}")
            return
        if not set(rounds) <= set(self.view.rounds):
            self.crawl.dishonest.append(
                f"{self.view.role}: {where}: counts rounds out of view: {said!r} "
                f"at {self.url}"
            )
        driver = next(key for key, label in LIKERT.items() if label == row[1])
        measure = f"likert:{driver}"
        claim = frozenset().union(*(truth().people(measure, r, teams) for r in rounds))
        cells = frozenset().union(
            *(
                truth().people(measure, r, teams)
                for r in self.view.rounds
                if teams in self.cells.taken(self.view, measure, r)
            )
        )
        value = (float(row[3]),)
        self.file(Row(measure, measure, int(row[2]), value, claim, cells, where, said))

    def _hours(self, chart, columns, row, says) -> None:
        """Week, AI tool, Respondents, Hours saved, per respondent, FTE."""
        if self.hidden(row, 2, row[3:6]):
            return
        where = f"{chart} week {row[0]}"
        claim, cells = self.round_row("hours", row[0], says, where)
        value = (float(row[3]),)
        shown = Row("hours", "hours", int(row[2]), value, claim, cells, where, says)
        self.hours.append(shown)
        self.file(shown)

    _tool_hours = _hours

    def _hours_total(self, chart, columns, row, says) -> None:
        """AI tool, Weeks shown, Weeks hidden, Hours in total...: the sum of the
        weeks shown above it, with no n of its own."""
        if self.hidden(row, 3, row[4:6]):
            return
        if int(row[1]) != len(self.hours):
            self.crawl.unexplained.append(f"weeks shown {row[1]} at {self.url}")
        claim = frozenset().union(*(shown.claim for shown in self.hours))
        cells = frozenset().union(*(shown.cells for shown in self.hours))
        value = (float(row[3]),)
        self.file(Row("hours", "hours", None, value, claim, cells, "hours_total"))

    def _accuracy(self, chart, columns, row, says) -> None:
        """AI tool, Verdicts, the three shares, From surveys, From the board: over
        every round in view and the board's cells the dates touch."""
        if self.hidden(row, 1, row[2:7]):
            return
        rounds = self.view.rounds
        where = f"accuracy {row[0]} (surveys {row[5]}, board {row[6]})"
        self.check(says, "accuracy", rounds, where)
        claim = self.claim("accuracy", rounds, says)
        cells = self.engine("accuracy", rounds)
        ratings = self.view.ratings()
        shares = tuple(float(cell) for cell in row[2:5])
        self.file(
            Row(
                "accuracy",
                "accuracy_shares",
                int(row[1]),
                shares,
                claim | ratings,
                cells | ratings,
                where,
                says,
            )
        )
        if (int(row[5]), int(row[6])) != (int(row[1]) - len(ratings), len(ratings)):
            self.crawl.unexplained.append(
                f"{where}: the board's cells touched hold {len(ratings)}, at {self.url}"
            )

    def _tool_accuracy(self, chart, columns, row, says) -> None:
        """Week, Verdicts, the three shares."""
        if self.hidden(row, 1, row[2:5]):
            return
        where = f"tool_accuracy week {row[0]}"
        claim, cells = self.round_row("accuracy", row[0], says, where)
        shares = tuple(float(cell) for cell in row[2:5])
        self.file(
            Row(
                "accuracy",
                "accuracy_shares",
                int(row[1]),
                shares,
                claim,
                cells,
                where,
                says,
            )
        )

    def comments_page(self, page: str) -> None:
        """Each shown round: "N people wrote a comment (<what it also counts>)" and
        the texts, whose writers the ground truth knows."""
        for section in re.finditer(r"<section.*?</section>", page, re.S):
            body = section.group(0)
            day = re.search(r'<time datetime="([\d-]+)"', body).group(1)
            count = re.search(
                r'data-testid="count">(\d+) (?:person|people) wrote a comment'
                r"(?: \((.*?)\))?;",
                body,
            )
            if count is None:
                assert 'data-testid="hidden"' in body, body
                continue
            r = MONDAYS.index(dt.date.fromisoformat(day))
            n, where = int(count.group(1)), f"comments_page round {day}"
            says = self.says(html.unescape(count.group(2) or ""), where)
            if says is None:
                continue
            self.check(says, "comments", (r,), where)
            claim = self.claim("comments", (r,), says)
            written = frozenset((who, int(pr)) for who, pr in COMMENT.findall(body))
            said = (
                f"hr: {where}: n={n}, claims {describe(claim)} ({says.text!r}) "
                f"at {self.url}"
            )
            if written == claim and n == len(claim):
                pass
            elif n == len(written):
                self.crawl.dishonest.append(f"{said}; lists {describe(written)}")
            else:
                self.crawl.unexplained.append(f"{said}; lists {describe(written)}")
            figure = Figure("comments", written, n, self.url, where, self.view)
            self.crawl.figures.append(figure)


# --- The crawl ------------------------------------------------------------------


def as_csv(value: object) -> str:
    cell = safe_cell(value)
    return cell if isinstance(cell, str) else str(cell)


def crawl_everything(world: World) -> Crawl:
    crawl, cells, started = Crawl(), Cells(world), time.perf_counter()
    clients = {}
    for role, user in world.users.items():
        clients[role] = Client()
        clients[role].force_login(user)

    def get(role: str, url: str, status: int = 200):
        crawl.requests += 1
        if crawl.requests % 400 == 0:
            django_cache.clear()  # the API's per-user rate limit lives there
        response = clients[role].get(url)
        assert response.status_code == status, (role, url, response.status_code)
        return response

    for view in views():
        crawl.views += 1
        reader = Reader(crawl, cells, view)
        if view.page == "comments":
            reader.url = world.url(view)
            page = get(view.role, reader.url).content.decode()
            reader.comments_page(page)
            commenters_agree(crawl, page, world, view, get)
            continue
        api_url = world.url(view, api=True)
        api = {
            chart["name"]: chart for chart in get(view.role, api_url).json()["charts"]
        }
        for chart in charts_of(view):
            reader.url = world.url(view, chart=chart)
            body = get(view.role, reader.url).content.decode()
            columns, *rows = list(csv.reader(io.StringIO(body)))
            from_api = [api[chart]["columns"], *api[chart]["rows"]]
            if [columns, *rows] != [[as_csv(c) for c in r] for r in from_api]:
                crawl.api_mismatch.append(f"{api_url} {chart} != {reader.url}")
            reader.read(chart, columns, rows)
    for role, pages in PAGES_OF.items():
        for page in set(CHARTS) - set(pages):
            view = View(role, page)
            for api in (False, True):
                url = world.url(view, api=api)
                if url and clients[role].get(url).status_code != 403:
                    crawl.refused.append(f"{role} opened {url}")
    crawl.seconds = time.perf_counter() - started
    return crawl


def commenters_agree(crawl: Crawl, page: str, world: World, view: View, get) -> None:
    """The comments page's commenters CSV and the API's say, round for round,
    what its HTML says (the figures read from it): the same count and the same
    teams merged in, or hidden; a mismatch is a figure the HTML does not show."""
    said = {}
    for section in re.finditer(r"<section.*?</section>", page, re.S):
        body = section.group(0)
        day = re.search(r'<time datetime="([\d-]+)"', body).group(1)
        count = re.search(
            r'data-testid="count">(\d+) (?:person|people) wrote a comment'
            r"(?: \((.*?)\))?;",
            body,
        )
        said[day] = (
            None
            if count is None
            else (count.group(1), html.unescape(count.group(2) or ""))
        )
    csv_url = world.url(view, chart="commenters")
    columns, *rows = list(
        csv.reader(io.StringIO(get(view.role, csv_url).content.decode()))
    )
    api_url = world.url(view, api=True)
    (chart,) = get(view.role, api_url).json()["charts"]
    if [columns, *rows] != [
        [as_csv(c) for c in r] for r in [chart["columns"], *chart["rows"]]
    ]:
        crawl.api_mismatch.append(f"{api_url} commenters != {csv_url}")
    from_csv = {
        row[1]: (
            None if not row[2].isdigit() else (row[2], row[3] if len(row) > 3 else "")
        )
        for row in rows
    }
    if from_csv != said:
        crawl.api_mismatch.append(f"{csv_url} says {from_csv}, its page {said}")


# --- The search -------------------------------------------------------------------


@dataclass(frozen=True)
class Leak:
    measure: str
    who: frozenset[str]
    figures: tuple[Figure, ...]  # A, B (and C): A minus the others

    def __str__(self) -> str:
        parts = [f"[{f.where} at {f.url}]" for f in self.figures]
        return f"{self.measure}: {sorted(self.who)} = " + " minus ".join(parts)


def find_leaks(figures: Iterable[Figure]) -> list[Leak]:
    """Every pair (A minus B, B inside A) and triple (A minus B minus C, B and C
    disjoint inside A) of figures of one measure whose difference holds 1 to
    floor - 1 people (a person counted in several rounds is one person)."""
    by_measure: dict[str, dict[frozenset[Who], Figure]] = defaultdict(dict)
    for figure in figures:
        by_measure[figure.measure].setdefault(figure.people, figure)
    leaks = []
    for measure, found in by_measure.items():
        floor = FLOOR_OF.get(measure, FLOOR)
        ordered = sorted(found, key=len)
        for a in ordered:
            inside = [b for b in ordered if len(b) < len(a) and b < a]
            for b in inside:
                rest = a - b
                if 0 < len({who for who, _ in rest}) < floor:
                    leaks.append(_leak(measure, rest, found, a, b))
            for b, c in combinations(inside, 2):
                if len(b) + len(c) >= len(a) or not b.isdisjoint(c):
                    continue
                rest = a - b - c
                if len({who for who, _ in rest}) < floor:
                    leaks.append(_leak(measure, rest, found, a, b, c))
    return leaks


def _leak(measure, rest, found, *sets) -> Leak:
    return Leak(
        measure, frozenset(who for who, _ in rest), tuple(found[s] for s in sets)
    )


def not_seen_by_hr(figures: list[Figure]) -> list[str]:
    """The figures of other roles that are no figure of HR's: the same people of
    the same measure, or, over several rounds, the same per round."""
    hr: dict[str, set[frozenset[Who]]] = defaultdict(set)
    for figure in figures:
        if figure.view.role == "hr":
            hr[figure.measure].add(figure.people)
    problems = []
    for figure in figures:
        if figure.view.role == "hr" or figure.people in hr[figure.measure]:
            continue
        by_round: dict[int | None, set[Who]] = defaultdict(set)
        for who, r in figure.people:
            by_round[r].add((who, r))
        if all(frozenset(part) in hr[figure.measure] for part in by_round.values()):
            continue
        problems.append(
            f"{figure.view.role}: {figure.where} ({describe(figure.people)}) at "
            f"{figure.url}"
        )
    return problems


# --- The old guard, reproduced -----------------------------------------------------
# dashboards/suppression.py and scope.guard_cuts at 95fe5ad, over the same ground
# truth: the overview's weekly sentiment and the tools page's accuracy per tool,
# for HR.

OLD_CUTS = ("department", "team", "survey", "since", "until")


def old_suppressed(counts: dict, floor: int = FLOOR) -> set:
    """Siblings below the floor hidden, with the smallest others until the hidden
    ones are two and hold the floor."""
    hidden = {key for key, n in counts.items() if 0 < n < floor}
    if not hidden:
        return hidden
    shown = sorted(
        (k for k, n in counts.items() if n >= floor), key=lambda k: (counts[k], str(k))
    )
    while shown and (len(hidden) < 2 or sum(counts[k] for k in hidden) < floor):
        hidden.add(shown.pop(0))
    return hidden


def old_cut_hidden(n_cut: int, n_whole: int, floor: int = FLOOR) -> bool:
    return 0 < n_cut < floor or 0 < n_whole - n_cut < floor


def old_relaxed(view: View) -> list[View]:
    """The views one cut away, and the one with every cut removed."""
    active = [name for name in OLD_CUTS if getattr(view, name)]
    broader = [
        View(**{**view.__dict__, name: False if name == "survey" else None})
        for name in active
    ]
    if active:
        broader.append(View(view.role, view.page))
    return [other for other in dict.fromkeys(broader) if other != view]


def old_rows(view: View, measure: str) -> dict:
    """Key -> (people, hidden by the floor) before the guard: weeks of the
    sentiment trend (siblings), or the one tool's verdicts (ratings by their day)."""
    t = truth()
    if measure == "likert":
        rows = {r: t.people("likert", r, view.asked) for r in view.rounds}
        counts = {r: len(people) for r, people in rows.items() if people}
        hidden = old_suppressed(counts)
        return {r: (rows[r], r in hidden) for r in counts}
    people = frozenset().union(
        *(t.people("accuracy", r, view.asked) for r in view.rounds)
    )
    if view.with_ratings:
        people |= {
            (rating, None)
            for rating, (day, _) in t.ratings.items()
            if (view.since is None or day >= view.since)
            and (view.until is None or day <= view.until)
        }
    return {"tool": (people, len(people) < FLOOR)} if people else {}


def old_guarded(view: View, measure: str) -> list[Figure]:
    """`guard_cuts`: a row whose size differs from the same row of a view one cut
    away by a small group is hidden, with siblings."""
    rows = old_rows(view, measure)
    sizes = {key: len(people) for key, (people, hidden) in rows.items() if not hidden}
    risky = set()
    for broader in old_relaxed(view):
        whole = {
            k: len(p)
            for k, (p, hidden) in old_rows(broader, measure).items()
            if not hidden
        }
        risky |= {
            k for k, n in sizes.items() if k in whole and old_cut_hidden(n, whole[k])
        }
    already = {key for key, (_, hidden) in rows.items() if hidden}
    hidden = already | risky
    if risky:
        shown = sorted(
            (k for k in sizes if k not in hidden), key=lambda k: (sizes[k], str(k))
        )
        while shown and (
            len(hidden) < 2 or (not already and sum(sizes[k] for k in hidden) < FLOOR)
        ):
            hidden.add(shown.pop(0))
    return [
        Figure(
            measure, people, len(people), old_url(view), f"old {measure} {key}", view
        )
        for key, (people, _) in rows.items()
        if key not in hidden
    ]


def old_url(view: View) -> str:
    query = {
        k: v
        for k, v in (
            ("department", view.department),
            ("team", view.team),
            ("survey", "pulse" if view.survey else None),
            ("since", view.since),
            ("until", view.until),
        )
        if v
    }
    return f"{view.page}?{urlencode(query)}"


def old_guard_figures() -> list[Figure]:
    figures = []
    for view in views():
        if view.role == "hr" and view.page in ("sentiment", "tools"):
            measure = "likert" if view.page == "sentiment" else "accuracy"
            figures += old_guarded(view, measure)
    return figures


# --- The tests ----------------------------------------------------------------------


# The tests that read the crawl declare the database, so that it is set up.
with_db = pytest.mark.django_db


@pytest.fixture(scope="module")
def attack(django_db_setup, django_db_blocker) -> Crawl:
    """The organisation built once, every view fetched once, all rolled back."""
    with (
        django_db_blocker.unblock(),
        time_machine.travel(NOW, tick=False),
        transaction.atomic(),
    ):
        crawl = crawl_everything(build_world())
        transaction.set_rollback(True)
    return crawl


@with_db
def test_the_attack_reads_every_kind_of_figure(attack):
    measures = Counter(figure.measure for figure in attack.figures)

    assert set(measures) == {
        "likert",
        "likert:trust",
        "likert:clarity",
        "enps",
        "comments",
        "invitees",
        "hours",
        "accuracy",
        "csat",
        "tool_csat",
        "nps",
        "customer_comments",
    }, measures
    roles = {figure.view.role for figure in attack.figures}
    assert roles == set(PERSONAS)
    assert attack.requests > 1000, attack.requests


@with_db
def test_the_api_returns_each_chart_exactly_as_its_csv(attack):
    assert not attack.api_mismatch, "\n".join(attack.api_mismatch)


@with_db
def test_no_one_opens_a_page_that_is_not_for_them(attack):
    assert not attack.refused, "\n".join(attack.refused)


@with_db
def test_every_figure_counts_the_people_it_says(attack):
    """A row counts, in each of its rounds, its view's people, plus the teams it
    says it merged in there, less those it says it left out there (and why);
    nothing more, nothing less (a few examples per chart)."""
    by_chart: dict[str, list[str]] = defaultdict(list)
    for problem in attack.dishonest:
        by_chart[problem.split(": ")[1].split(" ")[0]].append(problem)
    report = [
        f"{chart}: {len(found)} rows, such as\n  " + "\n  ".join(found[:3])
        for chart, found in by_chart.items()
    ]
    report += [f"COUNTS NEITHER: {problem}" for problem in attack.unexplained]

    assert not report, "\n".join(report)


@with_db
def test_no_two_or_three_figures_single_out_fewer_people_than_the_floor(attack):
    leaks = find_leaks(attack.figures)

    assert not leaks, f"{len(leaks)} leaks:\n" + "\n".join(map(str, leaks[:40]))


@with_db
def test_every_figure_a_leader_or_employee_sees_hr_sees_too(attack):
    """Same cells, only fewer: each figure of a leader, the employee or the tool's
    owner is a figure HR sees with some filter, or, over several rounds, the sum
    of HR's figures of each of its rounds (a leader of E6 sees E6 over rounds 1
    and 3, round 2's cell holding teams they do not lead; no date range gives HR
    rounds 1 and 3 alone, but HR sees each)."""
    problems = not_seen_by_hr(attack.figures)

    assert not problems, "\n".join(problems[:40])


def test_the_search_finds_the_leaks_of_the_old_guard():
    """The test of the test: the same search, over the figures the old pairwise
    guard let through, finds Sales minus S7 (S2) and two date ranges a day apart
    (that day's board ratings)."""
    leaks = find_leaks(old_guard_figures())
    s2 = {person for person, team in truth().team_of.items() if team == "S2"}

    department_minus_team = [
        leak
        for leak in leaks
        if leak.measure == "likert"
        and len(leak.figures) == 2
        and leak.figures[0].view.department == "Sales"
        and leak.figures[0].view.team is None
        and leak.figures[1].view.team == "S7"
        and leak.who <= s2
    ]
    two_date_ranges = [
        leak
        for leak in leaks
        if leak.measure == "accuracy"
        and len(leak.figures) == 2
        and all(who.startswith("rating") for who in leak.who)
        and {(f.view.department, f.view.team, f.view.survey) for f in leak.figures}
        == {(None, None, False)}
    ]
    assert department_minus_team, "\n".join(map(str, leaks[:20]))
    assert two_date_ranges, "\n".join(map(str, leaks[:20]))
