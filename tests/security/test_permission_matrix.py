"""Who gets what, for every URL the project serves: the permission matrix.

The URLs are walked from the URL configuration itself (`get_resolver()`), so a new
view cannot ship without its row here: a URL missing from `RULES` fails with a
message asking for one. Each row gives the exact status for GET and for POST, per
role (`tests/security/world.py` describes them), the path parameters filled with
real objects that role may legitimately reach (its own comment, its own survey
link, the concern the leader owns), so a 200 is a real page. The API is asked twice
per signed-in role, with the session and with a token, and must answer the same.

A request the table refuses (any 4xx, or the way to the sign-in page) must change
nothing: every row count and the fields an action would change are compared. A
GET never changes anything, for anyone.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from api.tokens import api_token_create
from dashboards import catalog
from feedback.models import Category, Status
from surveys.models import Question, Survey
from tests.security.world import (
    BAD_TOKEN,
    ROLES,
    World,
    build_world,
    state,
    unsubscribe_token,
)
from tests.surveys.factories import QuestionFactory, SurveyFactory

pytestmark = pytest.mark.django_db

LOGIN = "login"  # 302 to /accounts/login/
ADMIN_LOGIN = "admin-login"  # 302 to /admin/login/
Row = tuple[object, object, object, object, object, object]


def rule(get: Row, post: Row) -> dict[str, dict[str, object]]:
    """Statuses in the order of ROLES: anon, customer, employee, leader, hr, staff."""
    return {
        "GET": dict(zip(ROLES, get, strict=True)),
        "POST": dict(zip(ROLES, post, strict=True)),
    }


L, AL = LOGIN, ADMIN_LOGIN
EVERYONE_200 = (200,) * 6
SIGNED_IN_200 = (L, L, 200, 200, 200, 200)
API_READ = (401, 401, 200, 200, 200, 200)
API_HR = (401, 401, 403, 403, 200, 200)
API_NO_POST = (401, 401, 405, 405, 405, 405)
API_HR_NO_POST = (401, 401, 403, 403, 405, 405)
API_HR_CREATES = (401, 401, 403, 403, 201, 201)
API_HR_ACTS = (401, 401, 403, 403, 200, 200)
# A page for HR: a superuser holds every permission, so staff opens it too.
HR_PAGE = (L, L, 403, 403, 200, 200)
POST_ONLY_PEOPLE = (L, L, 302, 302, 302, 403)  # staff has no person: may not post

RULES: dict[str, dict[str, dict[str, object]]] = {
    # Public pages.
    "healthz": rule(EVERYONE_200, (405,) * 6),
    "livez": rule(EVERYONE_200, (405,) * 6),
    "api_schema": rule(EVERYONE_200, (405,) * 6),
    "api_index": rule(EVERYONE_200, (405,) * 6),
    "api_docs": rule(EVERYONE_200, (405,) * 6),
    # HR's API tokens page: a valid POST shows the new token once (200).
    "api_pages:tokens": rule(HR_PAGE, HR_PAGE),
    "api_pages:token_revoke": rule(
        (L, L, 403, 403, 405, 405), (L, L, 403, 403, 302, 302)
    ),
    "login": rule(EVERYONE_200, EVERYONE_200),
    "logout": rule((405,) * 6, (L,) * 6),
    "password_reset": rule(EVERYONE_200, EVERYONE_200),
    "password_reset_done": rule(EVERYONE_200, (405,) * 6),
    "password_reset_confirm": rule(EVERYONE_200, EVERYONE_200),
    "password_reset_complete": rule(EVERYONE_200, (405,) * 6),
    "password_change": rule(SIGNED_IN_200, SIGNED_IN_200),
    "password_change_done": rule(SIGNED_IN_200, (L, L, 405, 405, 405, 405)),
    # The admin site: staff only. HR's accounts are staff (org.services.people).
    "admin": rule((AL, AL, AL, AL, 200, 200), (AL, AL, AL, AL, 200, 200)),
    # Home and AI tools.
    "home": rule(SIGNED_IN_200, SIGNED_IN_200),
    "org:aitool_list": rule(SIGNED_IN_200, SIGNED_IN_200),
    "org:aitool_detail": rule(SIGNED_IN_200, SIGNED_IN_200),
    "org:aitool_create": rule(HR_PAGE, HR_PAGE),
    # The tool's owner (the leader) edits it; the POST saves the tool.
    "org:aitool_edit": rule((L, L, 403, 200, 200, 200), (L, L, 403, 302, 302, 302)),
    "org:person_list": rule(HR_PAGE, HR_PAGE),
    # Without a file: back to the people page, which names what is missing.
    "org:people_import": rule((L, L, 403, 403, 405, 405), (L, L, 403, 403, 302, 302)),
    # Where a large upload (or an API sync) stands: HR's, read only.
    "org:people_sync": rule(HR_PAGE, (L, L, 403, 403, 405, 405)),
    # Sends the employee a welcome again: HR (and staff, a superuser).
    "org:person_welcome": rule((L, L, 403, 403, 405, 405), (L, L, 403, 403, 302, 302)),
    # Answering: the link is the key; the signed-in page only for its person.
    "surveys:answer_thanks": rule(EVERYONE_200, EVERYONE_200),
    "surveys:answer": rule(
        (404, 200, 200, 200, 200, 404), (404, 302, 302, 302, 302, 404)
    ),
    "surveys:answer_signed_in": rule(
        (L, L, 200, 200, 200, 404), (L, L, 302, 302, 302, 404)
    ),
    # HR's survey builder.
    "surveys:survey_list": rule(HR_PAGE, HR_PAGE),
    "surveys:survey_create": rule(HR_PAGE, (L, L, 403, 403, 302, 302)),
    "surveys:survey_from_template": rule(HR_PAGE, HR_PAGE),
    "surveys:survey_detail": rule(HR_PAGE, HR_PAGE),
    "surveys:survey_edit": rule(HR_PAGE, (L, L, 403, 403, 302, 302)),
    "surveys:survey_preview": rule(HR_PAGE, HR_PAGE),
    # A survey's life: each on a survey in the state it starts from (PK below).
    "surveys:survey_activate": rule(HR_PAGE, (L, L, 403, 403, 302, 302)),
    "surveys:survey_pause": rule(HR_PAGE, (L, L, 403, 403, 302, 302)),
    "surveys:survey_resume": rule(HR_PAGE, (L, L, 403, 403, 302, 302)),
    "surveys:survey_archive": rule(HR_PAGE, (L, L, 403, 403, 302, 302)),
    "surveys:survey_restore": rule(HR_PAGE, (L, L, 403, 403, 302, 302)),
    "surveys:question_create": rule(HR_PAGE, (L, L, 403, 403, 302, 302)),
    "surveys:question_edit": rule(HR_PAGE, (L, L, 403, 403, 302, 302)),
    "surveys:question_delete": rule(HR_PAGE, (L, L, 403, 403, 302, 302)),
    "surveys:question_move": rule(
        (L, L, 403, 403, 405, 405), (L, L, 403, 403, 302, 302)
    ),
    # The board.
    "feedback:board": rule(SIGNED_IN_200, SIGNED_IN_200),
    "feedback:concern_create": rule(
        (L, L, 200, 200, 200, 403), (L, L, 302, 302, 302, 403)
    ),
    "feedback:concern_detail": rule(SIGNED_IN_200, SIGNED_IN_200),
    # Only its author (the employee), for the first minutes.
    "feedback:concern_edit": rule(
        (L, L, 200, 403, 403, 403), (L, L, 302, 403, 403, 403)
    ),
    "feedback:comment_create": rule((L, L, 405, 405, 405, 405), POST_ONLY_PEOPLE),
    "feedback:concern_support": rule((L, L, 405, 405, 405, 405), POST_ONLY_PEOPLE),
    "feedback:concern_follow": rule((L, L, 405, 405, 405, 405), POST_ONLY_PEOPLE),
    "feedback:concern_flag": rule((L, L, 405, 405, 405, 405), POST_ONLY_PEOPLE),
    # The concern's owner (the leader) and HR.
    "feedback:concern_status": rule(
        (L, L, 405, 405, 405, 405), (L, L, 403, 302, 302, 403)
    ),
    "feedback:concern_reassign": rule(
        (L, L, 405, 405, 405, 405), (L, L, 403, 302, 302, 403)
    ),
    # The survivor is another leader's concern: the leader may not merge into it.
    "feedback:concern_merge": rule(
        (L, L, 405, 405, 405, 405), (L, L, 403, 400, 302, 403)
    ),
    # Moderators (HR).
    "feedback:moderation": rule(HR_PAGE, HR_PAGE),
    "feedback:flag_dismiss": rule(
        (L, L, 405, 405, 405, 405), (L, L, 403, 403, 302, 403)
    ),
    "feedback:concern_hide": rule(
        (L, L, 405, 405, 405, 405), (L, L, 403, 403, 302, 403)
    ),
    "feedback:comment_hide": rule(
        (L, L, 405, 405, 405, 405), (L, L, 403, 403, 302, 403)
    ),
    # Each role's own comment; staff, without one, asks for the employee's.
    "feedback:comment_edit": rule(
        (L, L, 200, 200, 200, 403), (L, L, 302, 302, 302, 403)
    ),
    "feedback:comment_flag": rule((L, L, 405, 405, 405, 405), POST_ONLY_PEOPLE),
    "feedback:you_said_we_did": rule(SIGNED_IN_200, SIGNED_IN_200),
    "feedback:update_list": rule(SIGNED_IN_200, SIGNED_IN_200),
    # HR, and an AI tool's owner about their tool.
    "feedback:update_create": rule(
        (L, L, 403, 200, 200, 403), (L, L, 403, 302, 302, 403)
    ),
    "feedback:rate_output": rule((L, L, 405, 405, 405, 405), POST_ONLY_PEOPLE),
    # A customer's signed link: only the customer holds one.
    "feedback:customer_board": rule(
        (404, 200, 404, 404, 404, 404), (404, 302, 404, 404, 404, 404)
    ),
    "feedback:customer_concern": rule(
        (404, 200, 404, 404, 404, 404), (404, 200, 404, 404, 404, 404)
    ),
    # The signed link in a follower's email: each person's own.
    "feedback:unsubscribe": rule(
        (404, 404, 200, 200, 200, 404), (404, 404, 200, 200, 200, 404)
    ),
    # Dashboards (`dashboards.scope.pages_for`).
    "dashboards:overview": rule(SIGNED_IN_200, SIGNED_IN_200),
    "dashboards:concerns": rule((L, L, 403, 200, 200, 200), (L, L, 403, 200, 200, 200)),
    "dashboards:customers": rule(HR_PAGE, HR_PAGE),
    "dashboards:comments": rule(HR_PAGE, HR_PAGE),
    "dashboards:tools": rule((L, L, 403, 200, 200, 200), (L, L, 403, 200, 200, 200)),
    "dashboards:tool": rule((L, L, 403, 200, 200, 200), (L, L, 403, 200, 200, 200)),
    "dashboards:round_publish": rule(
        (L, L, 403, 403, 405, 405), (L, L, 403, 403, 302, 403)
    ),
    # The API: 401 without credentials, the page's rule with them.
    "api:tools": rule(API_READ, API_HR_CREATES),
    "api:tool": rule(API_READ, API_NO_POST),
    # A read-only endpoint answers 405 to a POST before it looks at the page.
    "api:tool_dashboard": rule((401, 401, 403, 200, 200, 200), API_NO_POST),
    "api:concerns": rule(API_READ, (401, 401, 201, 201, 201, 403)),
    "api:concern": rule(API_READ, API_NO_POST),
    "api:concern_comments": rule(
        (401, 401, 405, 405, 405, 405), (401, 401, 201, 201, 201, 403)
    ),
    "api:concern_support": rule(
        (401, 401, 405, 405, 405, 405), (401, 401, 200, 200, 200, 403)
    ),
    "api:dashboard[sentiment]": rule(API_READ, API_NO_POST),
    "api:dashboard[tools]": rule((401, 401, 403, 200, 200, 200), API_NO_POST),
    "api:dashboard[concerns]": rule((401, 401, 403, 200, 200, 200), API_NO_POST),
    "api:dashboard[customers]": rule(API_HR, API_NO_POST),
    "api:dashboard[comments]": rule(API_HR, API_NO_POST),
    # HR's surveys: a draft from a template, and each move of its life (PK below).
    "api:survey_templates": rule(API_HR, API_HR_NO_POST),
    "api:surveys": rule(API_HR, API_HR_CREATES),
    "api:survey": rule(API_HR, API_HR_NO_POST),
    "api:survey_activate": rule(API_HR_NO_POST, API_HR_ACTS),
    "api:survey_pause": rule(API_HR_NO_POST, API_HR_ACTS),
    "api:survey_resume": rule(API_HR_NO_POST, API_HR_ACTS),
    "api:survey_archive": rule(API_HR_NO_POST, API_HR_ACTS),
    "api:survey_restore": rule(API_HR_NO_POST, API_HR_ACTS),
    "api:rounds": rule(API_HR, (401, 401, 403, 403, 405, 405)),
    "api:round_publish": rule(
        (401, 401, 403, 403, 405, 405), (401, 401, 403, 403, 200, 403)
    ),
    "api:tokens": rule(API_HR, (401, 401, 403, 403, 201, 201)),
    "api:token": rule(API_HR, (401, 401, 403, 403, 405, 405)),
    "api:token_revoke": rule(
        (401, 401, 403, 403, 405, 405), (401, 401, 403, 403, 200, 200)
    ),
    # HR's side of the organisation (api/people.py).
    "api:people": rule(API_HR, API_HR_CREATES),
    "api:person": rule(API_HR, API_HR_NO_POST),
    "api:person_deactivate": rule(API_HR_NO_POST, API_HR_ACTS),
    "api:people_sync": rule(API_HR_NO_POST, API_HR_ACTS),
    "api:people_sync_status": rule(API_HR, API_HR_NO_POST),
    "api:teams": rule(API_HR, API_HR_CREATES),
    "api:team": rule(API_HR, API_HR_NO_POST),
    "api:departments": rule(API_HR, API_HR_CREATES),
    "api:department": rule(API_HR, API_HR_NO_POST),
    "api:customers": rule(API_HR, API_HR_CREATES),
    "api:customer": rule(API_HR, API_HR_NO_POST),
    "api:customer_retire": rule(API_HR_NO_POST, API_HR_ACTS),
    # HR or the tool's owner (the leader), as on its page.
    "api:tool_retire": rule(API_NO_POST, (401, 401, 403, 200, 200, 200)),
}


def _walk(patterns=None, prefix="", namespace=""):
    """(route, name) of every named URL, the admin as one entry."""
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            route = prefix + str(entry.pattern)
            if route == "admin/":
                yield route, "admin"
                continue
            space = entry.namespace or namespace
            yield from _walk(entry.url_patterns, route, space)
        elif isinstance(entry, URLPattern) and entry.name:
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            yield prefix + str(entry.pattern), name


def _entries() -> list[tuple[str, str]]:
    """Every URL to try; the API's dashboard once per page it serves."""
    entries = []
    for route, name in _walk():
        if name == "api:dashboard":
            for page in sorted(catalog.PAGES):
                entries.append((route.replace("<str:page>", page), f"{name}[{page}]"))
        else:
            entries.append((route, name))
    return entries


ENTRIES = _entries()


# --- Filling the path ---------------------------------------------------------------


def _own_comment(w: World, role: str) -> int:
    return w.comments.get(role, w.comments["employee"]).pk


def _invitation(w: World, role: str) -> int:
    return w.invitations.get(role, w.invitations["employee"]).pk


def _unsubscribe(w: World, role: str) -> str:
    person = w.person(role)
    return unsubscribe_token(person, w.concern) if person else BAD_TOKEN


def _draft(w: World, role: str) -> int:
    """A draft ready to activate: a question, its first date next week."""
    draft = SurveyFactory(
        title="Draft pulse",
        status=Survey.Status.DRAFT,
        first_date=timezone.localdate() + dt.timedelta(days=7),
    )
    QuestionFactory(survey=draft)
    return draft.pk


def _other_survey_now(status: str) -> Callable[[World, str], int]:
    """The other survey (no round) moved to `status`, to move it on from there."""

    def pk(w: World, role: str) -> int:
        Survey.objects.filter(pk=w.other_survey.pk).update(status=status)
        return w.other_survey.pk

    return pk


def _other_token(w: World, role: str) -> int:
    """A token of the employee's, not the one the request is signed in with."""
    return api_token_create(
        owner=w.user("employee"), name="Exporter", scope="read", now=timezone.now()
    ).token.pk


def _people_sync(w: World, role: str) -> int:
    """A sync a worker ran, created in the request's own transaction."""
    from org.models import PeopleSync

    return PeopleSync.objects.create(
        format="json", state="done", created_at=timezone.now()
    ).pk


def _people_sync_body(w: World, role: str) -> list[dict[str, object]]:
    """Everyone active, as the HR system lists them, and one newcomer: a sync that
    deactivates no one."""
    from org.models import Person

    active = Person.objects.filter(user__is_active=True).select_related("user")
    listed = [{"email": p.user.email, "name": p.name} for p in active]
    return [*listed, {"email": "newcomer@example.org", "name": "Newcomer"}]


TOOL_PAGES = {
    "org:aitool_edit",
    "org:aitool_detail",
    "feedback:rate_output",
    "dashboards:tool",
    "api:tool",
    "api:tool_dashboard",
    "api:tool_retire",
}
PK: dict[str, Callable[[World, str], int]] = {
    **{name: (lambda w, r: w.tool.pk) for name in TOOL_PAGES},
    "surveys:answer_signed_in": _invitation,
    "org:person_welcome": lambda w, r: w.people["employee"].pk,
    "feedback:comment_edit": _own_comment,
    "feedback:comment_flag": _own_comment,
    "feedback:comment_hide": _own_comment,
    "feedback:flag_dismiss": lambda w, r: w.flag.pk,
    "feedback:customer_concern": lambda w, r: w.customer_concern.pk,
    "dashboards:round_publish": lambda w, r: w.closed_round.pk,
    "api:round_publish": lambda w, r: w.closed_round.pk,
    "api:rounds": lambda w, r: w.survey.pk,
    "api:person": lambda w, r: w.people["employee"].pk,
    "api:person_deactivate": lambda w, r: w.people["employee"].pk,
    "api:people_sync_status": _people_sync,
    "org:people_sync": _people_sync,
    "api:team": lambda w, r: w.team_a.pk,
    "api:department": lambda w, r: w.team_a.department_id,
    "api:customer": lambda w, r: w.customer_concern.raised_by_customer_id,
    "api:customer_retire": lambda w, r: w.customer_concern.raised_by_customer_id,
    "surveys:survey_detail": lambda w, r: w.survey.pk,
    "surveys:survey_edit": lambda w, r: w.survey.pk,
    "surveys:survey_preview": lambda w, r: w.survey.pk,
    # Created or moved in the request's own transaction, before the state is read.
    "surveys:survey_activate": _draft,
    "surveys:survey_pause": lambda w, r: w.survey.pk,  # with its open round
    "surveys:survey_resume": _other_survey_now(Survey.Status.PAUSED),
    "surveys:survey_archive": lambda w, r: w.other_survey.pk,
    "surveys:survey_restore": _other_survey_now(Survey.Status.ARCHIVED),
    "api:survey": lambda w, r: w.survey.pk,
    "api:survey_activate": _draft,
    "api:survey_pause": lambda w, r: w.survey.pk,
    "api:survey_resume": _other_survey_now(Survey.Status.PAUSED),
    "api:survey_archive": lambda w, r: w.other_survey.pk,
    "api:survey_restore": _other_survey_now(Survey.Status.ARCHIVED),
    "surveys:question_create": lambda w, r: w.survey.pk,
    "surveys:question_edit": lambda w, r: w.question.pk,
    "surveys:question_delete": lambda w, r: w.question.pk,
    "surveys:question_move": lambda w, r: w.question.pk,
    "api:token": _other_token,
    "api:token_revoke": _other_token,
    "api_pages:token_revoke": _other_token,
}
TOKEN: dict[str, Callable[[World, str], str]] = {
    "surveys:answer": lambda w, r: w.links.get(r, BAD_TOKEN),
    "feedback:customer_board": lambda w, r: (
        w.customer_board_token if r == "customer" else BAD_TOKEN
    ),
    "feedback:customer_concern": lambda w, r: (
        w.customer_board_token if r == "customer" else BAD_TOKEN
    ),
    "feedback:unsubscribe": _unsubscribe,
}


def _pk(name: str, w: World, role: str) -> int:
    if name in PK:
        return PK[name](w, role)
    if name.startswith(("feedback:concern_", "feedback:comment_create", "api:concern")):
        return w.concern.pk
    raise AssertionError(f"{name}: say which object its <pk> is in PK.")


def path_for(route: str, name: str, w: World, role: str) -> str:
    path = route
    if "<int:pk>" in path:
        path = path.replace("<int:pk>", str(_pk(name, w, role)))
    if "<str:token>" in path:
        if name not in TOKEN:
            raise AssertionError(f"{name}: say whose <token> it is in TOKEN.")
        path = path.replace("<str:token>", TOKEN[name](w, role))
    # The password reset link of someone who never asked: its own "bad link" page.
    path = re.sub(r"<(?:str|slug)?:?(uidb64|token)>", "x", path)
    assert "<" not in path, f"{name}: fill {path} in path_for."
    return "/" + path


# --- What a POST sends: valid data, so an allowed role's POST really acts -------------


def post_data(name: str, w: World, role: str) -> dict[str, object] | list:
    people = w.people
    data: dict[str, dict[str, object]] = {
        "feedback:concern_create": {
            "title": "A new worry",
            "body": "About the copilot.",
            "category": Category.OTHER,
        },
        "api:concerns": {
            "title": "A new worry",
            "body": "About the copilot.",
            "category": Category.OTHER,
        },
        "feedback:customer_board": {
            "title": "A customer's worry",
            "body": "Is our data safe?",
            "category": Category.OTHER,
        },
        "feedback:concern_edit": {"title": "Edited title", "body": "Edited."},
        "feedback:comment_create": {"body": "Me as well."},
        "api:concern_comments": {"body": "Me as well."},
        "api:tokens": {"name": "Exporter", "owner": w.user("employee").email},
        "api_pages:tokens": {
            "name": "Exporter",
            "owner": w.user("employee").email,
            "scope": "read",
        },
        "feedback:comment_edit": {"body": "Edited comment."},
        "feedback:concern_support": {"supported": "1"},
        "api:concern_support": {"supported": True},
        "feedback:concern_follow": {"following": "0"},
        "feedback:concern_flag": {"reason": "Off topic"},
        "feedback:comment_flag": {"reason": "Off topic"},
        "feedback:concern_hide": {"reason": "Names a colleague"},
        "feedback:comment_hide": {"reason": "Names a colleague"},
        "feedback:concern_status": {"to_status": Status.ACKNOWLEDGED},
        "feedback:concern_reassign": {"owner": people["hr"].pk},
        "feedback:concern_merge": {"survivor": w.other_concern.pk},
        "feedback:update_create": {
            "title": "Copilot now cites sources",
            "body": "Every draft links its source.",
            "ai_tool": w.tool.pk,
        },
        "feedback:rate_output": {"rating": "correct"},
        "org:aitool_edit": {
            "name": "Copilot",
            "kind": w.tool.kind,
            "status": w.tool.status,
            "owner": people["leader"].pk,
            "purpose": "Drafts replies.",
            "acceptable_use": "Read every draft.",
            "data_sensitivity": w.tool.data_sensitivity,
            "teams": [w.team_a.pk],
        },
        "surveys:survey_create": {
            "title": "A new pulse",
            "audience": "employees",
            "privacy": "anonymous",
            "min_group_size": 5,
            "comment_threshold": 10,
            "cadence": "once",
            "first_date": "2030-01-07",
            "start_time": "09:00",
            "open_days": 5,
            "weekday": 0,
            "reminder_count": 1,
            "reminder_interval_days": 2,
        },
        "surveys:question_create": {
            "kind": Question.Kind.LIKERT,
            "driver": Question.Driver.TRUST,
            "text": "I trust the copilot.",
            "required": "on",
            "max_hours": 40,
        },
        "surveys:question_move": {"direction": "down"},
    }
    data["surveys:survey_edit"] = data["surveys:survey_create"]
    data["surveys:question_edit"] = data["surveys:question_create"]
    if name == "api:people_sync":
        return _people_sync_body(w, role)
    new_ones = {
        "api:people": {"email": "newcomer@example.org", "name": "Newcomer"},
        "api:teams": {"name": "Tier 9", "department": w.team_a.department_id},
        "api:departments": {"name": "Legal"},
        "api:customers": {"name": "Cy", "email": "cy@client.example"},
        "api:tools": {"name": "Translator"},
        "api:surveys": {"template": "customer-trust", "first_date": "2030-01-07"},
    }
    if name in new_ones:
        return new_ones[name]
    if name in ("surveys:answer", "surveys:answer_signed_in"):
        return {f"q{pk}": "4" for pk in Question.objects.values_list("pk", flat=True)}
    return data.get(name, {})


# --- Asking --------------------------------------------------------------------------


def _clients(w: World, role: str, api: bool) -> list[tuple[str, Client]]:
    """The ways this role asks: signed out, with a session, and for the API with
    a token too."""
    user = w.user(role)
    if user is None:
        return [("no session", Client())]
    session = Client()
    session.force_login(user)
    ways = [("session", session)]
    if api:
        ways.append(("token", Client(HTTP_AUTHORIZATION=f"Token {w.tokens[role]}")))
    return ways


def _seen(response) -> object:
    if response.status_code == 302:
        location = response["Location"]
        if location.startswith("/accounts/login/"):
            return LOGIN
        if location.startswith("/admin/login/"):
            return ADMIN_LOGIN
    return response.status_code


def _refused(seen: object) -> bool:
    return seen in (LOGIN, ADMIN_LOGIN) or (isinstance(seen, int) and seen >= 400)


def _ask(client: Client, method: str, path: str, data: dict, api: bool):
    if method == "GET":
        return client.get(path)
    if api:
        return client.post(path, data, content_type="application/json")
    return client.post(path, data)


def test_the_walk_finds_every_url():
    names = {name for _, name in ENTRIES}
    assert len(ENTRIES) > 70
    assert {"admin", "home", "feedback:board", "api:concerns", "dashboards:tool"} <= (
        names
    )
    assert not any(
        route.startswith("admin/") and route != "admin/" for route, _ in ENTRIES
    )


def test_every_rule_names_a_url_that_exists():
    stale = set(RULES) - {name for _, name in ENTRIES}
    assert not stale, f"Rules for URLs that no longer exist: {sorted(stale)}"


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """One world for the whole table, built once: each ask below runs in a
    transaction rolled back after it, so no ask sees another's changes, and the
    world itself is rolled back when the module is done."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


@pytest.mark.parametrize(("route", "name"), ENTRIES, ids=[n for _, n in ENTRIES])
def test_each_role_gets_exactly_what_the_table_says(world, route, name):
    assert name in RULES, (
        f"{name} (/{route}) has no rule: add its expected status per role, for GET "
        "and POST, to RULES in tests/security/test_permission_matrix.py."
    )
    api = name.startswith("api:")
    wrong = []
    for role in ROLES:
        for way, client in _clients(world, role, api):
            for method in ("GET", "POST"):
                expected = RULES[name][method][role]
                with transaction.atomic():
                    cache.clear()  # rate-limit counters start afresh for each ask
                    path = path_for(route, name, world, role)
                    data = post_data(name, world, role)
                    before = state()
                    seen = _seen(_ask(client, method, path, data, api))
                    changed = state() != before
                    transaction.set_rollback(True)
                if seen != expected:
                    wrong.append(
                        f"{method} {path} as {role} ({way}): {seen}, "
                        f"the table says {expected}"
                    )
                elif changed and (method == "GET" or _refused(seen)):
                    wrong.append(f"{method} {path} as {role} ({way}) changed rows")
    assert not wrong, "\n".join(wrong)
