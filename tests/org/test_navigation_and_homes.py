"""Each role sees the navigation, home page and views its permissions allow."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from org.models import AITool, PeopleSync, Person
from tests.org.factories import AIToolFactory, PersonFactory, TeamFactory

pytestmark = pytest.mark.django_db

PERSONAS = ("employee", "leader", "hr")


class _NavParser(HTMLParser):
    """Collects (label, href) of the links inside <ul data-testid="nav">."""

    def __init__(self) -> None:
        super().__init__()
        self.found = False
        self.items: list[tuple[str, str]] = []
        self._depth = 0  # open <ul> elements inside the nav, the nav itself included
        self._href: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "ul" and (self._depth or attributes.get("data-testid") == "nav"):
            self.found = True
            self._depth += 1
        elif tag == "a" and self._depth:
            self._href = attributes.get("href")
            self.items.append(("", self._href))

    def handle_endtag(self, tag):
        if tag == "ul" and self._depth:
            self._depth -= 1
        elif tag == "a":
            self._href = None

    def handle_data(self, data):
        if self._href is not None:
            label, href = self.items[-1]
            self.items[-1] = ((label + data).strip(), href)


def nav_of(response) -> list[tuple[str, str]] | None:
    """The nav bar's entries, or None when the page has no nav bar at all."""
    parser = _NavParser()
    parser.feed(response.content.decode())
    return parser.items if parser.found else None


def section(response, testid: str) -> str:
    """The HTML of one <section data-testid=...> of a page, or "" if it is absent."""
    match = re.search(
        rf'<section[^>]*data-testid="{testid}".*?</section>',
        response.content.decode(),
        re.DOTALL,
    )
    return match.group(0) if match else ""


def client_for(request, persona: str):
    """A test client for a persona fixture's name, or an anonymous one."""
    if persona == "anonymous":
        return request.getfixturevalue("client")
    return request.getfixturevalue("signed_in")(request.getfixturevalue(persona))


def tool_data(**overrides) -> dict[str, object]:
    data = {
        "name": "Meeting Summariser",
        "kind": AITool.Kind.VENDOR,
        "status": AITool.Status.PILOT,
        "owner": "",
        "purpose": "Writes meeting notes so nobody has to.",
        "acceptable_use": "No meetings about individual people's performance.",
        "data_sensitivity": AITool.Sensitivity.INTERNAL,
    }
    return {**data, **overrides}


# --- Navigation -------------------------------------------------------------------

EVERYONE = [
    ("Home", "/"),
    ("Board", "/board/"),
    ("AI tools", "/tools/"),
    ("Dashboards", "/dashboards/"),
]


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("employee", EVERYONE),
        ("leader", EVERYONE),
        (
            "hr",
            [
                *EVERYONE,
                ("Surveys", "/surveys/"),
                ("People", "/people/"),
                ("Admin", "/admin/"),
            ],
        ),
    ],
)
def test_the_nav_bar_shows_exactly_the_entries_a_role_may_use(
    request, persona, expected
):
    client = client_for(request, persona)

    response = client.get(reverse("home"))

    assert nav_of(response) == expected
    assert response.context["nav_items"] == [
        {"label": label, "url": url} for label, url in expected
    ]


def test_an_anonymous_visitor_sees_no_nav_bar_on_the_sign_in_page(client):
    response = client.get(reverse("login"))

    assert response.status_code == 200
    assert nav_of(response) is None
    assert response.context["nav_items"] == []


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_nav_entry_opens_for_the_role_that_sees_it(request, persona):
    client = client_for(request, persona)
    entries = nav_of(client.get(reverse("home")))

    statuses = {url: client.get(url).status_code for _, url in entries}

    assert statuses == {url: 200 for _, url in entries}


def test_a_superuser_without_a_person_record_still_gets_a_home_page(client):
    admin = PersonFactory().user
    admin.is_staff = admin.is_superuser = True
    admin.save()
    Person.objects.filter(user=admin).delete()
    client.force_login(admin)

    response = client.get(reverse("home"))

    assert response.status_code == 200
    assert response.context["home"].person is None
    assert escape(admin.email) in response.content.decode()


# --- Permission matrix ------------------------------------------------------------
# (view, method, persona, status). "owner-employee"/"owner-leader": that persona owns
# the tool in the URL; every other persona does not.

MATRIX = [
    *(("home", "get", p, 200) for p in PERSONAS),
    *(("org:aitool_list", "get", p, 200) for p in PERSONAS),
    *(("org:aitool_detail", "get", p, 200) for p in PERSONAS),
    ("org:aitool_create", "get", "employee", 403),
    ("org:aitool_create", "get", "leader", 403),
    ("org:aitool_create", "get", "hr", 200),
    ("org:aitool_create", "post", "employee", 403),
    ("org:aitool_create", "post", "leader", 403),
    ("org:aitool_create", "post", "hr", 302),
    ("org:aitool_edit", "get", "employee", 403),
    ("org:aitool_edit", "get", "leader", 403),
    ("org:aitool_edit", "get", "hr", 200),
    ("org:aitool_edit", "get", "owner-employee", 200),
    ("org:aitool_edit", "get", "owner-leader", 200),
    ("org:aitool_edit", "post", "employee", 403),
    ("org:aitool_edit", "post", "hr", 302),
    ("org:aitool_edit", "post", "owner-employee", 302),
    ("org:person_list", "get", "employee", 403),
    ("org:person_list", "get", "leader", 403),
    ("org:person_list", "get", "hr", 200),
    ("org:people_import", "post", "employee", 403),
    ("org:people_import", "post", "leader", 403),
    ("org:people_import", "post", "hr", 302),
    ("org:people_import", "get", "hr", 405),
]
VIEWS_AND_METHODS = list(dict.fromkeys((view, method) for view, method, _, _ in MATRIX))
MATRIX += [(view, method, "anonymous", 302) for view, method in VIEWS_AND_METHODS]

_POST_DATA = {
    "org:aitool_create": lambda tool: tool_data(name="Brand New Tool"),
    "org:aitool_edit": lambda tool: tool_data(
        name=tool.name, owner=tool.owner_id, purpose="Edited."
    ),
    "org:people_import": lambda tool: {},  # no file: refused with a message
}


def _url(view: str, tool: AITool) -> str:
    if view in ("org:aitool_detail", "org:aitool_edit"):
        return reverse(view, args=[tool.pk])
    return reverse(view)


@pytest.mark.parametrize(("view", "method", "persona", "status"), MATRIX)
def test_the_permission_matrix(request, view, method, persona, status):
    owns_tool = persona.startswith("owner-")
    persona = persona.removeprefix("owner-")
    client = client_for(request, persona)
    owner = request.getfixturevalue(persona) if owns_tool else PersonFactory()
    tool = AIToolFactory(owner=owner, purpose="Before.")
    url = _url(view, tool)

    if method == "post":
        response = client.post(url, _POST_DATA[view](tool))
    else:
        response = client.get(url)

    assert response.status_code == status
    if persona == "anonymous":
        assert response.url == f"{reverse('login')}?next={url}"
    saved = status == 302 and persona != "anonymous"
    tool.refresh_from_db()
    assert (tool.purpose == "Edited.") == (view == "org:aitool_edit" and saved)
    created = AITool.objects.filter(name="Brand New Tool").exists()
    assert created == (view == "org:aitool_create" and saved)


def test_only_the_tools_editors_see_its_edit_button(signed_in, employee, leader, hr):
    tool = AIToolFactory(owner=employee)
    url = reverse("org:aitool_detail", args=[tool.pk])
    edit = f'href="{reverse("org:aitool_edit", args=[tool.pk])}"'

    seen = {}
    for person in (employee, leader, hr):
        page = signed_in(person).get(url)
        seen[person.pk] = edit in page.content.decode()

    assert seen == {employee.pk: True, leader.pk: False, hr.pk: True}


# --- Home pages -------------------------------------------------------------------


def test_the_employee_home_shows_their_team_manager_and_the_tools_in_use(
    signed_in, employee, leader
):
    team = employee.team
    team.manager = leader
    team.save()
    live = AIToolFactory(
        status=AITool.Status.LIVE, owner=leader, purpose="Answers HR questions."
    )
    pilot = AIToolFactory(owner=leader, purpose="Drafts customer replies.")
    retired = AIToolFactory(
        status=AITool.Status.RETIRED, owner=leader, purpose="An old chatbot."
    )
    client = signed_in(employee)

    response = client.get(reverse("home"))

    mine = section(response, "employee-home")
    assert escape(team.name) in mine
    assert escape(team.department.name) in mine
    assert f"your manager is {escape(leader.name)}" in mine
    tools = section(response, "tools-in-use")
    for tool in (live, pilot):
        assert escape(tool.name) in tools
        assert escape(tool.purpose) in tools
    assert retired.name not in tools
    assert retired.purpose not in response.content.decode()
    assert section(response, "hr-home") == ""
    assert section(response, "leader-home") == ""
    assert response.context["home"].tools_in_use == [live, pilot]


def test_an_employee_without_a_team_is_told_so(signed_in, employee):
    employee.team = None
    employee.save()
    client = signed_in(employee)

    response = client.get(reverse("home"))

    assert "You are not in a team yet" in section(response, "employee-home")
    assert "your manager is" not in response.content.decode()


def test_the_leader_home_shows_the_teams_they_manage_and_the_tools_they_own(
    signed_in, leader
):
    support = TeamFactory(name="Support", manager=leader)
    sales = TeamFactory(name="Sales", manager=leader)
    PersonFactory.create_batch(2, team=support)
    not_mine = TeamFactory(name="Finance")
    owned = AIToolFactory(owner=leader, name="Ticket Triage")
    other = AIToolFactory(name="Someone Else's Tool")
    client = signed_in(leader)

    response = client.get(reverse("home"))

    accountable = section(response, "leader-home")
    assert f"Support, {escape(support.department.name)} (2 people)" in accountable
    assert f"Sales, {escape(sales.department.name)} (0 people)" in accountable
    assert not_mine.name not in accountable
    assert f'href="{reverse("org:aitool_detail", args=[owned.pk])}"' in accountable
    assert "Ticket Triage</a> (pilot)" in accountable
    assert escape(other.name) not in accountable
    assert section(response, "hr-home") == ""
    assert {team.pk for team in response.context["home"].managed_teams} == {
        support.pk,
        sales.pk,
    }


def test_the_hr_home_shows_org_counts_and_links_to_people_and_tools(signed_in, hr):
    team = TeamFactory()
    PersonFactory.create_batch(2, team=team)
    gone = PersonFactory(team=team)
    gone.user.is_active = False
    gone.user.save()
    AIToolFactory(owner=hr, status=AITool.Status.LIVE)
    AIToolFactory.create_batch(2, owner=hr)
    AIToolFactory(owner=hr, status=AITool.Status.RETIRED)
    client = signed_in(hr)

    response = client.get(reverse("home"))

    org = section(response, "hr-home")
    assert "3 active people in 2 teams (1 inactive)" in org
    assert "1 AI tool live, 2 in pilot" in org
    assert f'href="{reverse("org:person_list")}"' in org
    assert f'href="{reverse("org:aitool_list")}"' in org
    assert f'href="{reverse("admin:index")}"' in org
    assert response.context["home"].org_counts == {
        "people": 3,
        "inactive": 1,
        "teams": 2,
        "tools_live": 1,
        "tools_pilot": 2,
    }


@pytest.mark.parametrize("persona", ["employee", "leader"])
def test_employee_and_leader_homes_show_no_org_counts_or_people_links(request, persona):
    client = client_for(request, persona)

    response = client.get(reverse("home"))

    html = response.content.decode()
    assert section(response, "hr-home") == ""
    assert reverse("org:person_list") not in html
    assert reverse("admin:index") not in html
    assert response.context["home"].org_counts is None


# --- AI tools through our own pages -----------------------------------------------


def test_hr_creates_a_live_tool_and_lands_on_its_page(signed_in, hr):
    client = signed_in(hr)

    response = client.post(
        reverse("org:aitool_create"),
        tool_data(status=AITool.Status.LIVE, owner=hr.pk),
    )

    tool = AITool.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("org:aitool_detail", args=[tool.pk])
    assert tool.name == "Meeting Summariser"
    assert tool.owner == hr
    assert tool.status == AITool.Status.LIVE
    assert tool.live_since is not None


def test_setting_a_new_tool_live_without_acceptable_use_saves_nothing(signed_in, hr):
    client = signed_in(hr)

    response = client.post(
        reverse("org:aitool_create"),
        tool_data(status=AITool.Status.LIVE, owner=hr.pk, acceptable_use=""),
    )

    assert response.status_code == 200
    assert "acceptable_use" in response.context["form"].errors
    assert "A live tool needs an acceptable-use text." in response.content.decode()
    assert not AITool.objects.exists()


def test_setting_an_existing_tool_live_without_acceptable_use_leaves_it_alone(
    signed_in, hr
):
    tool = AIToolFactory(owner=hr, acceptable_use="")
    client = signed_in(hr)

    response = client.post(
        reverse("org:aitool_edit", args=[tool.pk]),
        tool_data(
            name=tool.name, status=AITool.Status.LIVE, owner=hr.pk, acceptable_use=""
        ),
    )

    assert response.status_code == 200
    assert "acceptable_use" in response.context["form"].errors
    tool.refresh_from_db()
    assert tool.status == AITool.Status.PILOT
    assert tool.live_since is None


def test_a_plain_employee_edits_the_tool_they_own(signed_in, employee):
    tool = AIToolFactory(owner=employee)
    client = signed_in(employee)

    response = client.post(
        reverse("org:aitool_edit", args=[tool.pk]),
        tool_data(name=tool.name, owner=employee.pk, purpose="Now with a purpose."),
    )

    assert response.status_code == 302
    tool.refresh_from_db()
    assert tool.purpose == "Now with a purpose."


def test_markup_in_a_tools_texts_is_shown_escaped(signed_in, hr):
    client = signed_in(hr)
    client.post(
        reverse("org:aitool_create"),
        tool_data(
            name="<b>Bold</b> Tool",
            owner=hr.pk,
            purpose="<script>alert('purpose')</script>",
            acceptable_use="<img src=x onerror=alert(1)>",
        ),
    )
    tool = AITool.objects.get()

    detail = client.get(reverse("org:aitool_detail", args=[tool.pk]))
    home = client.get(reverse("home"))

    for response in (detail, home):
        html = response.content.decode()
        assert "<script>alert" not in html
        assert "<b>Bold</b>" not in html
        assert "&lt;script&gt;alert(&#x27;purpose&#x27;)&lt;/script&gt;" in html
    assert "<img src=x" not in detail.content.decode()
    assert tool.purpose == "<script>alert('purpose')</script>"


# --- People list ------------------------------------------------------------------


def _names(response) -> list[str]:
    return [person.name for person in response.context["page"].object_list]


def test_hr_searches_people_by_name_or_email(signed_in, hr):
    PersonFactory(name="Grace Hopper", user__email="grace@example.org")
    PersonFactory(name="Alan Turing", user__email="bombe@example.org")
    client = signed_in(hr)

    by_name = client.get(reverse("org:person_list"), {"q": "hopper"})
    by_email = client.get(reverse("org:person_list"), {"q": "BOMBE@"})

    assert _names(by_name) == ["Grace Hopper"]
    assert _names(by_email) == ["Alan Turing"]


def test_hr_filters_people_by_team(signed_in, hr):
    support = TeamFactory()
    PersonFactory(name="Ann Support", team=support)
    PersonFactory(name="Bob Support", team=support)
    PersonFactory(name="Cy Elsewhere")
    client = signed_in(hr)

    response = client.get(reverse("org:person_list"), {"team": support.pk})

    assert _names(response) == ["Ann Support", "Bob Support"]


def test_more_than_fifty_people_spill_onto_a_second_page(signed_in, hr):
    team = TeamFactory()
    PersonFactory.create_batch(60, team=team)
    client = signed_in(hr)

    first = client.get(reverse("org:person_list"))
    second = client.get(reverse("org:person_list"), {"page": 2})

    assert len(first.context["page"].object_list) == 50
    assert first.context["page"].has_next()
    assert "Page 1 of 2" in first.content.decode()
    assert second.context["page"].number == 2
    assert len(second.context["page"].object_list) == 11  # 60 and the HR person


def test_the_next_page_link_keeps_the_search(signed_in, hr):
    PersonFactory.create_batch(51, name="Sam Same", team=TeamFactory())
    client = signed_in(hr)

    response = client.get(reverse("org:person_list"), {"q": "sam same"})

    assert response.context["page"].paginator.count == 51
    assert 'href="?q=sam%20same&page=2"' in response.content.decode()


def test_the_people_list_query_count_does_not_grow_with_the_people(
    signed_in, hr, django_assert_num_queries
):
    team = TeamFactory()
    PersonFactory.create_batch(5, team=team)
    client = signed_in(hr)
    url = reverse("org:person_list")

    # One of them: the latest imports run in the background, however many.
    with django_assert_num_queries(9):
        few = client.get(url)
    PersonFactory.create_batch(55, team=team)
    for _ in range(7):
        PeopleSync.objects.create(
            format="csv", created_at=timezone.now(), requested_by=hr
        )
    with django_assert_num_queries(9):
        many = client.get(url)

    assert few.context["page"].paginator.count == 6
    assert many.context["page"].paginator.count == 61


def test_a_team_of_one_reads_one_person(signed_in, leader):
    PersonFactory(team=TeamFactory(name="Audit", manager=leader))

    accountable = section(signed_in(leader).get(reverse("home")), "leader-home")

    assert "Audit" in accountable
    assert "(1 person)" in accountable and "(1 people)" not in accountable


def test_the_people_list_counts_one_person_in_the_singular(signed_in, hr):
    team = TeamFactory(name="Audit")
    PersonFactory(team=team)

    page = signed_in(hr).get(reverse("org:person_list"), {"team": team.pk})

    assert '<p class="text-body-secondary">1 person</p>' in page.content.decode()
