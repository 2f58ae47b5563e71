"""The list endpoints' query parameters, as django-filter FilterSets so the schema
lists each with its type and allowed values, and a bad value is a 400 naming it.

The board's filtering itself stays in `feedback.selectors.concern_board` (the page
uses it too): the FilterSet only validates the parameters and hands them over.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field

from feedback.models import Audience, Category, Concern, Status
from feedback.permissions import can_moderate, person_of
from feedback.selectors import SORTS, BoardFilters, concern_board


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": 2**31 - 1})
class IdFilter(django_filters.Filter):
    """An object's id, from 1: one that does not exist matches nothing (it may
    have been deleted since), as filtering on any other value would."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, min_value=1, max_value=2**31 - 1, **kwargs)


class _YesNo(forms.Field):
    default_error_messages = {"invalid": "true or false."}

    def to_python(self, value):
        if value in (None, ""):
            return None
        if value in ("true", "false"):
            return value == "true"
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid")


class YesNoFilter(django_filters.BooleanFilter):
    """true or false, and nothing else (not 1, yes or null)."""

    field_class = _YesNo


class _Choice(django_filters.fields.ChoiceField):
    def clean(self, value):
        # Present but empty is a value outside the enum, not "any".
        if value == "":
            raise forms.ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        return super().clean(value)


class OneOfFilter(django_filters.ChoiceFilter):
    """One of its choices; an empty value is refused like any other stranger."""

    field_class = _Choice


class ConcernFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(
        max_length=200, help_text="Words in the title or text.", method="_board"
    )
    status = OneOfFilter(choices=Status.choices, method="_board")
    category = OneOfFilter(choices=Category.choices, method="_board")
    audience = OneOfFilter(
        choices=Audience.choices, help_text="Who raised it.", method="_board"
    )
    ai_tool = IdFilter(help_text="An AI tool's id.", method="_board")
    owner = IdFilter(help_text="An owner's (person's) id.", method="_board")
    mine = YesNoFilter(help_text="Only the concerns you raised.", method="_board")
    following = YesNoFilter(help_text="Only the concerns you follow.", method="_board")
    sort = OneOfFilter(
        choices=list(SORTS.items()),
        help_text="The order, as on the board (default newest).",
        method="_board",
    )

    class Meta:
        model = Concern
        fields: list[str] = []

    def _board(self, queryset, name, value):
        # Never called: filter_queryset below hands every value to the selector.
        return queryset

    def filter_queryset(self, queryset):
        """The board's rows for these parameters and this viewer (the incoming
        queryset is only the model's: the selector decides what may be seen)."""
        data = self.form.cleaned_data
        user = self.request.user
        return concern_board(
            filters=BoardFilters(
                search=(data.get("search") or "").strip(),
                status=data.get("status") or "",
                category=data.get("category") or "",
                audience=data.get("audience") or "",
                ai_tool_id=data.get("ai_tool"),
                owner_id=data.get("owner"),
                mine=bool(data.get("mine")),
                following=bool(data.get("following")),
                sort=data.get("sort") or "newest",
            ),
            viewer=person_of(user),
            moderator=can_moderate(user),
            now=timezone.now(),
        ).select_related("raised_by")
