"""Read-only queries about surveys, for pages and dashboards."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Count, Exists, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce

from core.delivery import CLAIM_LEASE, SendState
from core.rows import Columns
from org.models import AITool, Customer, Person, User
from surveys.audiences import questions_asked_filter, tools_asked_of
from surveys.cadence import starts
from surveys.models import (
    Answer,
    Invitation,
    InvitationToken,
    Question,
    Round,
    Survey,
)
from surveys.services.rounds import recipients, round_window
from surveys.tokens import token_hash


@dataclass(frozen=True)
class Participation:
    """How many were invited and answered in a round; never who."""

    round: Round
    sent: int
    answered: int
    # False when fewer were invited than the survey's minimum group size: then even
    # the counts stay hidden, since "1 of 2 answered" already says too much.
    visible: bool

    @property
    def rate(self) -> float | None:
        if not self.visible or not self.sent:
            return None
        return self.answered / self.sent


def participation_for_rounds(rounds: Iterable[Round]) -> list[Participation]:
    """Participation of each whole round, in one query whatever the number of
    rounds. (Per team, participation goes through the dashboards' privacy engine.)"""
    rounds = list(rounds)
    invitations = Invitation.objects.filter(round__in=rounds)
    counts = {
        row["round"]: row
        for row in invitations.values("round").annotate(
            # A bounced email reached nobody: it does not count as sent.
            sent=Count("pk", filter=Q(sent_at__isnull=False, bounced_at=None)),
            answered=Count("pk", filter=Q(answered=True)),
        )
    }
    result = []
    for round_ in rounds:
        row = counts.get(round_.pk, {"sent": 0, "answered": 0})
        visible = row["sent"] >= round_.survey.min_group_size
        result.append(
            Participation(
                round_,
                row["sent"] if visible else 0,
                row["answered"] if visible else 0,
                visible,
            )
        )
    return result


def questions_for(*, invitation: Invitation) -> list[Question]:
    """The questions this invitee is asked, in order: a question about an AI tool
    rolled out to some teams goes only to people in them, as the round kept them
    when it opened (`surveys.audiences`), by the team the person was in when
    invited, which their answer counts for too. (By today's team, someone who
    moved mid-round would be asked their new team's questions under their old
    team's name: a response unlike any other in its cell, so theirs.) Customers
    are asked about every tool their round kept. One query."""
    round_ = invitation.round
    asked = questions_asked_filter(
        round_.tools_asked, invitation.team_id, customer=invitation.person_id is None
    )
    questions = Question.objects.filter(asked, survey_id=round_.survey_id)
    return list(questions.order_by("position", "pk"))


@dataclass(frozen=True)
class AnswerLink:
    """What the answering page needs of a link."""

    # With its round, survey, and person (and account) or customer loaded.
    invitation: Invitation
    questions: list[Question]  # asked of this invitee, in order (`questions_for`)
    kinds: list[str]  # of every question of the survey, asked or not


_INVITATION = Columns(Invitation, "i")
_ROUND = Columns(Round, "r")
_SURVEY = Columns(Survey, "s")
_PERSON = Columns(Person, "p")
_USER = Columns(User, "u")
_CUSTOMER = Columns(Customer, "c")
_QUESTION = Columns(Question, "q")
_LINK_PARTS = (_INVITATION, _ROUND, _SURVEY, _PERSON, _USER, _CUSTOMER)
_link_sql: dict[str, str] = {}


def answer_link(*, token: str) -> AnswerLink | None:
    """The link `token` opens, with everything its page and its answers need, in
    one query; None for a link we never sent.

    One constant statement (PostgreSQL prepares it once per connection; Django
    would compile a six-table `select_related` and the questions' filter afresh
    on every request, two thirds of the page's CPU). After the link's row, a
    row per question of the survey, each saying whether this invitee is asked
    it (as `questions_for`).
    """
    if not token or len(token) > 100:
        return None
    db = connections[DEFAULT_DB_ALIAS]  # not the proxy: asked for 30 times here
    sql = _link_sql.get(db.vendor) or _link_sql.setdefault(
        db.vendor, _answer_link_sql(db)
    )
    with db.cursor() as cursor:
        digest = token_hash(token)
        cursor.execute(sql, [digest, digest])
        rows = cursor.fetchall()
    if not rows:
        return None
    first, at = rows[0], _SORT
    invitation, round_, survey, person, user, customer = (
        part.build(first, start, db) for part, start in _starts(_LINK_PARTS, at)
    )
    Invitation.round.field.set_cached_value(invitation, round_)
    Round.survey.field.set_cached_value(round_, survey)
    Invitation.person.field.set_cached_value(invitation, person)
    Invitation.customer.field.set_cached_value(invitation, customer)
    if person is not None:
        Person.user.field.set_cached_value(person, user)
    # What the round kept it asks about each tool (None: it kept nothing, and
    # the query's own test, by the tools' teams now, says).
    kept = tools_asked_of(
        round_.tools_asked, invitation.team_id, customer=invitation.person_id is None
    )
    questions, kinds = [], []
    at += sum(part.width for part in _LINK_PARTS)
    for row in rows[1:]:
        question = _QUESTION.build(row, at, db)
        Question.survey.field.set_cached_value(question, survey)
        kinds.append(question.kind)
        if kept is None:
            asked = row[at + _QUESTION.width]
        else:
            tool = question.ai_tool_id
            asked = tool is None or question.kind in kept.get(tool, ())
        if asked:
            questions.append(question)
    return AnswerLink(invitation, questions, kinds)


def _starts(parts: tuple[Columns, ...], at: int) -> list[tuple[Columns, int]]:
    starts = []
    for part in parts:
        starts.append((part, at))
        at += part.width
    return starts


# The columns each row starts with, to sort by: 0 for the link's row, 1 and the
# position and id for a question's.
_SORT = 3


def _answer_link_sql(db: BaseDatabaseWrapper) -> str:
    """The link's row (its question columns empty), then a row per question of
    its survey (their link columns empty): the link's values, datetimes above all,
    are read and converted once, not once per question."""
    quote = db.ops.quote_name

    def table(model) -> str:
        return quote(model._meta.db_table)

    def nulls(count: int) -> str:
        return ", ".join(["NULL"] * count)

    teams = AITool.teams.through
    tool_of = quote(teams._meta.get_field("aitool").column)
    team_of = quote(teams._meta.get_field("team").column)
    link = ", ".join(part.sql(db) for part in _LINK_PARTS)
    link_width = sum(part.width for part in _LINK_PARTS)
    # Only the models' own table and column names go into the text (S608); the
    # link's hash is the one parameter (bandit B608 likewise). Asked, for a round
    # that kept nothing (`answer_link` reads what a round kept itself): as
    # `questions_for` (and AITool.asked_of_filter), a customer is asked
    # everything; a person, a question about no tool, about a tool rolled out to
    # everyone (no team), or about one rolled out to the team they were invited
    # in, as the tools' teams are now.
    asked = (
        f'("i"."person_id" IS NULL OR "q"."ai_tool_id" IS NULL '  # noqa: S608  # nosec B608
        f"OR NOT EXISTS (SELECT 1 FROM {table(teams)} t "
        f'WHERE t.{tool_of} = "q"."ai_tool_id") '
        f"OR EXISTS (SELECT 1 FROM {table(teams)} t "
        f'WHERE t.{tool_of} = "q"."ai_tool_id" AND t.{team_of} = "i"."team_id"))'
    )
    by_token = (
        f"FROM {table(InvitationToken)} k "  # noqa: S608
        f'JOIN {table(Invitation)} "i" ON "i"."id" = k."invitation_id" '
        f'JOIN {table(Round)} "r" ON "r"."id" = "i"."round_id" '
    )
    return (
        f"SELECT 0, NULL, NULL, {link}, {nulls(_QUESTION.width + 1)} "  # noqa: S608
        f"{by_token}"
        f'JOIN {table(Survey)} "s" ON "s"."id" = "r"."survey_id" '
        f'LEFT JOIN {table(Person)} "p" ON "p"."id" = "i"."person_id" '
        f'LEFT JOIN {table(User)} "u" ON "u"."id" = "p"."user_id" '
        f'LEFT JOIN {table(Customer)} "c" ON "c"."id" = "i"."customer_id" '
        'WHERE k."token_hash" = %s '
        'UNION ALL SELECT 1, "q"."position", "q"."id", '
        f"{nulls(link_width)}, {_QUESTION.sql(db)}, {asked} "
        f"{by_token}"
        f'JOIN {table(Question)} "q" ON "q"."survey_id" = "r"."survey_id" '
        'WHERE k."token_hash" = %s '
        "ORDER BY 1, 2, 3"
    )


def open_invitations_for(person, *, now) -> list[Invitation]:
    """The person's invitations to rounds open now that they have not answered."""
    return list(
        Invitation.objects.filter(
            person=person,
            answered=False,
            round__closed_at=None,
            round__starts_at__lte=now,
            round__closes_at__gt=now,
        )
        .select_related("round__survey")
        .order_by("round__closes_at")
    )


@dataclass(frozen=True)
class SurveyRow:
    survey: Survey
    question_count: int
    latest: Participation | None  # of the latest round; None before the first


def survey_rows(*, status: str | None = None) -> list[SurveyRow]:
    """The surveys in one status (None: every one not archived), each with its
    question count and latest round, in three queries."""
    latest_round = Round.objects.filter(survey=OuterRef("pk")).order_by("-starts_at")
    chosen = (
        Survey.objects.exclude(status=Survey.Status.ARCHIVED)
        if status is None
        else Survey.objects.filter(status=status)
    )
    surveys = list(
        chosen.annotate(
            question_count=Count("questions"),
            latest_round_id=Subquery(latest_round.values("pk")[:1]),
        ).order_by("title", "pk")  # Meta.ordering is dropped by the GROUP BY
    )
    rounds = Round.objects.filter(
        pk__in=[s.latest_round_id for s in surveys if s.latest_round_id]
    ).select_related("survey")
    latest = {p.round.survey_id: p for p in participation_for_rounds(rounds)}
    return [SurveyRow(s, s.question_count, latest.get(s.pk)) for s in surveys]


def survey_questions(*, survey: Survey) -> list[Question]:
    """A survey's questions in order, each with `has_answers`."""
    answered = Answer.objects.filter(question=OuterRef("pk"))
    return list(
        Question.objects.filter(survey=survey)
        .order_by("position", "pk")
        .select_related("ai_tool")
        .annotate(has_answers=Exists(answered))
    )


def survey_participation(*, survey: Survey) -> list[Participation]:
    """Participation of every round of a survey, newest first."""
    rounds = survey.rounds.select_related("survey").order_by("-starts_at")
    return participation_for_rounds(rounds)


def survey_fate_unknown(*, survey: Survey, now: dt.datetime) -> int:
    """How many of a survey's emails (invitations and reminders) may not have
    arrived: the mail server took them but its reply was lost, or their worker
    died after handing them over. They are never sent again."""
    row = Invitation.objects.filter(round__survey=survey).aggregate(
        lost=Coalesce(Sum("fate_unknown_sends"), 0),
        died=Count("pk", filter=_died_handing_over(now)),
    )
    return row["lost"] + row["died"]


def invitations_fate_unknown(*, since: dt.datetime, now: dt.datetime) -> int:
    """Invitations with an email of unknown fate (as `survey_fate_unknown`) sent
    since `since`."""
    return Invitation.objects.filter(
        Q(fate_unknown_at__gte=since)
        | (_died_handing_over(now) & Q(claimed_at__gte=since))
    ).count()


def _died_handing_over(now: dt.datetime) -> Q:
    # Handed over long after any SMTP conversation would have ended.
    return Q(send_state=SendState.HANDED, claimed_at__lt=now - CLAIM_LEASE)


# --- A survey's next round, audience and overlap, for its activation page -----------


@dataclass(frozen=True)
class NextRound:
    starts_at: dt.datetime  # UTC
    closes_at: dt.datetime  # UTC
    # Its window began before now and it has not opened: once the survey is
    # scheduled, the next scheduler pass opens it (within a minute).
    due_now: bool


def survey_next_round(*, survey: Survey, now: dt.datetime) -> NextRound | None:
    """The next round the survey's cadence opens once it is scheduled, or None
    when there is none left (a one-off survey whose round has been).

    A round whose window contains `now` counts if it has not opened: the
    scheduler would open it at once, as `rounds_open_due` does.
    """
    for starts_at in starts(survey.schedule()):
        closes_at = round_window(survey, starts_at)
        if closes_at <= now:
            continue
        if starts_at > now:
            return NextRound(starts_at, closes_at, due_now=False)
        if not survey.rounds.filter(starts_at=starts_at).exists():
            return NextRound(starts_at, closes_at, due_now=True)
    return None


@dataclass(frozen=True)
class Overlap:
    """Another scheduled survey that also reaches part of this one's audience."""

    survey: Survey
    shared: int  # people (or customers) of this survey's audience it reaches too
    next_round: NextRound | None


@dataclass(frozen=True)
class ActivationPreview:
    next_round: NextRound | None
    audience: int  # who would be invited if a round opened now
    overlaps: list[Overlap]  # soonest next round first


def survey_activation_preview(*, survey: Survey, now: dt.datetime) -> ActivationPreview:
    """What activating (or resuming) a survey would do: its next round, how many
    it would invite now, and which scheduled surveys reach the same people.

    The audience is counted by the fan-out's own `recipients`, so the number
    cannot drift from the invitations a round creates. One query per other
    scheduled survey of the same audience (they number in the tens).
    """
    audience = recipients(survey)
    others = (
        Survey.objects.filter(status=Survey.Status.SCHEDULED, audience=survey.audience)
        .exclude(pk=survey.pk)
        .prefetch_related("departments", "teams")
    )
    overlaps = []
    for other in others:
        shared = audience.filter(pk__in=recipients(other).values("pk")).count()
        if shared:
            overlaps.append(
                Overlap(other, shared, survey_next_round(survey=other, now=now))
            )
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    overlaps.sort(
        key=lambda o: (o.next_round.starts_at if o.next_round else far, o.survey.pk)
    )
    return ActivationPreview(
        next_round=survey_next_round(survey=survey, now=now),
        audience=audience.count(),
        overlaps=overlaps,
    )


def survey_open_round(*, survey: Survey, now: dt.datetime) -> Round | None:
    """The survey's round open at `now` (the latest, should two overlap)."""
    return (
        survey.rounds.filter(closed_at=None, starts_at__lte=now, closes_at__gt=now)
        .order_by("-starts_at")
        .first()
    )
