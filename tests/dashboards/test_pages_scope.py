"""Who sees what, decided on the server: the scope of each role, the published
weeks an employee sees, and the guard against filtered views that subtract."""

from __future__ import annotations

import pytest

from dashboards.filters import Filters
from dashboards.scope import Reach, dashboard_scope, guard_cuts
from tests.dashboards.test_pages_overview import (
    WEEK_1,
    WEEK_2,
    figure_of,
    pulse_survey,
    respond,
)
from tests.org.factories import DepartmentFactory, TeamFactory
from tests.surveys.factories import RoundFactory

pytestmark = pytest.mark.django_db


def test_hr_sees_the_whole_organisation_with_any_filter(hr):
    filters = Filters(team=7, department=2, teams=(1,))

    scope = dashboard_scope(hr.user, filters)

    assert (scope.reach, scope.filters) == (Reach.ORG, Filters(team=7, department=2))
    assert scope.teams is None


def test_a_leader_is_limited_to_the_teams_they_manage(leader):
    department = DepartmentFactory()
    mine = [TeamFactory(manager=leader, department=department) for _ in range(2)]
    other = TeamFactory()

    scope = dashboard_scope(
        leader.user, Filters(team=other.pk, department=other.department_id)
    )

    assert scope.reach == Reach.TEAMS
    assert scope.teams == tuple(sorted(team.pk for team in mine))
    assert scope.filters.team is None and scope.filters.department is None
    assert len(scope.notes) == 2
    kept = dashboard_scope(leader.user, Filters(team=mine[0].pk))
    assert (kept.filters.team, kept.notes) == (mine[0].pk, [])


def test_someone_who_leads_no_team_sees_published_results_org_wide(employee, leader):
    for person in (employee, leader):
        scope = dashboard_scope(person.user, Filters(team=3, survey=4))
        assert scope.reach == Reach.PUBLISHED
        assert scope.filters == Filters(survey=4, published_only=True)
        assert scope.notes


def test_the_broader_views_are_one_cut_away_and_the_whole(hr):
    scope = dashboard_scope(hr.user, Filters(team=1, survey=2, tool=5))

    assert scope.relaxed() == [
        Filters(survey=2, tool=5),
        Filters(team=1, tool=5),
        Filters(tool=5),
    ]
    assert dashboard_scope(hr.user, Filters(tool=5)).relaxed() == []


def test_a_cut_that_leaves_a_small_remainder_is_hidden_with_a_sibling():
    cut = [
        {"week": 1, "n": 5, "x": 1.0, "suppressed": False},
        {"week": 2, "n": 9, "x": 2.0, "suppressed": False},
        {"week": 3, "n": 20, "x": 3.0, "suppressed": False},
    ]
    whole = [
        {"week": 1, "n": 7, "x": 1.5, "suppressed": False},  # 2 removed: exposed
        {"week": 2, "n": 9, "x": 2.0, "suppressed": False},
        {"week": 3, "n": 30, "x": 3.1, "suppressed": False},
    ]

    rows = guard_cuts(cut, [whole], key="week", fields=["x"], floor=3)

    assert [row["suppressed"] for row in rows] == [True, True, False]
    assert rows[0]["x"] is None and rows[0]["n"] is None
    assert rows[2] == cut[2]
    assert guard_cuts(cut, [cut], key="week", fields=["x"], floor=3) == cut


def test_an_employee_sees_only_the_published_rounds_answers(employee, signed_in):
    shared, shared_questions = pulse_survey()
    private, private_questions = pulse_survey()
    team = TeamFactory()
    for start in (WEEK_1, WEEK_2):
        round_ = RoundFactory(
            survey=shared, starts_at=start, closed_at=start, results_published_at=start
        )
        respond(round_, team, shared_questions, count=3, trust=5, jobs=5)
    hidden = RoundFactory(survey=private, starts_at=WEEK_2, closed_at=WEEK_2)
    respond(hidden, team, private_questions, count=3, trust=1, jobs=1)
    client = signed_in(employee)

    everything = figure_of(client.get("/dashboards/"), "sentiment")["data"][0]
    one_survey = figure_of(client.get(f"/dashboards/?survey={shared.pk}"), "sentiment")[
        "data"
    ][0]

    # Week 2 mixes in an unpublished survey: its answers (all 1s) count nowhere,
    # so org-wide week 2 is the published survey's alone.
    assert (everything["x"], everything["y"]) == (
        ["2026-03-02", "2026-03-09"],
        [100.0, 100.0],
    )
    assert one_survey["x"] == ["2026-03-02", "2026-03-09"]
    assert one_survey["y"] == [100.0, 100.0]
