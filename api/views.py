"""The REST API, version 1: AI tools; the board (read, raise, comment, answer
officially, "me too"); every dashboard's numbers; HR's surveys, rounds and
publishing. Each endpoint asks the same selectors, services and permission checks
as its HTML page, so the two never disagree.
"""

from __future__ import annotations

from contextlib import contextmanager

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, permissions, status
from rest_framework.exceptions import NotFound, PermissionDenied, Throttled
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from api.errors import conflict, name_taken
from api.filters import ConcernFilter
from api.serializers import (
    CommentPostSerializer,
    CommentSerializer,
    ConcernDetailSerializer,
    ConcernRaiseSerializer,
    ConcernSerializer,
    DashboardSerializer,
    RoundSerializer,
    SupportSerializer,
    SurveySerializer,
    ToolSerializer,
)
from core.replica import replica_reads
from dashboards import catalog
from dashboards.filters import SERVER_SET
from feedback import selectors
from feedback.models import Concern
from feedback.permissions import can_moderate, person_of
from feedback.services.concerns import RateLimited, concern_raise
from feedback.services.thread import comment_post, support_set
from org.models import AITool
from surveys.models import Round, Survey
from surveys.selectors import participation_for_rounds
from surveys.services.publishing import round_publish


@contextmanager
def service_errors():
    """A service's refusal as the API says it: a bad value 400 with its message,
    a name (title, email) another row has 409, too many posts 429 (a permission
    refusal is already a 403)."""
    try:
        yield
    except RateLimited as error:
        raise Throttled(detail=str(error)) from error
    except DjangoValidationError as error:
        if name_taken(error):
            raise conflict(error) from error
        if not hasattr(error, "error_dict"):
            raise ApiValidationError(error.messages) from error
        # A model's own rule (`__all__`) is named as DRF names it, as the
        # schema's error shape does.
        raise ApiValidationError(
            {
                api_settings.NON_FIELD_ERRORS_KEY
                if name == NON_FIELD_ERRORS
                else name: (messages)
                for name, messages in error.message_dict.items()
            }
        ) from error


class HasPerm(permissions.BasePermission):
    """Signed in and holding one Django permission (as the page's view checks)."""

    perm = ""

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.has_perm(self.perm))


class ViewsTools(HasPerm):
    perm = "org.view_aitool"


class ManagesSurveys(HasPerm):
    perm = "surveys.manage_surveys"


class PublishesResults(HasPerm):
    perm = "org.view_org_results"


class ToolList(generics.ListAPIView):
    """The AI tools in the rollout, with their accountable owners."""

    permission_classes = [ViewsTools]
    serializer_class = ToolSerializer
    queryset = (
        AITool.objects.select_related("owner")
        .prefetch_related("teams")
        .order_by("name", "pk")
    )


class ToolDetail(generics.RetrieveAPIView):
    permission_classes = [ViewsTools]
    serializer_class = ToolSerializer
    queryset = AITool.objects.select_related("owner").prefetch_related("teams")


class ConcernList(generics.ListCreateAPIView):
    """The board: every concern the viewer may see, filtered as the board is.
    POST raises a concern, as the board's form does."""

    serializer_class = ConcernSerializer
    # The board's rows come from its selector, through the FilterSet.
    filterset_class = ConcernFilter
    queryset = Concern.objects.none()

    @extend_schema(request=ConcernRaiseSerializer, responses=ConcernDetailSerializer)
    def post(self, request: Request, *args, **kwargs) -> Response:
        person = _poster(request)
        incoming = ConcernRaiseSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        with service_errors():
            concern = concern_raise(by=person, **incoming.validated_data)
        concern = _concern(request, concern.pk)
        return Response(
            ConcernDetailSerializer(concern).data, status=status.HTTP_201_CREATED
        )


class ConcernDetail(generics.RetrieveAPIView):
    """One concern and its official responses; a hidden one is 404 for all but
    moderators, as on its page."""

    serializer_class = ConcernDetailSerializer

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        concern = _concern(request, kwargs["pk"])
        responses = selectors.official_responses(concern=concern)
        context = {**self.get_serializer_context(), "official_responses": responses}
        return Response(ConcernDetailSerializer(concern, context=context).data)


class CommentCreate(APIView):
    """Comment on a concern, or respond officially (its owner or HR), as on its
    page; followers are told of an official response."""

    serializer_class = CommentSerializer

    @extend_schema(request=CommentPostSerializer, responses=CommentSerializer)
    def post(self, request: Request, pk: int) -> Response:
        concern = _concern(request, pk)
        person = _poster(request)
        incoming = CommentPostSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        parent = None
        if data.get("parent"):
            parent = selectors.comment_by_pk(pk=data["parent"])
            if parent is None or parent.concern_id != concern.pk:
                raise ApiValidationError({"parent": "No such comment on this concern."})
        with service_errors():
            comment = comment_post(
                concern=concern,
                by=person,
                body=data["body"],
                parent=parent,
                official=data["official"],
            )
        return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)


class Support(APIView):
    """Say "me too" (or take it back); counted without a name, one per person."""

    serializer_class = SupportSerializer

    @extend_schema(request=SupportSerializer, responses=SupportSerializer)
    def post(self, request: Request, pk: int) -> Response:
        concern = _concern(request, pk)
        incoming = SupportSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        supported = incoming.validated_data["supported"]
        with service_errors():
            count = support_set(
                concern=concern, person=_poster(request), supported=supported
            )
        return Response({"supported": supported, "support_count": count})


def _poster(request: Request):
    person = person_of(request.user)
    if person is None:
        raise PermissionDenied("An account without a person may read but not post.")
    return person


def _concern(request: Request, pk: int):
    concerns = selectors.concern_page(
        moderator=can_moderate(request.user), now=timezone.now()
    )
    return get_object_or_404(concerns, pk=pk)


class SurveyList(generics.ListAPIView):
    """Every survey, for HR: its audience, privacy, floors and cadence."""

    permission_classes = [ManagesSurveys]
    serializer_class = SurveySerializer
    queryset = Survey.objects.annotate(question_count=Count("questions")).order_by(
        "title", "pk"
    )


class RoundList(generics.ListAPIView):
    """A survey's rounds, newest first, with their participation (hidden below
    the survey's floor, as on the survey's page)."""

    permission_classes = [ManagesSurveys]
    serializer_class = RoundSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema's dry run
            return Round.objects.none()
        survey = get_object_or_404(Survey, pk=self.kwargs["pk"])
        return survey.rounds.select_related("survey").order_by("-starts_at", "-pk")

    def get_serializer_context(self) -> dict:
        context = super().get_serializer_context()
        page = getattr(self, "_page_rounds", None)
        if page is not None:
            context["participation"] = {
                p.round.pk: p for p in participation_for_rounds(page)
            }
        return context

    def paginate_queryset(self, queryset):
        # The page's rounds, whose participation is then read in one query.
        self._page_rounds = super().paginate_queryset(queryset)
        return self._page_rounds


class RoundPublish(APIView):
    """HR shares a closed round's organisation-wide results with everyone; again
    changes nothing."""

    permission_classes = [PublishesResults]
    serializer_class = RoundSerializer

    @extend_schema(request=None, responses=RoundSerializer)
    def post(self, request: Request, pk: int) -> Response:
        round_ = get_object_or_404(Round.objects.select_related("survey"), pk=pk)
        person = person_of(request.user)
        if person is None:
            raise PermissionDenied("Publishing needs a person record.")
        with service_errors():
            round_ = round_publish(round=round_, by=person)
        participation = {p.round.pk: p for p in participation_for_rounds([round_])}
        return Response(
            RoundSerializer(round_, context={"participation": participation}).data
        )


DASHBOARD_FILTERS = [
    OpenApiParameter(
        name,
        str,
        description=text,
        enum=list(selectors.SORTS) if name == "sort" else None,
    )
    for name, text in (
        ("since", "first day, like 2026-03-02 (whole rounds by their start)"),
        ("until", "last day"),
        ("department", "a department's id"),
        ("team", "a team's id"),
        ("survey", "a survey's id"),
        ("tool", "an AI tool's id"),
    )
]


class Dashboard(APIView):
    """One dashboard page's numbers: each chart's table, exactly as its CSV, behind
    the same anonymity floor and for the same people as the page."""

    serializer_class = DashboardSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "page",
                str,
                OpenApiParameter.PATH,
                enum=sorted(catalog.PAGES),
            ),
            *DASHBOARD_FILTERS,
        ],
        responses=DashboardSerializer,
    )
    def get(self, request: Request, page: str) -> Response:
        build = catalog.PAGES.get(page)
        if build is None:
            raise NotFound(
                f"No dashboard called {page!r}: one of {sorted(catalog.PAGES)}."
            )
        with replica_reads():  # as the page's (core.replica)
            return _dashboard(page, build(request.user, request.query_params))


class ToolDashboard(APIView):
    """One AI tool's dashboard: HR, the tool's owner and leaders of teams."""

    serializer_class = DashboardSerializer

    @extend_schema(parameters=DASHBOARD_FILTERS, responses=DashboardSerializer)
    def get(self, request: Request, pk: int) -> Response:
        with replica_reads():  # as the page's (core.replica)
            tool = get_object_or_404(AITool.objects.select_related("owner"), pk=pk)
            return _dashboard(
                "tool", catalog.tool(request.user, request.query_params, tool)
            )


def _dashboard(name: str, built: catalog.Built) -> Response:
    charts = built.page.charts(built.names, draw=False)
    return Response(
        DashboardSerializer(
            {
                "page": name,
                "filters": {
                    key: value
                    for key, value in vars(built.page.filters).items()
                    if value is not None and key not in SERVER_SET
                },
                "notes": built.notes,
                "charts": charts,
            }
        ).data
    )
