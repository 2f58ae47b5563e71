"""The demo organisation: departments, teams, people, customers and AI tools.

Deterministic for a given seed, and safe to run twice: rows are looked up by their
natural key (email, name) and only created or corrected, never duplicated.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from org.models import AITool, Customer, Department, Person, Team, User
from org.roles import Role
from org.services.aitools import aitool_save
from org.services.people import person_roles_set

# A documented demo login (README, `make run`), not a secret.
DEMO_PASSWORD = "candor-demo"  # noqa: S105  # nosec B105

STRUCTURE = {
    "Customer Support": ["Frontline Support", "Escalations", "Support Operations"],
    "Engineering": ["Platform", "Product Engineering", "Data"],
    "Sales and Marketing": ["Account Management", "Growth", "Sales Development"],
    "Operations": ["People and HR", "Finance", "Legal and Compliance"],
}
FIRST = (
    "Ada Aisha Ben Carla Chen Dev Elena Farah Felix Gita Hannah Hugo Imani Ivan Jonas "
    "Kemi Kofi Lars Leila Luca Maya Mei Nadia Niko Olu Omar Paula Quinn Rafael Rosa "
    "Sana Sven Tara Theo Uma Viktor Wen Yara Yusuf Zoe"
).split()
LAST = (
    "Adeyemi Andersen Bauer Costa Dubois Eriksen Fischer Garcia Haddad Ibrahim Jensen "
    "Kowalski Larsen Moreau Nakamura Novak Okafor Oliveira Patel Quinn Rossi Santos "
    "Schmidt Silva Tanaka Torres Usman Varga Weber Yilmaz"
).split()
TITLES = (
    "Specialist",
    "Senior Specialist",
    "Analyst",
    "Engineer",
    "Coordinator",
    "Associate",
)
SEGMENTS = ("Enterprise", "Mid-market", "Public sector")
COMPANIES = (
    "Northwind Logistics",
    "Bluefin Insurance",
    "Hollow Oak Health",
    "Kestrel Retail",
    "City of Easthaven",
    "Lumen Energy",
    "Marigold Foods",
    "Quayside Bank",
)


@dataclass
class DemoOrg:
    hr: Person
    leader: Person
    employee: Person
    people: list[Person] = field(default_factory=list)
    tools: list[AITool] = field(default_factory=list)
    customers: list[Customer] = field(default_factory=list)


def seed_org(*, rng: random.Random, employees: int, start: dt.datetime) -> DemoOrg:
    with transaction.atomic():
        teams = _teams()
        hr = _person(
            "hr@example.com",
            "Priya Shah",
            teams["People and HR"],
            "HR Business Partner",
            {Role.HR},
            login=True,
        )
        leader = _person(
            "leader@example.com",
            "Morgan Reyes",
            teams["Frontline Support"],
            "Head of Frontline Support",
            {Role.LEADER},
            login=True,
        )
        employee = _person(
            "employee@example.com",
            "Sam Taylor",
            teams["Frontline Support"],
            "Support Specialist",
            {Role.EMPLOYEE},
            login=True,
        )
        org = DemoOrg(hr=hr, leader=leader, employee=employee)
        org.people = [hr, leader, employee, *_staff(rng, teams, employees - 3)]
        _managers(teams, org)
        org.tools = _tools(org, start)
        org.customers = _customers(rng)
    return org


def _teams() -> dict[str, Team]:
    teams = {}
    for department_name, team_names in STRUCTURE.items():
        department, _ = Department.objects.get_or_create(name=department_name)
        for name in team_names:
            teams[name], _ = Team.objects.get_or_create(
                name=name, department=department
            )
    return teams


def _person(
    email: str, name: str, team: Team, title: str, roles: set[Role], login: bool = False
) -> Person:
    user, created = User.objects.get_or_create(email=email)
    if login and not user.check_password(DEMO_PASSWORD):
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    elif created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    person, _ = Person.objects.update_or_create(
        user=user, defaults={"name": name, "team": team, "job_title": title}
    )
    person_roles_set(person=person, roles=roles)
    return person


def _staff(rng: random.Random, teams: dict[str, Team], count: int) -> list[Person]:
    team_list = list(teams.values())
    people = []
    for n in range(max(count, 0)):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        team = team_list[n % len(team_list)]
        # The first person drawn into each team leads it, but for Frontline Support,
        # which the demo leader leads. People and HR has a lead of its own: the HR
        # login needs a manager, or an overdue concern she owns escalates to nobody.
        lead = n < len(team_list) and team.name != "Frontline Support"
        roles = {Role.LEADER} if lead else {Role.EMPLOYEE}
        # People and HR's lead still draws the title they had before they led it, so
        # the people drawn after stay who they are in a demo seeded earlier.
        drawn = rng.choice(TITLES) if not lead or team.name == "People and HR" else ""
        title = f"{team.name} Lead" if lead else drawn
        email = f"{first}.{last}.{n + 1}@example.com".lower()
        people.append(_person(email, f"{first} {last}", team, title, roles))
    return people


def _managers(teams: dict[str, Team], org: DemoOrg) -> None:
    leads = {p.team_id: p for p in org.people if p.job_title.endswith(" Lead")}
    for team in teams.values():
        manager = org.leader if team.name == "Frontline Support" else leads.get(team.pk)
        if manager and team.manager_id != manager.pk:
            team.manager = manager
            team.save(update_fields=["manager"])


# Customers get replies drafted with its help, so customer surveys ask about it.
CUSTOMER_FACING = {"Support Copilot"}
# The departments a tool is rolled out to (its teams); the rest go to everyone.
ROLLOUT = {"Support Copilot": "Customer Support", "Code Assistant": "Engineering"}


def _tools(org: DemoOrg, start: dt.datetime) -> list[AITool]:
    leads = [p for p in org.people if p.job_title.endswith(" Lead")]
    engineering_lead = next(
        (p for p in leads if p.team.department.name == "Engineering"), org.leader
    )
    specs = [
        (
            "Support Copilot",
            AITool.Kind.COPILOT,
            org.leader,
            AITool.Status.LIVE,
            AITool.Sensitivity.PERSONAL,
            "Drafts first replies to customer tickets so that agents spend their time "
            "on the "
            "hard cases. An agent reads and edits every draft before it is sent.",
            "Never send a draft unread. Do not paste payment card numbers. "
            "Report a wrong "
            "answer with 'Rate an AI output'.",
        ),
        (
            "Code Assistant",
            AITool.Kind.COPILOT,
            engineering_lead,
            AITool.Status.LIVE,
            AITool.Sensitivity.CONFIDENTIAL,
            "Suggests code and tests in the editor to cut routine typing.",
            "Review every suggestion as you would a colleague's. "
            "No customer data in prompts.",
        ),
        (
            "Meeting Summariser",
            AITool.Kind.VENDOR,
            org.hr,
            AITool.Status.LIVE,
            AITool.Sensitivity.INTERNAL,
            "Writes notes and actions for internal meetings that everyone agrees "
            "to record.",
            "Only for meetings where every attendee agreed to recording. Not for 1:1s, "
            "performance or HR conversations.",
        ),
        (
            "Contract Review Agent",
            AITool.Kind.AGENT,
            org.hr,
            AITool.Status.PILOT,
            AITool.Sensitivity.CONFIDENTIAL,
            "Flags unusual clauses in supplier contracts for the legal team "
            "to read first.",
            "",
        ),
        (
            "Demand Forecaster",
            AITool.Kind.INTERNAL,
            engineering_lead,
            AITool.Status.RETIRED,
            AITool.Sensitivity.INTERNAL,
            "Predicted ticket volumes for staffing plans; replaced by a simpler model.",
            "Staffing decisions were always made by a person.",
        ),
    ]
    tools = []
    for name, kind, owner, status, sensitivity, purpose, acceptable_use in specs:
        tool = AITool.objects.filter(name=name).first()
        if tool is None:  # an existing tool may have been edited since; leave it be
            tool = aitool_save(
                tool=AITool(
                    name=name,
                    kind=kind,
                    owner=owner,
                    status=status,
                    data_sensitivity=sensitivity,
                    purpose=purpose,
                    acceptable_use=acceptable_use,
                    serves_customers=name in CUSTOMER_FACING,
                ),
                at=start,
                teams=Team.objects.filter(department__name=ROLLOUT[name])
                if name in ROLLOUT
                else None,
            )
        tools.append(tool)
    return tools


# Enough contacts that a monthly customer round clears the anonymity floor, also
# for the questions about one AI tool, which only the customers it helped answer.
CUSTOMERS = 30


def _customers(rng: random.Random) -> list[Customer]:
    customers = []
    for n in range(CUSTOMERS):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        company = COMPANIES[n % len(COMPANIES)]
        email = f"{first}.{last}.{n + 1}@customer.example".lower()
        customer, _ = Customer.objects.update_or_create(
            email=email,
            defaults={
                "name": f"{first} {last}",
                "company": company,
                "segment": SEGMENTS[n % len(SEGMENTS)],
            },
        )
        customers.append(customer)
    return customers


def demo_start(weeks: int, now: dt.datetime | None = None) -> dt.datetime:
    """Monday 09:00 (org time) `weeks` weeks ago: where the demo history begins."""
    local = timezone.localtime(now or timezone.now())
    monday = (local - dt.timedelta(days=local.weekday(), weeks=weeks)).replace(
        hour=9, minute=0, second=0, microsecond=0
    )
    return monday
