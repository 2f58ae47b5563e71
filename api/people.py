"""The REST API for HR's side of the organisation: people (one at a time, or a
whole list from the HR system in one sync), teams, departments, customers and AI
tools. Every write goes through `org.services`, so a person sent here passes the
very checks of the CSV import, and a tool the governance of its page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
)
from drf_standardized_errors.openapi_serializers import (
    ParseErrorResponseSerializer,
    ValidationErrorResponseSerializer,
)
from rest_framework import generics, status
from rest_framework.exceptions import ParseError, PermissionDenied
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.errors import ErrorResponse413Serializer, TooLarge, refused_as_conflict
from api.people_serializers import (
    CustomerSerializer,
    DepartmentSerializer,
    PeopleSyncSerializer,
    PersonSerializer,
    PersonWriteSerializer,
    SyncRefusedSerializer,
    SyncReportSerializer,
    SyncRowSerializer,
    SyncTooManyDeactivatedSerializer,
    TeamSerializer,
    ToolWriteSerializer,
)
from api.serializers import ToolSerializer
from api.views import HasPerm, ToolDetail, ToolList, service_errors
from core.unique import unique_save
from feedback.permissions import person_of
from org import selectors
from org.models import AITool, Customer, Department, PeopleSync, Person, Team
from org.services.aitools import aitool_save
from org.services.customers import customer_retire, customer_save
from org.services.people import person_set_active
from org.services.people_sync import (
    MAX_ROWS,
    PeopleSyncRejected,
    SourceRow,
    SyncReport,
    TooManyDeactivated,
    people_sync,
)
from org.services.people_sync_bodies import (
    people_sync_text,
    row_errors_shown,
    rows_counted,
)
from org.services.people_sync_runs import INLINE_ROWS, people_sync_queue
from org.services.teams import department_save, team_save

MAX_SYNC_BYTES = 50 * 1024 * 1024  # 100,000 people with room to spare


class ManagesPeople(HasPerm):
    perm = "org.manage_people"


class AddsTools(HasPerm):
    perm = "org.add_aitool"


def _people():
    return (
        Person.objects.select_related("user", "team__department")
        .prefetch_related("user__groups")
        .order_by("name", "pk")
    )


def _person_write(values: dict) -> SyncReport:
    """One person's row through the people upsert; its errors as a 400 by field.
    A single person is HR's own deliberate act, not an export: no 40% guard."""
    try:
        return people_sync(rows=lambda: [SourceRow(0, values)], force=True)
    except PeopleSyncRejected as rejected:
        errors: dict[str, list[str]] = {}
        for error in rejected.row_errors:
            errors.setdefault(error.field or "non_field_errors", []).append(
                error.message
            )
        raise ApiValidationError(errors) from rejected


def _written(data: dict) -> dict:
    """The fields a client sent, for a row: roles as given, the rest as text."""
    return {key: value for key, value in data.items() if value is not None}


PERSON_TAKEN = "Someone already has this email address: 409, nothing saved."


def _email_free(email: str) -> None:
    """Refuse, as a name taken (code "unique"), an email someone has."""
    existing = _people().filter(user__email__iexact=email).first()
    if existing is not None:
        raise DjangoValidationError(
            {
                "email": DjangoValidationError(
                    f"Already someone's: PATCH person {existing.pk}.", code="unique"
                )
            }
        )


class PersonList(generics.ListCreateAPIView):
    """HR: everyone, by name. POST adds one person (`email` and `name` required;
    `department` with `team`, `job_title`, `manager_email`, `roles`, `active`),
    checked as an imported row; a new active person is sent a welcome email. An
    email someone has is a 409, also when another request took it a moment
    before."""

    conflicts = PERSON_TAKEN
    permission_classes = [ManagesPeople]
    serializer_class = PersonSerializer

    def get_queryset(self):
        return _people()

    @extend_schema(request=PersonWriteSerializer, responses={201: PersonSerializer})
    def post(self, request: Request, *args, **kwargs) -> Response:
        incoming = PersonWriteSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        values = _written(incoming.validated_data)
        email = values["email"].strip()
        with refused_as_conflict():
            _email_free(email)
            with unique_save(recheck=lambda: _email_free(email)):
                if not _person_write(values).created:
                    # Another request added them after the check: the upsert
                    # updated them instead. Undone, and said as it would be now.
                    _email_free(email)
        person = _people().get(user__email__iexact=email)
        return Response(PersonSerializer(person).data, status=status.HTTP_201_CREATED)


class PersonDetail(generics.RetrieveUpdateAPIView):
    """HR: one person. PATCH changes the fields sent, checked as an imported row
    (`active`: false deactivates, true reactivates); the email is the key and
    stays."""

    permission_classes = [ManagesPeople]
    serializer_class = PersonSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self):
        return _people()

    @extend_schema(request=PersonWriteSerializer, responses=PersonSerializer)
    def patch(self, request: Request, *args, **kwargs) -> Response:
        person = self.get_object()
        incoming = PersonWriteSerializer(data=request.data, partial=True)
        incoming.is_valid(raise_exception=True)
        values = _written(incoming.validated_data)
        email = values.pop("email", person.user.email).strip().lower()
        if email != person.user.email.lower():
            raise ApiValidationError(
                {"email": ["The email is the key and cannot be changed here."]}
            )
        _person_write({"email": person.user.email, "name": person.name, **values})
        return Response(PersonSerializer(self.get_queryset().get(pk=person.pk)).data)


class PersonDeactivate(APIView):
    """HR: deactivate one person (they can no longer sign in); again changes
    nothing."""

    permission_classes = [ManagesPeople]
    serializer_class = PersonSerializer

    @extend_schema(request=None, responses=PersonSerializer)
    def post(self, request: Request, pk: int) -> Response:
        person = get_object_or_404(_people(), pk=pk)
        person_set_active(person=person, is_active=False)
        return Response(PersonSerializer(person).data)


def _flag(request: Request, name: str, default: bool) -> bool:
    text = request.query_params.get(name)
    if text is None:
        return default
    if text.lower() in ("true", "1", "yes"):
        return True
    if text.lower() in ("false", "0", "no"):
        return False
    raise ApiValidationError({name: [f"{name} must be true or false, not {text!r}."]})


SYNC_FLAGS = [
    OpenApiParameter(name, bool, description=text)
    for name, text in (
        ("dry_run", "check and count, save nothing (default false)"),
        ("force", "deactivate more than 40% of the active people if need be"),
        ("deactivate_missing", "deactivate active people not listed (default true)"),
        ("welcome", "send new active people a welcome email (default true)"),
    )
]


class PeopleSyncView(APIView):
    """HR: bring Candor's people in line with the HR system's list of them, all or
    nothing. The body is a JSON list of people (the columns of the CSV import) or
    a CSV file (`Content-Type: text/csv`), of up to 100,000 people. Up to 2,000
    run at once (200 and the report); more are run by a worker (202 and the
    sync's address to follow). Bad rows: 400 listing each, by `index` (JSON,
    from 0) or `line` (CSV). Deactivating more than 40% of the active people:
    409, unless `force`. A body over 50 MB: 413."""

    permission_classes = [ManagesPeople]
    serializer_class = SyncReportSerializer

    @extend_schema(
        request=SyncRowSerializer(many=True),
        parameters=SYNC_FLAGS,
        responses={
            200: SyncReportSerializer,
            202: PeopleSyncSerializer,
            # Bad rows are listed by row; a bad flag or body is the API's one
            # error shape.
            400: OpenApiResponse(
                PolymorphicProxySerializer(
                    component_name="PeopleSyncError400",
                    serializers=[
                        SyncRefusedSerializer,
                        ValidationErrorResponseSerializer,
                        ParseErrorResponseSerializer,
                    ],
                    resource_type_field_name=None,
                )
            ),
            409: SyncTooManyDeactivatedSerializer,
            413: OpenApiResponse(
                ErrorResponse413Serializer,
                description=f"The body is over {MAX_SYNC_BYTES // 1024 // 1024} MB.",
            ),
        },
    )
    def post(self, request: Request) -> Response:
        options = {
            "force": _flag(request, "force", False),
            "dry_run": _flag(request, "dry_run", False),
            "deactivate_missing": _flag(request, "deactivate_missing", True),
            "welcome": _flag(request, "welcome", True),
        }
        kind = (request.content_type or "").split(";")[0].strip().lower()
        format = PeopleSync.Format.CSV if "csv" in kind else PeopleSync.Format.JSON
        # Read from the stream, not `request.body`: it is bigger than a form's
        # limit on purpose, and has its own.
        raw = request._request.read(MAX_SYNC_BYTES + 1)
        if len(raw) > MAX_SYNC_BYTES:
            raise TooLarge(
                f"The body is over {MAX_SYNC_BYTES // 1024 // 1024} MB; send at most "
                f"{MAX_ROWS:,} people."
            )
        try:
            body = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ParseError("The body is not UTF-8 text.") from exc
        rows = rows_counted(body=body, format=format, up_to=INLINE_ROWS)
        if rows > INLINE_ROWS:
            # All of them this time, for its progress: 0.4 s for 100,000.
            rows = rows_counted(body=body, format=format, up_to=MAX_ROWS)
            return self._queue(request, body, format, rows, options)
        try:
            report = people_sync_text(body=body, format=format, **options)
        except PeopleSyncRejected as rejected:
            return Response(
                {
                    "detail": f"{rejected.error_count} bad row(s): nothing was saved.",
                    "error_count": rejected.error_count,
                    "errors": row_errors_shown(rejected.row_errors, format),
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        except TooManyDeactivated as refused:
            return Response(
                {
                    "detail": str(refused),
                    "deactivating": refused.deactivating,
                    "active": refused.active,
                },
                status=status.HTTP_409_CONFLICT,
            )
        return Response(SyncReportSerializer(report.as_dict()).data)

    def _queue(self, request, body, format, rows, options) -> Response:
        with transaction.atomic():
            sync = people_sync_queue(
                body=body,
                format=format,
                rows=rows,
                by=person_of(request.user),
                now=timezone.now(),
                **options,
            )
        url = reverse("api:people_sync_status", args=[sync.pk])
        data = {**PeopleSyncSerializer(sync).data, "status_url": url}
        return Response(
            data, status=status.HTTP_202_ACCEPTED, headers={"Location": url}
        )


class PeopleSyncStatus(generics.RetrieveAPIView):
    """HR: where a sync run by a worker stands: queued, running, done (with its
    counts), rejected (with each bad row, or how many it would deactivate) or
    failed."""

    permission_classes = [ManagesPeople]
    serializer_class = PeopleSyncSerializer
    queryset = PeopleSync.objects.defer("body")


class SavedByService:
    """A list's POST or a row's PATCH, saved by `save` (an org service) rather
    than by the serializer: the service's checks, and its refusals as the API
    says them (`service_errors`: a name taken is a 409)."""

    service_checked = True  # its refusals: see api.schema.AutoSchema
    save: Callable[[Any], Any]  # the service, as a staticmethod of each view

    def perform_create(self, serializer) -> None:
        with service_errors():
            serializer.instance = self.save(
                serializer.Meta.model(**serializer.validated_data)
            )

    def perform_update(self, serializer) -> None:
        row = serializer.instance
        for name, value in serializer.validated_data.items():
            setattr(row, name, value)
        with service_errors():
            self.save(row)


DEPARTMENT_TAKEN = "Another department has this name: 409, nothing saved."
TEAM_TAKEN = "Another team of that department has this name: 409, nothing saved."


class DepartmentList(SavedByService, generics.ListCreateAPIView):
    conflicts = DEPARTMENT_TAKEN
    permission_classes = [ManagesPeople]
    serializer_class = DepartmentSerializer
    queryset = Department.objects.order_by("name", "pk")

    @staticmethod
    def save(row: Department) -> Department:
        return department_save(department=row)


class DepartmentDetail(SavedByService, generics.RetrieveUpdateAPIView):
    conflicts = DEPARTMENT_TAKEN
    permission_classes = [ManagesPeople]
    serializer_class = DepartmentSerializer
    queryset = Department.objects.all()
    http_method_names = ["get", "patch", "head", "options"]

    @staticmethod
    def save(row: Department) -> Department:
        return department_save(department=row)


class TeamList(SavedByService, generics.ListCreateAPIView):
    """HR: teams, each in a department, with its manager (a person's id)."""

    conflicts = TEAM_TAKEN
    permission_classes = [ManagesPeople]
    serializer_class = TeamSerializer
    queryset = Team.objects.order_by("department__name", "name", "pk")

    @staticmethod
    def save(row: Team) -> Team:
        return team_save(team=row)


class TeamDetail(SavedByService, generics.RetrieveUpdateAPIView):
    conflicts = TEAM_TAKEN
    permission_classes = [ManagesPeople]
    serializer_class = TeamSerializer
    queryset = Team.objects.all()
    http_method_names = ["get", "patch", "head", "options"]

    @staticmethod
    def save(row: Team) -> Team:
        return team_save(team=row)


CUSTOMER_TAKEN = "Another customer has this email address: 409, nothing saved."


class CustomerList(SavedByService, generics.ListCreateAPIView):
    """HR: the customers who can be surveyed. POST adds one."""

    conflicts = CUSTOMER_TAKEN
    permission_classes = [ManagesPeople]
    serializer_class = CustomerSerializer
    queryset = Customer.objects.order_by("company", "name", "pk")

    @staticmethod
    def save(row: Customer) -> Customer:
        return customer_save(customer=row)


class CustomerDetail(SavedByService, generics.RetrieveUpdateAPIView):
    conflicts = CUSTOMER_TAKEN
    permission_classes = [ManagesPeople]
    serializer_class = CustomerSerializer
    queryset = Customer.objects.all()
    http_method_names = ["get", "patch", "head", "options"]

    @staticmethod
    def save(row: Customer) -> Customer:
        return customer_save(customer=row)


class CustomerRetire(APIView):
    """HR: stop surveying a customer; their answers and concerns stay."""

    permission_classes = [ManagesPeople]
    serializer_class = CustomerSerializer

    @extend_schema(request=None, responses=CustomerSerializer)
    def post(self, request: Request, pk: int) -> Response:
        customer = get_object_or_404(Customer, pk=pk)
        return Response(CustomerSerializer(customer_retire(customer=customer)).data)


TOOL_TAKEN = "Another AI tool has this name (whatever its case): 409, nothing saved."


def _tool_saved(tool: AITool, data: dict) -> AITool:
    teams = data.pop("teams", None)
    for name, value in data.items():
        setattr(tool, name, value)
    with service_errors():
        aitool_save(tool=tool, teams=teams)
    return (
        AITool.objects.select_related("owner").prefetch_related("teams").get(pk=tool.pk)
    )


class ToolListCreate(ToolList):
    """The AI tools in the rollout. POST (HR) adds one: live only with a purpose,
    an acceptable use and an accountable owner, as on its page."""

    service_checked = True  # its refusals: see api.schema.AutoSchema
    conflicts = TOOL_TAKEN

    def get_permissions(self):
        if self.request.method == "POST":
            return [AddsTools()]
        return super().get_permissions()

    @extend_schema(request=ToolWriteSerializer, responses={201: ToolSerializer})
    def post(self, request: Request, *args, **kwargs) -> Response:
        incoming = ToolWriteSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        tool = _tool_saved(AITool(), dict(incoming.validated_data))
        return Response(ToolSerializer(tool).data, status=status.HTTP_201_CREATED)


def _editable(request: Request, pk: int) -> AITool:
    tool = get_object_or_404(AITool.objects.select_related("owner"), pk=pk)
    if not selectors.aitool_editable_by(tool=tool, user=request.user):
        raise PermissionDenied("Only HR and the tool's owner may change it.")
    return tool


class ToolDetailUpdate(ToolDetail):
    """One AI tool. PATCH (HR or its owner, as on its page) changes the fields
    sent, under the same governance."""

    service_checked = True  # its refusals: see api.schema.AutoSchema
    conflicts = TOOL_TAKEN

    http_method_names = ["get", "patch", "head", "options"]

    @extend_schema(request=ToolWriteSerializer, responses=ToolSerializer)
    def patch(self, request: Request, pk: int) -> Response:
        tool = _editable(request, pk)
        incoming = ToolWriteSerializer(tool, data=request.data, partial=True)
        incoming.is_valid(raise_exception=True)
        return Response(
            ToolSerializer(_tool_saved(tool, dict(incoming.validated_data))).data
        )


class ToolRetire(APIView):
    """Retire an AI tool (HR or its owner); again changes nothing."""

    serializer_class = ToolSerializer

    @extend_schema(request=None, responses=ToolSerializer)
    def post(self, request: Request, pk: int) -> Response:
        tool = _editable(request, pk)
        if tool.status != AITool.Status.RETIRED:
            tool = _tool_saved(tool, {"status": AITool.Status.RETIRED})
        return Response(ToolSerializer(tool).data)
