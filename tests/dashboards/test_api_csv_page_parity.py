"""One dashboard, three ways, the same numbers: for every dashboard page (every
builder of `dashboards.catalog`), every viewer and every filter below, the page's
tables, each chart's CSV (`?csv=<chart>`) and the API's numbers
(`/api/v1/dashboards/<page>/`, `/api/v1/tools/<id>/dashboard/`) hold the same rows,
cell for cell, hidden cells hidden in all three with the same words; the notes the
page shows (a filter dropped) are the API's; each headline is the latest figure of
its chart; and a viewer refused one is refused all three.

The world is the privacy attack's (`test_privacy_attack.build_world`: teams of 2, 7 |
3, 4, 12 | 6, three closed rounds, board ratings, customers), with a few concerns
added for the concern pages. Its small teams make cells that are shown, merged with
a sibling ("Also counts") and hidden (below the floor, or merged with a team a
leader does not lead), which `test_the_world_shows_and_hides_cells` checks, so the
comparison is never of empty tables.

Where a page shows a number differently from its CSV (a date written out, a cell
with nothing in it, a list cut at `LIST_LIMIT` rows), the readers below say so and
put it back; nothing else is normalised.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import inspect
import io
import re
import typing
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest
import time_machine
from django.core.cache import cache as django_cache
from django.db import transaction
from django.test import Client
from django.urls import reverse

from dashboards import catalog
from dashboards import urls as dashboard_urls
from dashboards.pages import LIST_LIMIT
from feedback.models import Concern, Status, StatusChange
from tests.dashboards.test_privacy_attack import (
    MONDAYS,
    NOW,
    World,
    as_csv,
    build_world,
)

with_db = pytest.mark.django_db

# --- The pages, from the catalog ---------------------------------------------------

# Each builder of the catalog: its HTML page (a URL name of `dashboards.urls`) and
# its API endpoint. A builder added to the catalog without a line here fails
# `test_every_dashboard_page_is_compared`.
PAGES: dict[str, tuple[str, str]] = {
    "sentiment": ("dashboards:overview", "api:dashboard"),
    "customers": ("dashboards:customers", "api:dashboard"),
    "concerns": ("dashboards:concerns", "api:dashboard"),
    "tools": ("dashboards:tools", "api:dashboard"),
    "tool": ("dashboards:tool", "api:tool_dashboard"),
    "comments": ("dashboards:comments", "api:dashboard"),
}
# The URLs of `dashboards.urls` that are actions, not pages of numbers.
ACTIONS = {"round_publish"}


def catalog_builders() -> set[str]:
    """Every public function of the catalog that builds a page (returns `Built`)."""
    return {
        name
        for name, function in inspect.getmembers(catalog, inspect.isfunction)
        if function.__module__ == catalog.__name__
        and not name.startswith("_")
        and typing.get_type_hints(function).get("return") is catalog.Built
    }


# --- Who looks, with which filters -------------------------------------------------

ROLES = ("hr", "leader", "leader2", "employee", "owner")
# Filters by name (teams and departments of the attack's world), each chosen for
# what it shows: the whole view; a department; O4, merged with O3 (which leader2,
# who leads O4 and O12, does not lead: hidden for them, "also counts" for HR); S2
# (two people, merged with S7) from the second round on; one round and the AI tool.
FILTERS: tuple[dict[str, object], ...] = (
    {},
    {"department": "Ops"},
    {"team": "O4"},
    {"team": "S2", "since": MONDAYS[1]},
    {"since": MONDAYS[1], "until": MONDAYS[1], "tool": "Copilot"},
)
# Those who see published results only, or one tool org-wide, have no team cut to
# make, and leader2 is the leader with teams to cut: fewer filters for the others
# (the leader of E6 asks for O4, a team they do not lead, and is told).
FEWER = {"employee": FILTERS[::4], "owner": FILTERS[::4], "leader": FILTERS[::2]}


@dataclass
class Fetched:
    """One viewer's page with one set of filters: its HTML, API and CSVs."""

    role: str
    page: str
    filters: dict[str, object]
    html_url: str
    api_url: str
    html_status: int
    api_status: int
    html: str = ""  # the comments page: each of its pages of rounds, in order
    api: dict = field(default_factory=dict)
    csvs: dict[str, list[list[str]]] = field(default_factory=dict)
    messages: list[str] = field(default_factory=list)  # the page's notes
    csv_status: int = 200

    @cached_property
    def tables(self) -> dict[str, HtmlTable]:
        parser = Tables()
        parser.feed(self.html)
        return parser.tables

    def __str__(self) -> str:
        return f"{self.role} {self.page} {self.filters} ({self.html_url})"


def query_of(world: World, filters: dict[str, object]) -> dict[str, object]:
    """The query string's values: ids for the names, ISO days for the dates."""
    found = {}
    for name, value in filters.items():
        if name == "team":
            found[name] = world.team_pk[value]
        elif name == "department":
            found[name] = world.department_pk[value]
        elif name == "tool":
            found[name] = world.tool  # the world's one tool, Copilot
        else:
            found[name] = value.isoformat()
    return found


def with_query(path: str, query: dict[str, object]) -> str:
    return f"{path}?{urlencode(query)}" if query else path


def add_concerns(world: World) -> None:
    """Concerns for the concern pages: owned by leader2 (answered on time, late,
    overdue), HR (resolved), the tool's owner (overdue), the leader of E6
    (declined); one merged away and one hidden (counted nowhere). One title starts
    like a spreadsheet formula, so the CSV's quoting is compared too."""
    person = {role: user.person for role, user in world.users.items()}
    t0 = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)

    def concern(owner, days, *, hours=None, **fields):
        created = t0 + dt.timedelta(days=days)
        return Concern.objects.create(
            title=fields.pop("title", f"Concern of day {days}"),
            body="b",
            category=fields.pop("category", "workload"),
            owner=person[owner],
            created_at=created,
            last_activity_at=created,
            first_response_due_at=created + dt.timedelta(days=3),
            first_responded_at=None
            if hours is None
            else created + dt.timedelta(hours=hours),
            **fields,
        )

    first = concern("leader2", 1, hours=10, ai_tool_id=world.tool)
    concern("leader2", 8, hours=100, category="training")
    concern("leader2", 15, ai_tool_id=world.tool, title='=HYPERLINK("x")')
    concern("owner", 23, ai_tool_id=world.tool, category="job_security")
    concern("hr", 1, title="Merged", merged_into=first)
    concern("hr", 2, ai_tool_id=world.tool, hidden_at=t0 + dt.timedelta(days=3))
    for owner, days, status in (
        ("hr", 9, Status.RESOLVED),
        ("leader", 22, Status.DECLINED),
    ):
        closed = concern(
            owner,
            days,
            hours=2,
            status=status,
            outcome="Done.",
            ai_tool_id=world.tool if owner == "hr" else None,
        )
        StatusChange.objects.create(
            concern=closed,
            at=closed.created_at + dt.timedelta(days=1),
            from_status=Status.NEW,
            to_status=status,
        )


def fetch_everything(world: World) -> list[Fetched]:
    clients = {}
    for role in ROLES:
        clients[role] = Client()
        clients[role].force_login(world.users[role])
    found = []
    for role in ROLES:
        for page, (html_name, api_name) in PAGES.items():
            for filters in FEWER.get(role, FILTERS):
                query = query_of(world, filters)
                if page == "tool":
                    html_path = reverse(html_name, args=[world.tool])
                    api_path = reverse(api_name, args=[world.tool])
                else:
                    html_path = reverse(html_name)
                    api_path = reverse(api_name, kwargs={"page": page})
                found.append(
                    fetch(
                        clients[role], role, page, filters, query, html_path, api_path
                    )
                )
        django_cache.clear()  # the API's per-user rate limit lives there
    return found


def fetch(client, role, page, filters, query, html_path, api_path) -> Fetched:
    html_url, api_url = with_query(html_path, query), with_query(api_path, query)
    page_response, api_response = client.get(html_url), client.get(api_url)
    fetched = Fetched(
        role,
        page,
        filters,
        html_url,
        api_url,
        page_response.status_code,
        api_response.status_code,
    )
    if fetched.api_status != 200:
        # Refused before any chart is named: a CSV of any chart is refused too.
        refused = client.get(with_query(html_path, {**query, "csv": "sentiment"}))
        fetched.csv_status = refused.status_code
        return fetched
    fetched.html = page_response.content.decode()
    fetched.messages = [
        html.unescape(text)
        for text in re.findall(
            r'<div class="alert[^"]*" role="status">(.*?)</div>', fetched.html
        )
    ]
    # The comments page lists three rounds a page: read them all.
    pages = re.search(r"Page 1 of (\d+)<", fetched.html)
    for number in range(2, int(pages.group(1)) + 1 if pages else 2):
        more = client.get(with_query(html_path, {**query, "page": number}))
        fetched.html += more.content.decode()
    fetched.api = api_response.json()
    for chart in fetched.api["charts"]:
        response = client.get(with_query(html_path, {**query, "csv": chart["name"]}))
        assert response.status_code == 200, (fetched, chart["name"])
        assert response["Content-Type"].startswith("text/csv"), fetched
        body = response.content.decode()
        fetched.csvs[chart["name"]] = list(csv.reader(io.StringIO(body)))
    return fetched


@pytest.fixture(scope="module")
def fetched(django_db_setup, django_db_blocker) -> list[Fetched]:
    """The world built once, every page fetched once three ways, all rolled back."""
    with (
        django_db_blocker.unblock(),
        time_machine.travel(NOW, tick=False),
        transaction.atomic(),
    ):
        world = build_world()
        add_concerns(world)
        found = fetch_everything(world)
        transaction.set_rollback(True)
    return found


# --- Reading the page --------------------------------------------------------------


@dataclass
class Cell:
    text: str
    datetime: str | None = None  # a <time datetime="..."> inside the cell


@dataclass
class HtmlTable:
    columns: list[str] = field(default_factory=list)
    rows: list[list[Cell]] = field(default_factory=list)


class Tables(HTMLParser):
    """Every <table data-testid="table-<chart>"> of a page: its header cells and
    its rows, each cell's text (whitespace collapsed, as a reader hears it)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, HtmlTable] = {}
        self.table: HtmlTable | None = None
        self.cell: Cell | None = None
        self.row: list[Cell] | None = None
        self.head = False

    def handle_starttag(self, tag, attrs) -> None:
        attrs = dict(attrs)
        if tag == "table" and (attrs.get("data-testid") or "").startswith("table-"):
            self.table = HtmlTable()
            self.tables[attrs["data-testid"].removeprefix("table-")] = self.table
        elif self.table is None:
            return
        elif tag == "thead":
            self.head = True
        elif tag == "tr":
            self.row = []
        elif tag in ("td", "th"):
            self.cell = Cell("")
        elif tag == "time" and self.cell is not None:
            self.cell.datetime = attrs.get("datetime")

    def handle_endtag(self, tag) -> None:
        if self.table is None:
            return
        if tag in ("td", "th") and self.cell is not None:
            self.cell.text = " ".join(self.cell.text.split())
            self.row.append(self.cell)
            self.cell = None
        elif tag == "tr" and self.row is not None:
            if self.head:
                self.table.columns = [cell.text for cell in self.row]
            else:
                self.table.rows.append(self.row)
            self.row = None
        elif tag == "thead":
            self.head = False
        elif tag == "table":
            self.table = None

    def handle_data(self, data) -> None:
        if self.cell is not None:
            self.cell.text += data


# A cell with nothing to compute it from: "—" (with " no data" for a screen reader)
# in the charts' tables, an empty cell in the CSV, null in the API.
NO_DATA = "— no data"


def shown(value: object) -> str | None:
    """An API cell as the page's table writes it: numbers and text as `str` gives
    them (the page's locale adds no thousands separator), None as no data."""
    return None if value is None else str(value)


def day(text: str) -> str:
    """ "2 Mar 2026", as the concern lists write a day, as the CSV's ISO date."""
    return dt.datetime.strptime(text, "%d %b %Y").date().isoformat()  # noqa: DTZ007


def read_page(
    fetched: Fetched, chart: str, columns: list[str]
) -> list[list[str | None]] | str:
    """A chart's rows as the page shows them, put back into the API's cells (as
    `shown` writes them); or a sentence saying what the page lacks."""
    page = fetched.html
    if fetched.page == "tool" and chart == "hours_total":
        return tool_totals(fetched)
    if chart == "commenters":
        return commenters(fetched, columns)
    if chart == "median":
        # The concerns page gives its one number as a headline, not a table.
        found = re.search(r'data-testid="median-hours">([^<]*) hours<', page)
        if found is None:
            return [] if 'data-testid="empty-median"' in page else "no median"
        return [[found.group(1)]]
    table = fetched.tables.get(chart)
    if table is None:
        if f'data-testid="empty-{chart}"' in page:
            return []
        return f"no table and no empty state for {chart}"
    rows = [[cell.text for cell in row] for row in table.rows]
    if chart == "scorecard":
        # The scorecard writes a missing median as "–" (its own table, no figure).
        rows = [[None if cell == "–" else cell for cell in row] for row in rows]
    elif chart == "overdue":
        # The title is a link; the due time is written out ("2 Mar 2026 09:00")
        # with the instant in <time datetime>, where the CSV has its day.
        rows = [
            [*(cell.text for cell in row[:4]), row[4].datetime[:10], row[5].text]
            for row in table.rows
        ]
    elif chart == "tool_concerns":
        # Days written out ("2 Mar 2026") where the CSV has ISO dates.
        rows = [[*row[:3], day(row[3]), day(row[4])] for row in rows]
    else:
        rows = [[None if cell == NO_DATA else cell for cell in row] for row in rows]
    return rows


def page_columns(fetched: Fetched, chart: str) -> list[str] | None:
    """The header of a chart's table on the page; None where the page has none."""
    table = fetched.tables.get(chart)
    return None if table is None else table.columns


TOTAL = re.compile(
    r"(?:(?P<hours>[\d.]+) hours over (?P<weeks>\d+) weeks?: "
    r"(?P<per_week>[\d.]+) a week, (?P<fte>[\d.]+) FTE"
    r"|Hidden: fewer than \d+ respondents)"
    r"(?: \((?P<hidden>\d+) weeks? hidden\))?"
)


def tool_totals(fetched: Fetched) -> list[list[str | None]] | str:
    """One tool's page says its hours saved in its record, not as a table: "H hours
    over W weeks: P a week, F FTE (N weeks hidden)". Read back into the total's
    columns (AI tool, weeks shown, weeks hidden, hours, per week, FTE)."""
    rows = []
    tool = re.search(r"<h1[^>]*>(.*?) <span", fetched.html).group(1)
    for text in re.findall(r'data-testid="hours-total">(.*?)</dd>', fetched.html):
        text = re.sub(r"<a .*?</a>", "", text)  # its CSV's link
        found = TOTAL.fullmatch(" ".join(text.split()))
        if found is None:
            return f"unreadable total {text!r}"
        rows.append(
            [
                html.unescape(tool),
                found["weeks"] or "0",
                found["hidden"] or "0",
                found["hours"],
                found["per_week"],
                found["fte"],
            ]
        )
    return rows


ROUND = re.compile(
    r'<section[^>]*data-testid="round-\d+">.*?'
    r'<h2[^>]*>(?P<survey>.*?) <span[^>]*>· round of <time datetime="(?P<day>[\d-]+)"'
    r".*?(?:"
    r'data-testid="count">(?P<n>\d+) (?:person|people) wrote a comment'
    r"(?: \((?P<covers>.*?)\))?; "
    r'|data-testid="hidden">Hidden to protect anonymity: (?P<reason>.*?)\.</p>'
    r")",
    re.DOTALL,
)


def commenters(fetched: Fetched, columns: list[str]) -> list[list[str | None]]:
    """The comments page says each round's count in a sentence above its comments
    ("N people wrote a comment (also counts)", or "Hidden to protect anonymity:
    why."), not in a table. Read back into the CSV's columns (survey, start, the
    count or why it is hidden, and "Also counts" when the table has it)."""
    rows = []
    for found in ROUND.finditer(fetched.html):
        row = [
            html.unescape(found["survey"]),
            found["day"],
            found["n"] or html.unescape(found["reason"]),
        ]
        if "Also counts" in columns:
            row.append(html.unescape(found["covers"] or ""))
        rows.append(row)
    return rows


def chart_names_on_page(page: str) -> set[str]:
    return set(re.findall(r'data-testid="chart-([a-z_]+)"', page))


# --- The comparisons ----------------------------------------------------------------


def compared(fetched: list[Fetched]) -> list[Fetched]:
    return [one for one in fetched if one.api_status == 200]


def differences(one: Fetched) -> list[str]:
    """Where the API, the CSVs and the page of one view disagree."""
    problems = []
    if one.messages != one.api["notes"]:
        problems.append(f"notes: page {one.messages}, API {one.api['notes']}")
    names = [chart["name"] for chart in one.api["charts"]]
    on_page = chart_names_on_page(one.html)
    # One tool's page gives its total in the tool's record, the comments page its
    # counts above each round's comments: not as charts.
    record = {"tool": {"hours_total"}, "comments": {"commenters"}}.get(one.page, set())
    if on_page != set(names) - record:
        problems.append(f"charts: API {sorted(names)}, page {sorted(on_page)}")
    for chart in one.api["charts"]:
        name, columns, rows = chart["name"], chart["columns"], chart["rows"]
        # The CSV: the API's cells as `dashboards.csv` writes them (None empty,
        # a would-be formula quoted).
        expected_csv = [
            [as_csv(c) for c in columns],
            *[[as_csv(c) for c in r] for r in rows],
        ]
        if one.csvs[name] != expected_csv:
            problems.append(f"{name}: CSV {one.csvs[name]} != API {expected_csv}")
        on_page = read_page(one, name, columns)
        if isinstance(on_page, str):
            problems.append(f"{name}: {on_page}")
            continue
        expected = [[shown(c) for c in row] for row in rows]
        if name in ("overdue", "tool_concerns"):
            # A page lists the first LIST_LIMIT; the CSV and the API have them all.
            expected = expected[:LIST_LIMIT]
        if on_page != expected:
            problems.append(f"{name}: page {on_page} != API {expected}")
        header = page_columns(one, name)
        if rows and header is not None and header != columns:
            problems.append(f"{name}: page columns {header} != API {columns}")
    return problems


def test_every_dashboard_page_is_compared():
    """Every page builder of the catalog is fetched here, and every page of
    `dashboards.urls` is one of them: a new page, or one outside the catalog,
    fails until it is compared."""
    assert catalog_builders() == set(PAGES)
    pages = {pattern.name for pattern in dashboard_urls.urlpatterns} - ACTIONS
    compared_pages = {html_name.split(":")[1] for html_name, _ in PAGES.values()}
    assert pages == compared_pages, f"not in the catalog: {pages - compared_pages}"


@with_db
def test_a_viewer_refused_one_is_refused_all_three(fetched):
    mismatched = [
        f"{one}: page {one.html_status}, CSV {one.csv_status}, API {one.api_status}"
        for one in fetched
        if not one.html_status == one.csv_status == one.api_status
        or one.api_status not in (200, 403)
    ]
    assert not mismatched, "\n".join(mismatched)
    seen = Counter((one.role, one.page) for one in compared(fetched))
    # HR sees every page; the leaders their teams' pages and their concerns.
    for page in PAGES:
        assert seen[("hr", page)] == len(FILTERS), page
    for role in ("leader", "leader2"):
        for page in ("sentiment", "tools", "tool", "concerns"):
            assert seen[(role, page)] == len(FEWER.get(role, FILTERS)), (role, page)


@with_db
def test_the_page_the_csv_and_the_api_give_the_same_numbers(fetched):
    problems = [
        f"{one}: {problem}" for one in compared(fetched) for problem in differences(one)
    ]
    assert not problems, f"{len(problems)} differences:\n" + "\n".join(problems[:30])


# The headlines over the sentiment and customer pages: each is the latest shown
# figure of one column of one chart, and its change the difference from the one
# shown before it (`dashboards.pages.headline`).
HEADLINES = {
    "Sentiment index": ("sentiment", "Sentiment index (0-100)"),
    "eNPS": ("sentiment", "eNPS"),
    "Participation": ("participation", "Participation (%)"),
    "CSAT": ("csat_nps", "CSAT (%)"),
    "NPS": ("csat_nps", "NPS"),
}
HEADLINE = re.compile(
    r'<div class="small text-body-secondary">(?P<label>[^<]*)</div>\s*'
    r'<div[^>]*data-testid="headline-value">(?P<value>[^<%]*)%?</div>'
    r'(?:(?!data-testid="headline-value").)*?'
    r'(?:data-testid="headline-change">(?P<change>[^<]*)</span>|</div></div></div>)',
    re.DOTALL,
)


def headline_differences(one: Fetched) -> list[str]:
    problems = []
    charts = {chart["name"]: chart for chart in one.api["charts"]}
    found_all = list(HEADLINE.finditer(one.html))
    if len(found_all) != one.html.count('data-testid="headline-value"'):
        problems.append("a headline the reader cannot read")
    for found in found_all:
        label = found["label"].strip()
        if label not in HEADLINES:
            problems.append(f"a headline no chart explains: {label!r}")
            continue
        name, column = HEADLINES[label]
        chart = charts[name]
        index = chart["columns"].index(column)
        values = [
            row[index]
            for row in chart["rows"]
            if isinstance(row[index], int | float) and not isinstance(row[index], bool)
        ]
        if not values or found["value"] != str(values[-1]):
            problems.append(f"{label}: {found['value']} is not the last of {values}")
            continue
        said = (found["change"] or "").strip()
        if len(values) == 1:
            expected = ""
        else:
            change = round(values[-1] - values[-2], 1)
            expected = (
                f"▲ +{change}"
                if change > 0
                else f"▼ {change}"
                if change < 0
                else "no change"
            )
        if said != expected:
            problems.append(f"{label}: change {said!r}, from {values} {expected!r}")
    return problems


@with_db
def test_each_headline_is_the_latest_figure_of_its_chart(fetched):
    headlines = [
        one for one in compared(fetched) if 'data-testid="headline-value"' in one.html
    ]
    problems = [
        f"{one}: {problem}"
        for one in headlines
        for problem in headline_differences(one)
    ]

    assert headlines
    assert not problems, "\n".join(problems[:30])


HIDDEN = re.compile(r"fewer than \d+ |hidden: merged with a team you do not lead")


@with_db
def test_the_world_shows_and_hides_cells(fetched):
    """The comparison is of tables that show figures, merge teams and hide cells,
    for HR and for a leader, on every page."""
    cells: Counter = Counter()
    pages_with_rows = set()
    for one in compared(fetched):
        viewer = "hr" if one.role == "hr" else "leader" if "leader" in one.role else ""
        for chart in one.api["charts"]:
            if chart["rows"]:
                pages_with_rows.add((one.role, one.page))
            for row in chart["rows"]:
                for cell in row:
                    if isinstance(cell, int | float) and not isinstance(cell, bool):
                        cells[(viewer, "number")] += 1
                    elif isinstance(cell, str) and HIDDEN.match(cell):
                        cells[(viewer, "hidden")] += 1
                    elif (
                        isinstance(cell, str) and "merged in to reach the floor" in cell
                    ):
                        cells[(viewer, "merged")] += 1
                    if cell == "hidden: merged with a team you do not lead":
                        cells[(viewer, "not led")] += 1

    # A leader sees no merge: a cell holding a team they do not lead is hidden.
    for viewer, kind in (
        ("hr", "number"),
        ("hr", "hidden"),
        ("hr", "merged"),
        ("leader", "number"),
        ("leader", "hidden"),
        ("leader", "not led"),
    ):
        assert cells[(viewer, kind)] > 0, (viewer, kind, cells)
    assert {page for role, page in pages_with_rows if role == "hr"} == set(PAGES)
