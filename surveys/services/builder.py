"""HR's survey builder: saving surveys and questions, reordering and deleting them.

A question's own rules are in `Question.clean`, so the admin obeys them too.
Every refusal is a `ValidationError`, keyed by form field when it is about one, so a
form can show it next to that field; nothing is written when one is raised.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Literal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils import timezone

from core.unique import unique_save
from org.models import Customer, Department, Team
from surveys.models import Question, Round, Survey

Direction = Literal["up", "down"]

NO_QUESTIONS = (
    "Add at least one question before activating the survey: each of its rounds "
    "would invite everyone to answer nothing."
)
ARCHIVED = (
    "This survey is archived, so it is read-only: restore it (as paused) to change it."
)


# --- Surveys ------------------------------------------------------------------------


def known_segments() -> list[str]:
    """The customer segments that exist today, sorted; blanks left out."""
    segments = Customer.objects.exclude(segment="").values_list("segment", flat=True)
    return sorted(set(segments.distinct()))


def survey_check(
    *,
    audience: str,
    departments: Sequence[Department],
    teams: Sequence[Team],
    segments: Sequence[str],
) -> None:
    """Refuse targeting that does not fit the audience, and unknown segments."""
    errors: dict[str, str] = {}
    if audience != Survey.Audience.EMPLOYEES:
        for field, chosen in (("departments", departments), ("teams", teams)):
            if chosen:
                errors[field] = (
                    f"{field.capitalize()} apply only to employee surveys: clear "
                    "them, or choose the Employees audience."
                )
    if segments and audience != Survey.Audience.CUSTOMERS:
        errors["segments"] = (
            "Segments apply only to customer surveys: clear them, or choose the "
            "Customers audience."
        )
    elif segments:
        known = known_segments()
        unknown = [segment for segment in segments if segment not in known]
        if unknown:
            errors["segments"] = (
                f"Unknown segment{'s' if len(unknown) > 1 else ''}: "
                f"{', '.join(unknown)}. "
                + (
                    f"Known segments: {', '.join(known)}."
                    if known
                    else "No customer has a segment yet."
                )
            )
    if errors:
        raise ValidationError(errors)


def survey_activation_check(*, survey: Survey) -> None:
    """Refuse scheduling a survey (activating or resuming it) before it has a
    question: each of its rounds would invite everyone to answer nothing."""
    if survey.pk is None or not survey.questions.exists():
        raise ValidationError(NO_QUESTIONS)


def survey_editable_check(*, survey_id: int | None) -> None:
    """Refuse changing an archived survey or its questions; a new one is fine.

    Reads the stored status, so a form that rewrote the instance cannot sneak
    past it."""
    if survey_id is not None and (
        Survey.objects.filter(pk=survey_id, status=Survey.Status.ARCHIVED).exists()
    ):
        raise ValidationError(ARCHIVED)


def survey_save(
    *,
    survey: Survey,
    departments: Iterable[Department] = (),
    teams: Iterable[Team] = (),
) -> Survey:
    """Validate and save a new or edited survey with its departments and teams.

    Its status is not changed here: a new survey is a draft, and only the
    transitions in `surveys.services.lifecycle` move it."""
    departments, teams = list(departments), list(teams)
    survey_editable_check(survey_id=survey.pk)
    survey_check(
        audience=survey.audience,
        departments=departments,
        teams=teams,
        segments=survey.segments,
    )
    # Survey.clean refuses a title another survey has, and lowering the anonymity
    # floor once a round has opened.
    survey.full_clean()
    with unique_save(recheck=survey.full_clean):
        survey.save()
        survey.departments.set(departments)
        survey.teams.set(teams)
    return survey


# --- Questions ----------------------------------------------------------------------


def question_save(*, question: Question) -> Question:
    """Validate (Question.clean holds the rules) and save a question; a new one
    goes to the end of its survey."""
    survey_editable_check(survey_id=question.survey_id)
    with transaction.atomic():
        if question.pk is None:
            last = Question.objects.filter(survey=question.survey_id).aggregate(
                last=Max("position")
            )["last"]
            question.position = (last or 0) + 1
            # Added while a round is open: that round asks it from now on.
            now = timezone.now()
            if Round.objects.filter(
                survey=question.survey_id, closed_at=None, starts_at__lte=now
            ).exists():
                question.first_asked_at = now
        question.full_clean()
        question.save()
    return question


ASKED_KEPT = (
    "This question has been asked in a round, so it cannot be deleted: its results "
    "would go with it. Edit its wording instead, or build a new survey."
)


def question_delete(*, question: Question) -> None:
    """Delete a question that nobody has answered, and close the gap it leaves."""
    survey_editable_check(survey_id=question.survey_id)
    if question.first_asked_at is not None:
        raise ValidationError(ASKED_KEPT)
    if (
        question.survey.status == Survey.Status.SCHEDULED
        and not _questions_of(question.survey_id).exclude(pk=question.pk).exists()
    ):
        raise ValidationError(
            "This is the only question of a scheduled survey: add another one "
            "first, or pause the survey."
        )
    with transaction.atomic():
        survey_id = question.survey_id
        question.delete()
        _renumber(list(_questions_of(survey_id)))


def question_move(*, question: Question, direction: Direction) -> None:
    """Swap a question with its neighbour, then number the survey's questions 1..n."""
    if direction not in ("up", "down"):
        raise ValidationError(f"Unknown direction {direction!r}: use up or down.")
    survey_editable_check(survey_id=question.survey_id)
    with transaction.atomic():
        questions = list(_questions_of(question.survey_id).select_for_update())
        index = [q.pk for q in questions].index(question.pk)
        other = index - 1 if direction == "up" else index + 1
        if not 0 <= other < len(questions):
            where = "first" if direction == "up" else "last"
            raise ValidationError(f"This question is already the {where}.")
        questions[index], questions[other] = questions[other], questions[index]
        _renumber(questions)


def _questions_of(survey_id: int) -> QuerySet[Question]:
    return Question.objects.filter(survey=survey_id).order_by("position", "pk")


def _renumber(questions: list[Question]) -> None:
    for position, question in enumerate(questions, start=1):
        question.position = position
    Question.objects.bulk_update(questions, ["position"])
