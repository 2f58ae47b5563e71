"""Read-only queries about surveys, for pages and dashboards."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, Subquery

from org.models import AITool
from surveys.models import Answer, Invitation, Question, Round, Survey


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
    rolled out to some teams goes only to people in them. Customers are asked
    every question of their survey. One query."""
    questions = Question.objects.filter(survey_id=invitation.round.survey_id)
    if invitation.person_id is not None:
        team_id = invitation.person.team_id
        questions = questions.filter(AITool.asked_of_filter(team_id, tool="ai_tool"))
    return list(questions.order_by("position", "pk"))


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


def survey_rows() -> list[SurveyRow]:
    """Every survey with its question count and latest round, in three queries."""
    latest_round = Round.objects.filter(survey=OuterRef("pk")).order_by("-starts_at")
    surveys = list(
        Survey.objects.annotate(
            question_count=Count("questions"),
            latest_round_id=Subquery(latest_round.values("pk")[:1]),
        )
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
