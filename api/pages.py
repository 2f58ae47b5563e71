"""HR's page of API tokens (People → API tokens): create one, see which are in
use, revoke one. A new token is shown on the page that answers its creation, once."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from api.models import Scope
from api.tokens import api_token_create, api_token_list, api_token_revoke


class TokenForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="What the token is for.")
    owner = forms.EmailField(
        label="Acts as", help_text="The email of the account it signs in as."
    )
    scope = forms.ChoiceField(choices=Scope.choices, initial=Scope.READ)
    expires_on = forms.DateField(
        label="Expires on (optional)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean_owner(self):
        email = self.cleaned_data["owner"]
        user = get_user_model().objects.filter(email__iexact=email).first()
        if user is None:
            raise ValidationError("No account with this email.")
        return user

    def expires_at(self) -> dt.datetime | None:
        day = self.cleaned_data.get("expires_on")
        if day is None:
            return None
        return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


@login_required
@permission_required("org.manage_people", raise_exception=True)
def token_list(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    key = None
    if request.method == "POST" and form.is_valid():
        try:
            created = api_token_create(
                owner=form.cleaned_data["owner"],
                name=form.cleaned_data["name"],
                scope=form.cleaned_data["scope"],
                now=timezone.now(),
                expires_at=form.expires_at(),
                by=request.user,
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            key, form = created.key, TokenForm()
    return render(
        request,
        "api/token_list.html",
        {
            "form": form,
            "key": key,
            "tokens": api_token_list()[:200],
            "now": timezone.now(),
        },
    )


@login_required
@permission_required("org.manage_people", raise_exception=True)
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(api_token_list(), pk=pk)
    api_token_revoke(token=token, now=timezone.now())
    messages.success(request, f"Revoked {token}.")
    return redirect("api_pages:tokens")
