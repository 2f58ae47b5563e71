from __future__ import annotations

from django.contrib import admin

from surveys.models import Question, Round, Survey


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0
    fields = ["position", "kind", "text", "driver", "required", "ai_tool", "choices"]
    autocomplete_fields = ["ai_tool"]


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "audience",
        "privacy",
        "cadence",
        "min_group_size",
        "is_active",
    ]
    list_filter = ["audience", "privacy", "cadence", "is_active"]
    search_fields = ["title"]
    filter_horizontal = ["departments", "teams"]
    inlines = [QuestionInline]


@admin.register(Round)
class RoundAdmin(admin.ModelAdmin):
    """Read-only: rounds are opened and closed by the scheduler, never by hand."""

    list_display = ["survey", "starts_at", "closes_at", "closed_at"]
    list_filter = ["survey"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
