from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from core.links import site_root
from org import selectors
from org.forms import (
    AIToolForm,
    PasswordSetOrResetForm,
    PeopleImportForm,
    PersonFilterForm,
)
from org.models import AITool, PeopleSync, Person
from org.services.aitools import aitool_save
from org.services.people_import import COLUMNS, PeopleImportError
from org.services.people_sync import TooManyDeactivated
from org.services.people_sync_runs import INLINE_ROWS, people_sync_saved
from org.services.people_uploads import people_upload
from org.services.signin import (
    TooManyResetRequests,
    password_reset_request_record,
    signin_locked_until,
    signin_username,
)
from org.services.welcome import WelcomeRefused, welcome_resend


@login_required
@permission_required("org.view_aitool", raise_exception=True)
def aitool_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "org/aitool_list.html",
        {
            "tools": selectors.aitool_list(),
            "can_add": request.user.has_perm("org.add_aitool"),
        },
    )


@login_required
@permission_required("org.add_aitool", raise_exception=True)
def aitool_create(request: HttpRequest) -> HttpResponse:
    return _aitool_form(request, AITool())


@login_required
def aitool_edit(request: HttpRequest, pk: int) -> HttpResponse:
    tool = get_object_or_404(AITool, pk=pk)
    if not selectors.aitool_editable_by(tool=tool, user=request.user):
        raise PermissionDenied
    return _aitool_form(request, tool)


def _aitool_form(request: HttpRequest, tool: AITool) -> HttpResponse:
    form = AIToolForm(request.POST or None, instance=tool)
    if request.method == "POST" and form.is_valid():
        tool = aitool_save(tool=form.instance, teams=form.cleaned_data["teams"])
        messages.success(request, f"Saved {tool.name}.")
        return redirect("org:aitool_detail", pk=tool.pk)
    return render(request, "org/aitool_form.html", {"form": form, "tool": tool})


@login_required
@permission_required("org.manage_people", raise_exception=True)
def person_list(request: HttpRequest) -> HttpResponse:
    filters = PersonFilterForm(request.GET or None)
    search, team = "", None
    if filters.is_valid():
        search, team = filters.cleaned_data["q"], filters.cleaned_data["team"]
    people = selectors.person_list(search=search, team_id=team.pk if team else None)
    page = Paginator(people, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "org/person_list.html",
        {
            "filters": filters,
            "page": page,
            "import_form": PeopleImportForm(),
            "columns": COLUMNS,
            "syncs": selectors.people_syncs_recent(),
            "inline_rows": INLINE_ROWS,
        },
    )


@login_required
@permission_required("org.manage_people", raise_exception=True)
@require_POST
def people_import_upload(request: HttpRequest) -> HttpResponse:
    """A small file is imported now; a large one is handed to a worker, and HR
    follows it on its own page."""
    form = PeopleImportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["file"]))
        return redirect("org:person_list")
    upload = form.cleaned_data["file"]
    try:
        outcome = people_upload(
            data=upload.read(),
            file_name=upload.name,
            welcome=form.cleaned_data["welcome"],
            force=form.cleaned_data["force"],
            by=Person.objects.filter(user=request.user).first(),
            now=timezone.now(),
        )
    except PeopleImportError as exc:
        context = {"errors": exc.row_errors, "error_count": exc.error_count}
        return render(request, "org/import_errors.html", context, status=400)
    except TooManyDeactivated as refused:
        messages.error(request, str(refused))
        return redirect("org:person_list")
    if isinstance(outcome, PeopleSync):
        return redirect("org:people_sync", pk=outcome.pk)
    messages.success(request, outcome.summary)
    return redirect("org:person_list")


# Seconds between two reloads of a sync's page while it waits or runs: a meta
# refresh, which needs no script, so the page follows it under the CSP as is.
SYNC_REFRESH_SECONDS = 3


@login_required
@permission_required("org.manage_people", raise_exception=True)
@require_safe
def people_sync(request: HttpRequest, pk: int) -> HttpResponse:
    """Where a people sync run by a worker stands: its progress while it runs,
    then its counts, its bad rows or why it was refused."""
    sync = get_object_or_404(
        PeopleSync.objects.defer("body").select_related("requested_by"), pk=pk
    )
    context = {
        "sync": sync,
        "saved": people_sync_saved(sync),
        "refresh": None if sync.is_finished else SYNC_REFRESH_SECONDS,
        "import_form": PeopleImportForm() if sync.deactivation_refused else None,
    }
    return render(request, "org/people_sync.html", context)


@login_required
@permission_required("org.manage_people", raise_exception=True)
@require_POST
def person_welcome(request: HttpRequest, pk: int) -> HttpResponse:
    """Send a person a welcome again, with a new link to choose a password."""
    person = get_object_or_404(Person.objects.select_related("user"), pk=pk)
    try:
        welcome_resend(
            person=person,
            by=Person.objects.filter(user=request.user).first(),
            now=timezone.now(),
        )
    except WelcomeRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(
            request,
            f"A welcome email with a new link is on its way to {person.user.email}.",
        )
    return redirect("org:person_list")


def signin_locked_out(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict | None = None,
) -> HttpResponse:
    """The page for a sign-in refused after too many wrong passwords
    (AXES_LOCKOUT_CALLABLE): what happened, and when to try again."""
    username = signin_username(request, credentials)
    address = getattr(request, "axes_ip_address", request.META.get("REMOTE_ADDR"))
    context = {
        "username": username,
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "until": signin_locked_until(username=username, address=address),
        "time_zone": settings.TIME_ZONE,
    }
    return render(request, "registration/locked_out.html", context, status=429)


class PasswordResetView(auth_views.PasswordResetView):
    """Django's, for people with or without a password, a few emails an hour per
    client address (PASSWORD_RESET_LIMIT)."""

    form_class = PasswordSetOrResetForm

    def form_valid(self, form: PasswordSetOrResetForm) -> HttpResponse:
        try:
            password_reset_request_record(
                address=self.request.META.get("REMOTE_ADDR", "unknown")
            )
        except TooManyResetRequests:
            return render(
                self.request,
                "registration/password_reset_limited.html",
                {"limit": settings.PASSWORD_RESET_LIMIT},
                status=429,
            )
        # The link in the email uses the site's one address, not the Host header
        # of this request (which a client chooses).
        self.extra_email_context = {"site_root": site_root()}
        return super().form_valid(form)
