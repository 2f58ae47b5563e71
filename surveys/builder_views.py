"""HR's pages to build, edit, preview and follow surveys."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from org.models import Person
from surveys import selectors
from surveys.builder_forms import (
    QuestionForm,
    QuestionMoveForm,
    SurveyForm,
    SurveyFromTemplateForm,
    SurveyStatusFilterForm,
)
from surveys.forms import AnswerForm
from surveys.library import TEMPLATES, survey_from_template
from surveys.models import Question, Survey
from surveys.services import builder

PERMISSION = "surveys.manage_surveys"


def manager_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in (else the login page) and allowed to manage surveys (else 403)."""
    return login_required(permission_required(PERMISSION, raise_exception=True)(view))


def _person(request: HttpRequest) -> Person | None:
    # A superuser may have no Person record.
    return getattr(request.user, "person", None)


@manager_required
def survey_list(request: HttpRequest) -> HttpResponse:
    form = SurveyStatusFilterForm(request.GET)
    valid = form.is_valid()
    status = form.cleaned_data["status"] if valid else ""
    return render(
        request,
        "surveys/builder/survey_list.html",
        {
            "rows": selectors.survey_rows(status=status or None),
            "templates": TEMPLATES.values(),
            "status": status,
            "status_label": dict(Survey.Status.choices).get(status, ""),
            "statuses": Survey.Status.choices,
            "filter_errors": [] if valid else form.errors["status"],
        },
        status=200 if valid else 400,
    )


@manager_required
def survey_from_template_view(request: HttpRequest) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    form = SurveyFromTemplateForm(data, initial={"template": request.GET.get("key")})
    if form.is_valid():
        # No title given: the template's, made distinct from every other survey's.
        title = form.cleaned_data["title"]
        try:
            survey = survey_from_template(
                form.cleaned_data["template"],
                first_date=form.cleaned_data["first_date"],
                created_by=_person(request),
                **({"title": title} if title else {}),
            )
        except ValueError as error:
            form.add_error("template", str(error))
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request,
                f"Created the draft “{survey.title}” from its template: nothing is "
                "sent until you activate it.",
            )
            return redirect("surveys:survey_detail", pk=survey.pk)
    return render(request, "surveys/builder/survey_from_template.html", {"form": form})


def _add_errors(form: forms.Form, error: ValidationError) -> None:
    """A service's refusal on the form's own fields, the rest above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, errors in error.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@manager_required
def survey_create(request: HttpRequest) -> HttpResponse:
    return _survey_form(request, Survey(created_by=_person(request)))


@manager_required
def survey_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _survey_form(request, get_object_or_404(Survey, pk=pk))


def _survey_form(request: HttpRequest, survey: Survey) -> HttpResponse:
    title = survey.title  # the form rewrites the instance as it validates
    data = request.POST if request.method == "POST" else None
    form = SurveyForm(data, instance=survey)
    if form.is_valid():
        try:
            survey = builder.survey_save(
                survey=form.instance,
                departments=form.cleaned_data["departments"],
                teams=form.cleaned_data["teams"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Saved “{survey.title}”.")
            return redirect("surveys:survey_detail", pk=survey.pk)
    return render(
        request,
        "surveys/builder/survey_form.html",
        {"form": form, "survey": survey, "title": title},
    )


@manager_required
def survey_detail(request: HttpRequest, pk: int) -> HttpResponse:
    survey = get_object_or_404(
        Survey.objects.prefetch_related("departments", "teams__department"), pk=pk
    )
    now = timezone.now()
    return render(
        request,
        "surveys/builder/survey_detail.html",
        {
            "survey": survey,
            "questions": selectors.survey_questions(survey=survey),
            "participations": selectors.survey_participation(survey=survey),
            "fate_unknown": selectors.survey_fate_unknown(survey=survey, now=now),
            "open_round": selectors.survey_open_round(survey=survey, now=now),
            "time_zone": settings.TIME_ZONE,
        },
    )


@manager_required
def survey_preview(request: HttpRequest, pk: int) -> HttpResponse:
    survey = get_object_or_404(Survey, pk=pk)
    # The respondents' own form, so the preview cannot drift from the real page.
    form = AnswerForm(selectors.survey_questions(survey=survey))
    return render(
        request,
        "surveys/builder/survey_preview.html",
        {"survey": survey, "form": form},
    )


@manager_required
def question_create(request: HttpRequest, pk: int) -> HttpResponse:
    survey = get_object_or_404(Survey, pk=pk)
    return _question_form(request, Question(survey=survey))


@manager_required
def question_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _question_form(
        request, get_object_or_404(Question.objects.select_related("survey"), pk=pk)
    )


def _question_form(request: HttpRequest, question: Question) -> HttpResponse:
    is_new = question.pk is None
    data = request.POST if request.method == "POST" else None
    form = QuestionForm(data, instance=question)
    if form.is_valid():
        try:
            builder.question_save(question=form.instance)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, "Question added." if is_new else "Question saved."
            )
            return redirect("surveys:survey_detail", pk=question.survey_id)
    return render(
        request,
        "surveys/builder/question_form.html",
        {"form": form, "survey": question.survey, "is_new": is_new},
    )


@manager_required
def question_delete(request: HttpRequest, pk: int) -> HttpResponse:
    question = get_object_or_404(Question.objects.select_related("survey"), pk=pk)
    if request.method == "POST":
        try:
            builder.question_delete(question=question)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Question deleted.")
        return redirect("surveys:survey_detail", pk=question.survey_id)
    return render(
        request,
        "surveys/builder/question_confirm_delete.html",
        {"question": question},
    )


@manager_required
@require_POST
def question_move(request: HttpRequest, pk: int) -> HttpResponse:
    question = get_object_or_404(Question, pk=pk)
    form = QuestionMoveForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("Choose to move the question up or down.")
        builder.question_move(
            question=question, direction=form.cleaned_data["direction"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    # Back to the moved question, so keyboard focus continues from it.
    detail = reverse("surveys:survey_detail", args=[question.survey_id])
    return redirect(f"{detail}#question-{question.pk}")
