"""The list endpoints' query parameters, as django-filter FilterSets so the schema
lists each with its type and allowed values, and a bad value is a 400 naming it.

The board's filtering itself stays in `feedback.selectors.concern_board` (the page
uses it too): the FilterSet only validates the parameters and hands them over.
"""

from __future__ import annotations

import django_filters
from django.utils import timezone

from feedback.models import Audience, Category, Concern, Status
from feedback.permissions import can_moderate, person_of
from feedback.selectors import SORTS, BoardFilters, board_owners, concern_board
from org.models import AITool


def _owners(request):
    return board_owners()


class ConcernFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(
        max_length=200, help_text="Words in the title or text.", method="_board"
    )
    status = django_filters.ChoiceFilter(choices=Status.choices, method="_board")
    category = django_filters.ChoiceFilter(choices=Category.choices, method="_board")
    audience = django_filters.ChoiceFilter(
        choices=Audience.choices, help_text="Who raised it.", method="_board"
    )
    ai_tool = django_filters.ModelChoiceFilter(
        queryset=AITool.objects.all(), help_text="An AI tool's id.", method="_board"
    )
    owner = django_filters.ModelChoiceFilter(
        queryset=_owners, help_text="An owner's (person's) id.", method="_board"
    )
    mine = django_filters.BooleanFilter(
        help_text="Only the concerns you raised.", method="_board"
    )
    following = django_filters.BooleanFilter(
        help_text="Only the concerns you follow.", method="_board"
    )
    sort = django_filters.ChoiceFilter(
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
        tool, owner = data.get("ai_tool"), data.get("owner")
        user = self.request.user
        return concern_board(
            filters=BoardFilters(
                search=(data.get("search") or "").strip(),
                status=data.get("status") or "",
                category=data.get("category") or "",
                audience=data.get("audience") or "",
                ai_tool_id=tool.pk if tool else None,
                owner_id=owner.pk if owner else None,
                mine=bool(data.get("mine")),
                following=bool(data.get("following")),
                sort=data.get("sort") or "newest",
            ),
            viewer=person_of(user),
            moderator=can_moderate(user),
            now=timezone.now(),
        ).select_related("raised_by")
