"""Who sees what, decided on the server: the scope of each role, the published
weeks an employee sees, and filtered views that cannot be subtracted from the
whole (the privacy engine shows a filter's whole cells)."""

from __future__ import annotations

import pytest

from dashboards.filters import Filters
from dashboards.metrics import pulse
from dashboards.scope import Reach, dashboard_scope
from tests.dashboards.helpers import closed_round
from tests.dashboards.test_pages_overview import (
    WEEK_1,
    WEEK_2,
    WEEK_3,
    figure_of,
    pulse_survey,
    respond,
)
from tests.org.factories import DepartmentFactory, TeamFactory

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


def test_a_team_filter_never_leaves_a_remainder_below_the_floor_beside_the_whole():
    survey, questions = pulse_survey(min_group_size=3)
    department = DepartmentFactory()
    big = TeamFactory(name="Big", department=department)
    small = TeamFactory(name="Small", department=department)
    other = TeamFactory(name="Other", department=department)
    weeks = [closed_round(survey, start) for start in (WEEK_1, WEEK_2, WEEK_3)]
    # Week 1: Big 5 and Small 2 (2 removed by the filter: exposed, if shown);
    # week 2: Big alone; week 3: Big 20 and Other 10, both past the floor.
    for week, team, count in (
        (weeks[0], big, 5),
        (weeks[0], small, 2),
        (weeks[1], big, 9),
        (weeks[2], big, 20),
        (weeks[2], other, 10),
    ):
        respond(week, team, questions, count=count)

    cut = pulse.sentiment_trend(Filters(team=big.pk))
    whole = pulse.sentiment_trend(Filters())

    merged = "with Small, merged in to reach the floor"
    assert [(r["n"], r["covers"]) for r in cut] == [(7, merged), (9, ""), (20, "")]
    assert [r["n"] for r in whole] == [7, 9, 30]
    # Whole minus cut: nobody, nobody, Other's 10. Never 1 or 2 people.
    assert [w["n"] - c["n"] for w, c in zip(whole, cut, strict=True)] == [0, 0, 10]


def test_an_employee_sees_only_the_published_rounds_answers(employee, signed_in):
    shared, shared_questions = pulse_survey()
    private, private_questions = pulse_survey()
    team = TeamFactory()
    for start in (WEEK_1, WEEK_2):
        round_ = closed_round(shared, start, results_published_at=start)
        respond(round_, team, shared_questions, count=3, trust=5, jobs=5)
    hidden = closed_round(private, WEEK_2)
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
