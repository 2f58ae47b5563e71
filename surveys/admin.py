from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet

from surveys import cadence
from surveys.models import Question, Round, Survey
from surveys.services.builder import ASKED_KEPT, NO_QUESTIONS


class QuestionFormSet(BaseInlineFormSet):
    """The survey's questions as the admin edits them: a scheduled survey keeps
    one (counted here, since they are saved together with the survey)."""

    def clean(self) -> None:
        super().clean()
        # The builder's rule (`question_delete`), which the admin's delete box
        # would otherwise pass by.
        if any(form.instance.first_asked_at for form in self.deleted_forms):
            raise ValidationError(ASKED_KEPT)
        kept = [
            form
            for form in self.forms
            if getattr(form, "cleaned_data", None)
            and not form.cleaned_data.get("DELETE")
        ]
        if self.instance.status == Survey.Status.SCHEDULED and not kept:
            raise ValidationError(NO_QUESTIONS)


class CadenceFilter(admin.SimpleListFilter):
    """The list's cadence filter, with the same labels as the pages."""

    title = "cadence"
    parameter_name = "cadence"

    def lookups(self, request, model_admin) -> list[tuple[str, str]]:
        return cadence.CHOICES

    def queryset(self, request, queryset):
        return queryset.filter(cadence=self.value()) if self.value() else queryset


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
        "cadence_shown",
        "min_group_size",
        "status",
    ]
    list_filter = ["audience", "privacy", CadenceFilter, "status"]
    # Moved only by the transitions on HR's survey page (surveys.services.lifecycle),
    # which check what each needs: a survey added here starts as a draft.
    readonly_fields = ["status"]
    search_fields = ["title"]
    filter_horizontal = ["departments", "teams"]
    inlines = [QuestionInline]

    def has_change_permission(self, request, obj=None) -> bool:
        # Archived is read-only everywhere; restoring it is on HR's survey page.
        if obj is not None and obj.status == Survey.Status.ARCHIVED:
            return False
        return super().has_change_permission(request, obj)

    @admin.display(description="cadence", ordering="cadence")
    def cadence_shown(self, survey: Survey) -> str:
        return cadence.cadence_label(survey.cadence)

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "cadence":
            kwargs["choices"] = cadence.CHOICES
        return super().formfield_for_choice_field(db_field, request, **kwargs)


@admin.register(Round)
class RoundAdmin(admin.ModelAdmin):
    """Read-only: rounds are opened and closed by the scheduler, never by hand."""

    list_display = ["survey", "starts_at", "closes_at", "closed_at"]
    list_filter = ["survey"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
