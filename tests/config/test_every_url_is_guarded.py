"""Every URL the project serves, walked from the URL configuration itself, so a new
view cannot ship without its guard:

- signed out, only the public pages answer; every other page sends to sign-in and
  every API endpoint answers 401, for reads and writes alike;
- signed in as an employee, the pages for HR refuse (403) and change nothing;
- no URL answers a server error to a stranger poking at it.
"""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from feedback.models import Comment, Flag
from surveys.models import Invitation
from tests.feedback.factories import ConcernFactory
from tests.org.factories import AIToolFactory, PersonFactory
from tests.surveys.factories import QuestionFactory, RoundFactory, SurveyFactory

pytestmark = pytest.mark.django_db

PUBLIC = {
    "healthz",
    "api_schema",
    "login",
    "logout",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "surveys:answer_thanks",
    "surveys:answer",  # a private link: the token is the key
    "feedback:customer_board",  # a customer's signed link
    "feedback:customer_concern",
    "feedback:unsubscribe",  # a signed one-click link in every email
}

# What an employee (no other role) may not do: HR's and moderators' pages.
FOR_HR = {
    "org:aitool_create",
    "org:person_list",
    "org:people_import",
    "surveys:survey_list",
    "surveys:survey_create",
    "surveys:survey_from_template",
    "surveys:survey_detail",
    "surveys:survey_edit",
    "surveys:survey_preview",
    "surveys:question_create",
    "surveys:question_edit",
    "surveys:question_delete",
    "surveys:question_move",
    "feedback:moderation",
    "feedback:flag_dismiss",
    "feedback:update_create",
    "feedback:concern_status",
    "feedback:concern_reassign",
    "feedback:concern_merge",
    "feedback:concern_hide",
    "feedback:comment_hide",
    "org:aitool_edit",
    "dashboards:customers",
    "dashboards:comments",
    "dashboards:tools",
    "dashboards:tool",
    "dashboards:concerns",
    "dashboards:round_publish",
    "api:surveys",
    "api:rounds",
    "api:round_publish",
    "api:tool_dashboard",
}


def _routes(patterns=None, prefix="", namespace=""):
    """(route, name) of every URL outside the admin, walked from the resolver."""
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            route = prefix + str(entry.pattern)
            if route.startswith("admin/"):
                continue
            space = entry.namespace or namespace
            yield from _routes(entry.url_patterns, route, space)
        elif isinstance(entry, URLPattern) and entry.name:
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            yield prefix + str(entry.pattern), name


@pytest.fixture
def world():
    """One of everything a URL can name, so pages find their object."""
    owner = PersonFactory()
    survey = SurveyFactory()
    question = QuestionFactory(survey=survey)
    round_ = RoundFactory(survey=survey)
    concern = ConcernFactory(owner=owner)
    comment = Comment.objects.create(
        concern=concern, author=owner, body="A comment.", created_at=concern.created_at
    )
    flag = Flag.objects.create(concern=concern, flagged_by=owner, reason="Rude")
    invitation = Invitation.objects.create(round=round_, person=owner)
    tool = AIToolFactory(owner=owner)
    return {
        "survey": survey.pk,
        "question": question.pk,
        "round": round_.pk,
        "concern": concern.pk,
        "comment": comment.pk,
        "flag": flag.pk,
        "invitation": invitation.pk,
        "tool": tool.pk,
    }


def _object_for(route: str, name: str) -> str:
    if name.endswith("round_publish"):
        return "round"
    if "questions/" in route:
        return "question"
    if "comments/<int:pk>" in route:
        return "comment"
    if "flags/" in route:
        return "flag"
    if route.startswith("me/surveys/"):
        return "invitation"
    if "surveys/" in route:
        return "survey"
    if "tools/" in route:
        return "tool"
    return "concern"


def _path(route: str, name: str, world: dict) -> str:
    path = re.sub(r"<int:pk>", str(world[_object_for(route, name)]), route)
    path = re.sub(r"<int:\w+>", "1", path)
    path = re.sub(r"<(?:str|slug):\w+>|<\w+>", "not-a-real-token", path)
    if name == "api:dashboard":
        path = path.replace("not-a-real-token", "sentiment")
    return "/" + path


ROUTES = list(_routes())


def test_the_walk_finds_the_urls():
    names = {name for _, name in ROUTES}
    assert len(ROUTES) > 60
    assert {"home", "feedback:board", "api:concerns", "dashboards:tool"} <= names
    assert PUBLIC <= names and FOR_HR <= names


@pytest.mark.parametrize(("route", "name"), ROUTES, ids=[name for _, name in ROUTES])
def test_signed_out_only_public_pages_answer(client, world, route, name):
    path = _path(route, name, world)
    for method in ("get", "post"):
        response = getattr(client, method)(path)
        assert response.status_code < 500, (method, path)
        if name in PUBLIC:
            continue
        if name.startswith("api:"):
            assert response.status_code == 401, (method, path)
        else:
            assert response.status_code == 302, (method, path)
            assert response["Location"].startswith("/accounts/login/"), path


@pytest.mark.parametrize("name", sorted(FOR_HR))
def test_an_employee_is_refused_hrs_pages_and_changes_nothing(
    signed_in, employee, world, name
):
    route = next(route for route, found in ROUTES if found == name)
    client = signed_in(employee)
    path = _path(route, name, world)
    before = _state()

    answers = [
        client.get(path).status_code,
        client.post(
            path, {"title": "x", "reason": "x", "status": "resolved"}
        ).status_code,
    ]

    # Refused outright; a method the page does not take is a refusal too.
    assert set(answers) <= {403, 405} and 403 in answers, (path, answers)
    assert _state() == before


def _state() -> tuple:
    from feedback.models import Concern
    from surveys.models import Question, Round, Survey

    return (
        list(Concern.objects.values_list("status", "owner", "hidden_at")),
        list(Flag.objects.values_list("resolved_at", flat=True)),
        Survey.objects.count(),
        list(Question.objects.values_list("position", "text")),
        list(Round.objects.values_list("results_published_at", flat=True)),
    )
