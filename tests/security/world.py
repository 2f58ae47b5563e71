"""One small organisation with one of everything a URL can name, and the people
who ask for it: the shared ground of the permission matrix and the IDOR probes.

The roles:

- `anon`: signed out, no link;
- `customer`: signed out, holding a customer's signed board link and their
  customer-survey link;
- `employee`: raised the concern, wrote a comment, follows, has a survey link;
- `leader`: manages team A, owns the AI tool and the concern;
- `hr`: the HR role;
- `staff`: Django's `is_staff` superuser made by `createsuperuser`, with no person
  record (the admin's account).

Beside them, people the roles must not reach: a second leader (team B, owner of
another concern) and a second employee (author of another comment), and a concern
a moderator hid.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core import signing
from django.utils import timezone

from feedback.customer_links import customer_token
from feedback.models import Audience, Comment, Concern, Flag, Subscription
from feedback.services.notify import UNSUBSCRIBE_SALT
from org.models import Person, User
from org.roles import Role
from surveys.models import Invitation, InvitationToken, Question, Round, Survey
from surveys.tokens import token_new
from tests.api.tokens import token_for
from tests.feedback.factories import ConcernFactory
from tests.org.factories import (
    AIToolFactory,
    CustomerFactory,
    PersonFactory,
    TeamFactory,
    UserFactory,
)
from tests.surveys.factories import QuestionFactory, RoundFactory, SurveyFactory

ROLES = ("anon", "customer", "employee", "leader", "hr", "staff")
PEOPLE = ("employee", "leader", "hr")
BAD_TOKEN = "not-a-real-token"


@dataclass
class World:
    people: dict[str, Person]
    staff: User
    other_leader: Person
    other_employee: Person
    team_a: object
    team_b: object
    tool: object
    other_tool: object
    concern: Concern
    other_concern: Concern
    hidden: Concern
    customer_concern: Concern
    comments: dict[str, Comment]
    other_comment: Comment
    flag: Flag
    survey: Survey
    question: Question
    other_survey: Survey
    other_question: Question
    open_round: Round
    closed_round: Round
    invitations: dict[str, Invitation]
    links: dict[str, str]  # role -> their survey link's token
    customer_board_token: str
    other_link: str = ""  # the other employee's survey link
    tokens: dict[str, str] = field(default_factory=dict)  # role -> API token

    def person(self, role: str) -> Person | None:
        return self.people.get(role)

    def user(self, role: str) -> User | None:
        if role == "staff":
            return self.staff
        person = self.people.get(role)
        return person.user if person else None


def unsubscribe_token(person: Person, concern: Concern) -> str:
    subscription, _ = Subscription.objects.get_or_create(concern=concern, person=person)
    return signing.dumps(subscription.pk, salt=UNSUBSCRIBE_SALT)


def _link(invitation: Invitation) -> str:
    token, digest = token_new()
    InvitationToken.objects.create(invitation=invitation, token_hash=digest)
    return token


def build_world() -> World:
    now = timezone.now()
    team_a, team_b = TeamFactory(name="Claims"), TeamFactory(name="Billing")
    employee = PersonFactory(name="Erin Employee", team=team_a)
    leader = PersonFactory(name="Leo Leader", team=team_a, roles={Role.LEADER})
    hr = PersonFactory(name="Hana HR", roles={Role.HR})
    other_leader = PersonFactory(name="Lena Other", team=team_b, roles={Role.LEADER})
    other_employee = PersonFactory(name="Otto Other", team=team_b)
    team_a.manager, team_b.manager = leader, other_leader
    team_a.save(update_fields=["manager"])
    team_b.save(update_fields=["manager"])
    staff = UserFactory(is_staff=True, is_superuser=True)

    tool = AIToolFactory(name="Copilot", owner=leader)
    tool.teams.set([team_a])
    other_tool = AIToolFactory(name="Summariser", owner=other_leader)

    concern = ConcernFactory(
        title="Copilot drafts are wrong", raised_by=employee, owner=leader, ai_tool=tool
    )
    other_concern = ConcernFactory(
        title="Billing bot double charges",
        body="The other leader's private-ish thread.",
        raised_by=other_employee,
        owner=other_leader,
        ai_tool=other_tool,
    )
    hidden = ConcernFactory(
        title="Hidden: names a colleague",
        body="SECRET-HIDDEN-BODY",
        raised_by=other_employee,
        owner=other_leader,
        hidden_at=now,
        hidden_by=hr,
        hidden_reason="Names a colleague",
    )
    customer = CustomerFactory(name="Cora Customer")
    customer_concern = ConcernFactory(
        title="Do you train AI on our data?",
        audience=Audience.CUSTOMERS,
        raised_by_customer=customer,
        owner=hr,
    )
    comments = {
        role: Comment.objects.create(
            concern=concern, author=person, body=f"{role} says so.", created_at=now
        )
        for role, person in (("employee", employee), ("leader", leader), ("hr", hr))
    }
    other_comment = Comment.objects.create(
        concern=other_concern,
        author=other_employee,
        body="OTHER-PERSONS-COMMENT",
        created_at=now,
    )
    flag = Flag.objects.create(concern=concern, flagged_by=employee, reason="Rude")

    survey = SurveyFactory(title="Pulse")
    question = QuestionFactory(survey=survey, position=1)
    other_survey = SurveyFactory(title="Other pulse")
    other_question = QuestionFactory(
        survey=other_survey, position=1, text="OTHER-SURVEY-QUESTION"
    )
    open_round = RoundFactory(
        survey=survey,
        starts_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=4),
    )
    closed_round = RoundFactory(
        survey=survey,
        starts_at=now - dt.timedelta(days=20),
        closes_at=now - dt.timedelta(days=15),
        closed_at=now - dt.timedelta(days=15),
    )
    invitations = {
        role: Invitation.objects.create(
            round=open_round, person=person, team=person.team
        )
        for role, person in (("employee", employee), ("leader", leader), ("hr", hr))
    }
    other_invitation = Invitation.objects.create(
        round=open_round, person=other_employee, team=team_b
    )
    customer_survey = SurveyFactory(
        title="Customer pulse", audience=Survey.Audience.CUSTOMERS
    )
    QuestionFactory(survey=customer_survey, position=1)
    customer_round = RoundFactory(
        survey=customer_survey,
        starts_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=4),
    )
    customer_invitation = Invitation.objects.create(
        round=customer_round, customer=customer
    )
    links = {role: _link(inv) for role, inv in invitations.items()}
    links["customer"] = _link(customer_invitation)

    world = World(
        people={"employee": employee, "leader": leader, "hr": hr},
        staff=staff,
        other_leader=other_leader,
        other_employee=other_employee,
        team_a=team_a,
        team_b=team_b,
        tool=tool,
        other_tool=other_tool,
        concern=concern,
        other_concern=other_concern,
        hidden=hidden,
        customer_concern=customer_concern,
        comments=comments,
        other_comment=other_comment,
        flag=flag,
        survey=survey,
        question=question,
        other_survey=other_survey,
        other_question=other_question,
        open_round=open_round,
        closed_round=closed_round,
        invitations=invitations,
        links=links,
        customer_board_token=customer_token(customer),
        other_link=_link(other_invitation),
    )
    for role in (*PEOPLE, "staff"):
        world.tokens[role] = token_for(world.user(role))
    return world


def state() -> dict[str, object]:
    """Every row count, and the fields an action would change: equal before and
    after a refused request, or the request changed something."""
    from django.apps import apps

    counts = {
        model._meta.label: model.objects.count()
        for app in ("org", "surveys", "feedback", "api")
        for model in apps.get_app_config(app).get_models()
    }
    from api.models import ApiToken
    from feedback.models import Vote
    from org.models import AITool

    return {
        **counts,
        "concerns": list(
            Concern.objects.order_by("pk").values_list(
                "title", "body", "status", "owner", "hidden_at", "merged_into"
            )
        ),
        "comments": list(
            Comment.objects.order_by("pk").values_list("body", "hidden_at")
        ),
        "flags": list(Flag.objects.order_by("pk").values_list("resolved_at")),
        "follows": list(
            Subscription.objects.order_by("pk").values_list("person", "active")
        ),
        "tokens": list(ApiToken.objects.order_by("pk").values_list("revoked_at")),
        "votes": list(Vote.objects.order_by("pk").values_list("concern", "person")),
        "questions": list(
            Question.objects.order_by("pk").values_list("position", "text")
        ),
        "surveys": list(Survey.objects.order_by("pk").values_list("title", "status")),
        "rounds": list(
            Round.objects.order_by("pk").values_list("results_published_at")
        ),
        "invitations": list(Invitation.objects.order_by("pk").values_list("answered")),
        "tools": list(AITool.objects.order_by("pk").values_list("name", "purpose")),
    }
