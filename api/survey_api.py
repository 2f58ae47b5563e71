"""HR's surveys over the API, as an HR system or a script drives them: the
templates, a draft from one, and a survey's life (activate, pause, resume,
archive, restore) through `surveys.services.lifecycle`, the very moves of the
survey's pages, with their checks.

A move the survey's state does not allow (pausing a draft, activating an archived
survey, archiving one with a round open...) is a 409 saying why, and changes
nothing. Nothing here returns an answer or a count of them: a survey's rounds and
their participation are `RoundList`'s, behind the survey's floor.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.errors import refused_as_conflict
from api.serializers import (
    SurveyFromTemplateSerializer,
    SurveySerializer,
    SurveyTemplateSerializer,
)
from api.views import ManagesSurveys, SurveyList, service_errors
from feedback.permissions import person_of
from surveys.library import TEMPLATES, Template, survey_from_template
from surveys.models import Survey
from surveys.services import lifecycle


def _surveys() -> QuerySet[Survey]:
    return Survey.objects.annotate(question_count=Count("questions"))


def _survey(pk: int) -> dict:
    return SurveySerializer(_surveys().get(pk=pk)).data


class SurveyTemplateList(generics.ListAPIView):
    """HR: the ready-made surveys a draft can start from, with their questions."""

    permission_classes = [ManagesSurveys]
    serializer_class = SurveyTemplateSerializer
    filter_backends: list = []  # plain data, not rows

    def get_queryset(self) -> list[Template]:
        return list(TEMPLATES.values())


class SurveyListCreate(SurveyList):
    """Every survey, for HR: its audience, privacy, floors, cadence and status.
    POST creates a draft from a template (`template`, `first_date`, `title`
    optional), as the "from a template" page: nothing is sent until it is
    activated."""

    service_checked = True  # its refusals: see api.schema.AutoSchema
    conflicts = "Another survey that is not archived has this title: nothing saved."

    @extend_schema(
        request=SurveyFromTemplateSerializer, responses={201: SurveySerializer}
    )
    def post(self, request: Request, *args, **kwargs) -> Response:
        incoming = SurveyFromTemplateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        title = data.get("title")
        with service_errors():
            survey = survey_from_template(
                data["template"],
                first_date=data["first_date"],
                created_by=person_of(request.user),
                **({"title": title} if title else {}),
            )
        return Response(_survey(survey.pk), status=status.HTTP_201_CREATED)


class SurveyDetail(generics.RetrieveAPIView):
    """One survey, for HR (its rounds: `rounds/`)."""

    permission_classes = [ManagesSurveys]
    serializer_class = SurveySerializer

    def get_queryset(self) -> QuerySet[Survey]:
        return _surveys()


class SurveyMove(APIView):
    """One move of a survey's life, made by its service; the survey as it is
    after it."""

    permission_classes = [ManagesSurveys]
    serializer_class = SurveySerializer
    move: Callable[[Survey, dt.datetime], Survey]  # its service, in each below

    @extend_schema(request=None, responses=SurveySerializer)
    def post(self, request: Request, pk: int) -> Response:
        survey = get_object_or_404(Survey, pk=pk)
        with refused_as_conflict():
            self.move(survey, timezone.now())
        return Response(_survey(survey.pk))


class SurveyActivate(SurveyMove):
    """HR: schedule a draft; its rounds then open on its cadence. It needs a
    question and a first date not before today (in the organisation's time
    zone)."""

    conflicts = (
        "Not a draft (scheduled already, paused: resume it; archived: restore it "
        "first), no question, or a first date in the past: nothing changed."
    )

    @staticmethod
    def move(survey: Survey, now: dt.datetime) -> Survey:
        return lifecycle.survey_activate(survey=survey, now=now)


class SurveyPause(SurveyMove):
    """HR: a scheduled survey opens no new round; one already open runs to its
    close."""

    conflicts = "Not scheduled: nothing changed."

    @staticmethod
    def move(survey: Survey, now: dt.datetime) -> Survey:
        return lifecycle.survey_pause(survey=survey)


class SurveyResume(SurveyMove):
    """HR: schedule a paused survey again. It needs a question."""

    conflicts = "Not paused, or no question: nothing changed."

    @staticmethod
    def move(survey: Survey, now: dt.datetime) -> Survey:
        return lifecycle.survey_resume(survey=survey)


class SurveyArchive(SurveyMove):
    """HR: archive a survey with no round open: read-only, out of the default
    list; its rounds and results stay."""

    conflicts = (
        "Archived already, or a round is open (pause the survey, and archive it "
        "once the round has closed): nothing changed."
    )

    @staticmethod
    def move(survey: Survey, now: dt.datetime) -> Survey:
        return lifecycle.survey_archive(survey=survey, now=now)


class SurveyRestore(SurveyMove):
    """HR: bring an archived survey back, paused (resume it to open rounds)."""

    conflicts = (
        "Not archived, or another survey has taken its title (`code` unique): "
        "nothing changed."
    )

    @staticmethod
    def move(survey: Survey, now: dt.datetime) -> Survey:
        return lifecycle.survey_restore(survey=survey)
