"""seed_demo builds a deterministic demo organisation and is safe to run twice."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.http import HttpRequest

from demo.org import DEMO_PASSWORD
from feedback.models import Concern
from org.models import AITool, Customer, Department, Person, Team, User
from org.roles import Role, roles_of
from surveys.models import Answer, Survey
from tests.demo.test_board import snapshot as board_snapshot
from tests.demo.test_surveys import snapshot as surveys_snapshot

pytestmark = pytest.mark.django_db


def _snapshot() -> dict[str, list]:
    return {
        "users": list(
            User.objects.order_by("email").values_list(
                "email", "password", "is_staff", "is_active"
            )
        ),
        "people": list(
            Person.objects.order_by("user__email").values_list(
                "user__email", "name", "team__name", "job_title"
            )
        ),
        "teams": list(
            Team.objects.order_by("name").values_list(
                "name", "department__name", "manager__user__email"
            )
        ),
        "tools": list(
            AITool.objects.order_by("name").values_list(
                "name", "status", "owner__user__email", "live_since", "updated_at"
            )
        ),
        "customers": list(
            Customer.objects.order_by("email").values_list(
                "email", "company", "segment"
            )
        ),
        "roles": list(
            User.groups.through.objects.order_by(
                "user__email", "group__name"
            ).values_list("user__email", "group__name")
        ),
    }


def _every_table() -> dict[str, list]:
    return {**_snapshot(), **surveys_snapshot(), **board_snapshot()}


def test_it_builds_the_default_demo_org(capsys):
    call_command("seed_demo")

    assert Person.objects.count() == 120
    assert Department.objects.count() == 4
    assert Team.objects.count() == 12
    assert not Team.objects.filter(manager=None).exists()
    assert AITool.objects.filter(status=AITool.Status.LIVE).count() >= 3
    assert Customer.objects.values("segment").distinct().count() == 3
    out = capsys.readouterr().out
    assert "hr@example.com / candor-demo" in out
    assert "Board: 40 concerns (" in out
    assert "200 AI output ratings." in out


@pytest.mark.parametrize(
    ("email", "role"),
    [
        ("hr@example.com", Role.HR),
        ("leader@example.com", Role.LEADER),
        ("employee@example.com", Role.EMPLOYEE),
    ],
)
def test_the_demo_logins_sign_in_with_their_role(email, role):
    call_command("seed_demo", employees=20)

    user = authenticate(HttpRequest(), username=email, password=DEMO_PASSWORD)

    assert user is not None
    assert roles_of(user) == {role}


def test_the_demo_leader_manages_the_demo_employee_and_owns_a_live_tool():
    call_command("seed_demo", employees=20)

    employee = Person.objects.get(user__email="employee@example.com")
    leader = Person.objects.get(user__email="leader@example.com")
    assert employee.manager == leader
    assert leader.owned_tools.filter(status=AITool.Status.LIVE).exists()


def test_the_demo_hr_login_has_a_manager_to_escalate_to():
    call_command("seed_demo", employees=15)

    hr = Person.objects.get(user__email="hr@example.com")
    assert hr.manager is not None and hr.manager != hr
    assert hr.manager.job_title == "People and HR Lead"


def test_running_it_twice_changes_nothing():
    call_command("seed_demo", employees=40)
    before = _every_table()

    call_command("seed_demo", employees=40)

    assert _every_table() == before


def test_the_same_seed_gives_the_same_org_and_another_seed_another():
    call_command("seed_demo", employees=30, seed=7)
    first = _snapshot()["people"]
    # Survey questions refer to the tools, and answers protect their questions;
    # concerns protect their owners.
    Concern.objects.all().delete()
    Answer.objects.all().delete()
    Survey.objects.all().delete()
    AITool.objects.all().delete()
    Person.objects.all().delete()
    User.objects.all().delete()

    call_command("seed_demo", employees=30, seed=7)
    again = _snapshot()["people"]
    call_command("seed_demo", employees=30, seed=8)

    assert again == first
    assert Person.objects.count() > 30  # seed 8 drew other people


@pytest.mark.parametrize("options", [{"employees": 3}, {"weeks": 0}, {"weeks": 500}])
def test_it_refuses_nonsense_sizes_with_a_clear_message(options):
    with pytest.raises(CommandError, match="must be"):
        call_command("seed_demo", **options)

    assert Person.objects.count() == 0
