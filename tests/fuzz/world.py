"""One small organisation with a row of every kind a page or form can name, built
once per test; each hypothesis example runs in a savepoint rolled back after it."""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from dataclasses import dataclass

from django.apps import apps
from django.contrib.messages import constants, get_messages
from django.core import signing
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from feedback.customer_links import customer_token
from feedback.models import Comment, Flag, Subscription
from feedback.services.notify import UNSUBSCRIBE_SALT
from org.models import AITool, User, Welcome
from org.roles import Role
from org.services.people import person_set_active
from surveys.models import Invitation, InvitationToken, Question, Survey
from surveys.tokens import token_new
from tests.feedback.factories import ConcernFactory
from tests.org.factories import (
    AIToolFactory,
    CustomerFactory,
    PersonFactory,
    TeamFactory,
)
from tests.surveys.factories import QuestionFactory, RoundFactory, SurveyFactory

# Sign-in attempts and sessions are written by every request that signs in or
# fails to: they are the record of the request, not a write the form makes.
NOT_COUNTED = ("axes_", "django_session")


@dataclass
class World:
    hr: object
    leader: object
    employee: object
    tool_owner: object
    tool: AITool
    retired_tool: AITool
    survey: Survey
    questions: list[Question]
    open_round: object
    closed_round: object
    named_invitation: Invitation
    named_token: str
    anonymous_survey: Survey
    anonymous_invitation: Invitation
    anonymous_token: str
    # A survey in each state a lifecycle move starts from, able to make it.
    draft: Survey
    paused: Survey
    archived: Survey
    archived_question: Question
    # Someone deactivated, their link to an open round, a retired customer's link.
    leaver: object
    leaver_token: str
    concern: object
    survivor: object
    overdue: object
    comment: Comment
    flag: Flag
    customer_token: str
    retired_customer_token: str
    unsubscribe_token: str
    ids: list[int]

    def person(self, role: str):
        return getattr(self, role)


def _survey_with_every_kind(
    tool: AITool, privacy: str, **fields: object
) -> tuple[Survey, list]:
    survey = SurveyFactory(
        privacy=privacy, **{"first_date": dt.date(2026, 1, 5), **fields}
    )
    kinds = [
        {"kind": Question.Kind.LIKERT},
        {"kind": Question.Kind.ENPS, "driver": ""},
        {"kind": Question.Kind.HOURS_SAVED, "driver": "", "ai_tool": tool},
        {"kind": Question.Kind.AI_ACCURACY, "driver": "", "ai_tool": tool},
        {
            "kind": Question.Kind.SINGLE_CHOICE,
            "driver": "",
            "choices": ["Daily", "Weekly", "Never"],
        },
        {"kind": Question.Kind.FREE_TEXT, "driver": "", "required": False},
    ]
    questions = [
        QuestionFactory(survey=survey, position=n, text=f"Question {n}", **fields)
        for n, fields in enumerate(kinds, start=1)
    ]
    return survey, questions


def _invited(round_, person) -> tuple[Invitation, str]:
    invitation = Invitation.objects.create(
        round=round_, person=person, team=person.team, department=person.team.department
    )
    token, hashed = token_new()
    InvitationToken.objects.create(invitation=invitation, token_hash=hashed)
    return invitation, token


def build_world() -> World:
    now = timezone.now()
    team = TeamFactory()
    hr = PersonFactory(roles={Role.HR}, team=team)
    leader = PersonFactory(roles={Role.LEADER}, team=team)
    employee = PersonFactory(roles={Role.EMPLOYEE}, team=team)
    tool_owner = PersonFactory(roles={Role.EMPLOYEE})
    tool = AIToolFactory(owner=tool_owner)
    retired = AIToolFactory(owner=tool_owner, status=AITool.Status.RETIRED)

    survey, questions = _survey_with_every_kind(tool, Survey.Privacy.CONFIDENTIAL)
    open_round = RoundFactory(
        survey=survey,
        starts_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=4),
    )
    closed_round = RoundFactory(
        survey=survey,
        starts_at=now - dt.timedelta(days=30),
        closes_at=now - dt.timedelta(days=25),
        closed_at=now - dt.timedelta(days=25),
    )
    named_invitation, named_token = _invited(open_round, employee)
    anonymous, _ = _survey_with_every_kind(tool, Survey.Privacy.ANONYMOUS)
    anonymous_round = RoundFactory(
        survey=anonymous,
        starts_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=4),
    )
    anonymous_invitation, anonymous_token = _invited(anonymous_round, employee)
    leaver = PersonFactory(roles={Role.EMPLOYEE}, team=team)
    _, leaver_token = _invited(open_round, leaver)
    person_set_active(person=leaver, is_active=False)
    # A draft able to be activated (its first date is not past), one paused that
    # can resume or be archived (no round open), one archived to restore.
    draft, _ = _survey_with_every_kind(
        tool,
        Survey.Privacy.CONFIDENTIAL,
        status=Survey.Status.DRAFT,
        first_date=timezone.localdate(now) + dt.timedelta(days=7),
    )
    paused, _ = _survey_with_every_kind(
        tool, Survey.Privacy.ANONYMOUS, status=Survey.Status.PAUSED
    )
    archived = SurveyFactory(status=Survey.Status.ARCHIVED)
    archived_question = QuestionFactory(survey=archived)
    # Someone waits for their welcome email; a re-send for them writes none.
    Welcome.objects.create(person=tool_owner, created_at=now)

    concern = ConcernFactory(owner=leader, raised_by=employee, ai_tool=tool)
    survivor = ConcernFactory(owner=leader)
    # Past its first-response due time: the board's "overdue first" and the home
    # page's "waiting for you" put it first.
    overdue = ConcernFactory(
        owner=leader,
        created_at=now - dt.timedelta(days=10),
        first_response_due_at=now - dt.timedelta(days=5),
    )
    comment = Comment.objects.create(
        concern=concern, author=employee, body="Same here.", created_at=now
    )
    flag = Flag.objects.create(concern=concern, flagged_by=leader, reason="Rude")
    subscription = Subscription.objects.create(concern=concern, person=employee)
    customer = CustomerFactory()
    retired_customer = CustomerFactory(is_active=False)
    rows = [hr, leader, employee, tool, survey, *questions, concern, survivor, comment]
    rows += [draft, paused, archived, leaver, overdue]
    return World(
        hr=hr,
        leader=leader,
        employee=employee,
        tool_owner=tool_owner,
        tool=tool,
        retired_tool=retired,
        survey=survey,
        questions=questions,
        open_round=open_round,
        closed_round=closed_round,
        named_invitation=named_invitation,
        named_token=named_token,
        anonymous_survey=anonymous,
        anonymous_invitation=anonymous_invitation,
        anonymous_token=anonymous_token,
        draft=draft,
        paused=paused,
        archived=archived,
        archived_question=archived_question,
        leaver=leaver,
        leaver_token=leaver_token,
        concern=concern,
        survivor=survivor,
        overdue=overdue,
        comment=comment,
        flag=flag,
        customer_token=customer_token(customer),
        retired_customer_token=customer_token(retired_customer),
        unsubscribe_token=signing.dumps(subscription.pk, salt=UNSUBSCRIBE_SALT),
        ids=sorted({row.pk for row in rows} | {flag.pk, open_round.pk, 0}),
    )


class _RolledBack(Exception):
    pass


@contextmanager
def example():
    """One hypothesis example: an empty cache, and a savepoint rolled back after."""
    cache.clear()
    try:
        with transaction.atomic():
            yield
            raise _RolledBack
    except _RolledBack:
        pass


def client_for(person) -> Client:
    client = Client()
    if person is not None:
        client.force_login(person.user)
    return client


def _tables() -> list[str]:
    found = {
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    }
    return sorted(t for t in found if not t.startswith(NOT_COUNTED))


def row_counts() -> dict[str, int]:
    """Rows in every table of the project, in one query."""
    tables = _tables()
    quote = connection.ops.quote_name
    # Table names come from the models, never from input.
    columns = ", ".join(f"(SELECT COUNT(*) FROM {quote(t)})" for t in tables)  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns}")
        return dict(zip(tables, cursor.fetchone(), strict=True))


def snapshot() -> tuple:
    """Row counts, and the fields a refused action could change without adding a
    row (a concern's status, owner or visibility; a survey's settings or place in
    its life; a tool's settings; a welcome's sending; someone's account)."""
    from feedback.models import Concern

    return (
        row_counts(),
        list(
            Concern.objects.order_by("pk").values_list(
                "status", "owner", "hidden_at", "merged_into", "title", "body"
            )
        ),
        list(Comment.objects.order_by("pk").values_list("body", "hidden_at")),
        list(Flag.objects.order_by("pk").values_list("resolved_at", flat=True)),
        list(
            Survey.objects.order_by("pk").values_list(
                "title", "status", "min_group_size", "first_date", "audience"
            )
        ),
        list(Question.objects.order_by("pk").values_list("position", "text", "kind")),
        list(AITool.objects.order_by("pk").values_list("name", "status", "owner")),
        list(Invitation.objects.order_by("pk").values_list("answered", flat=True)),
        list(
            Welcome.objects.order_by("pk").values_list(
                "person", "requested_by", "queued_at", "sent_at", "cancelled_at"
            )
        ),
        list(User.objects.order_by("pk").values_list("email", "is_active", "password")),
    )


def refused(response) -> bool:
    """Whether the request was turned down: a 4xx, a form shown again with its
    errors, or a redirect that carries an error message."""
    if response.status_code >= 400:
        return True
    if response.status_code == 200:
        return True
    levels = {m.level for m in get_messages(response.wsgi_request)}
    return constants.ERROR in levels
