from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet

from surveys.models import Question, Round, Survey
from surveys.services.builder import NO_QUESTIONS


class QuestionFormSet(BaseInlineFormSet):
    """The survey's questions as the admin edits them: an active survey keeps one
    (counted here, since they are saved together with the survey)."""

    def clean(self) -> None:
        super().clean()
        kept = [
            form
            for form in self.forms
            if getattr(form, "cleaned_data", None)
            and not form.cleaned_data.get("DELETE")
        ]
        if self.instance.is_active and not kept:
            raise ValidationError(NO_QUESTIONS)


class QuestionInline(admin.TabularInline):
    model = Question
    formset = QuestionFormSet
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
