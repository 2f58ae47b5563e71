"""Forms for HR's survey builder.

The forms turn text into values (a comma-separated list, one choice per line); the
rules about what fits together live in surveys/services/builder.py. Each form asks
the service during `clean()` so that every refusal shows next to its field in one
pass, and the service checks again when the view saves.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone

from core.ids import RowsChoiceField
from core.widgets import DatePicker, TimePicker
from org.models import AITool, Department, Team
from surveys import cadence
from surveys.library import TEMPLATES, template_title
from surveys.models import MAX_CHOICE_LENGTH, Question, Survey, title_clash_error
from surveys.services import builder


def _add_rule_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's refusal on its fields, except fields already in error."""
    for field, messages in error.error_dict.items():
        if field not in form.errors:
            form.add_error(None if field == NON_FIELD_ERRORS else field, messages)


def _empty_choice(field: forms.Field, label: str) -> None:
    """Say what choosing nothing means, instead of Django's "---------"."""
    field.choices = [("", label), *(c for c in field.choices if c[0] != "")]


class SurveyFromTemplateForm(forms.Form):
    template = forms.ChoiceField(
        choices=[(key, template.title) for key, template in TEMPLATES.items()],
        error_messages={
            "invalid_choice": "There is no such template; choose one from the list."
        },
    )
    title = forms.CharField(
        required=False,
        max_length=Survey._meta.get_field("title").max_length,
        help_text="Leave empty for the template's title, or “(copy)” after it when "
        "another survey has that title. No two surveys may share a title.",
    )
    first_date = forms.DateField(
        widget=DatePicker,
        help_text="No round starts before this date. You can change every "
        "setting and question afterwards.",
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["first_date"].initial = timezone.localdate()
        key = self.initial.get("template")
        if key in TEMPLATES:
            self.fields["title"].widget.attrs["placeholder"] = template_title(key)

    def clean_title(self) -> str:
        title = self.cleaned_data["title"].strip()
        if title and (clash := title_clash_error(title)):
            raise ValidationError(clash)
        return title


class SurveyStatusFilterForm(forms.Form):
    """The survey list's filter: one status, or every survey not archived."""

    status = forms.ChoiceField(
        required=False,
        choices=[("", "Not archived"), *Survey.Status.choices],
        error_messages={
            "invalid_choice": "There is no such status; choose draft, scheduled, "
            "paused or archived."
        },
    )


class SurveyForm(forms.ModelForm):
    segments = forms.CharField(
        required=False,
        max_length=2000,
        help_text="Customer surveys only: segments separated by commas. Empty means "
        "every customer.",
    )

    class Meta:
        model = Survey
        fields = [
            "title",
            "intro",
            "audience",
            "departments",
            "teams",
            "segments",
            "privacy",
            "min_group_size",
            "comment_threshold",
            "cadence",
            "first_date",
            "weekday",
            "start_time",
            "open_days",
            "reminder_count",
            "reminder_interval_days",
        ]
        field_classes = {"departments": RowsChoiceField, "teams": RowsChoiceField}
        widgets = {
            "intro": forms.Textarea(attrs={"rows": 3}),
            "departments": forms.CheckboxSelectMultiple,
            "teams": forms.CheckboxSelectMultiple,
            "first_date": DatePicker,
            "start_time": TimePicker,
        }
        labels = {
            "min_group_size": "Smallest group shown",
            "comment_threshold": "Smallest group whose comments are shown",
            "first_date": "First date",
            "start_time": "Start time",
            "open_days": "Days open",
            "reminder_count": "Reminders",
            "reminder_interval_days": "Days between reminders",
        }
        help_texts = {
            "intro": "Shown above the questions.",
            "open_days": "How many days each round stays open (1 to 90).",
            "reminder_count": "Reminders to people who have not answered (0 to 3).",
            "reminder_interval_days": "1 to 30.",
        }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        tz = settings.TIME_ZONE
        self.fields["cadence"].choices = cadence.CHOICES
        self.fields["departments"].queryset = Department.objects.all()
        self.fields[
            "departments"
        ].help_text = "Employee surveys only. None ticked means every department."
        self.fields["teams"].queryset = Team.objects.select_related("department")
        self.fields[
            "teams"
        ].help_text = "Employee surveys only. None ticked means every team."
        self.fields[
            "first_date"
        ].help_text = (
            f"No round starts before this date, in the organisation's time zone ({tz})."
        )
        self.fields[
            "weekday"
        ].help_text = (
            "The day rounds start on (monthly and quarterly: its first in the month)."
        )
        self.fields[
            "start_time"
        ].help_text = (
            f"When rounds open and close, in the organisation's time zone ({tz})."
        )
        known = builder.known_segments()
        if known:
            self.fields["segments"].help_text += f" Known: {', '.join(known)}."
        # The model keeps a list; the field shows it as text ("[]" would be refused).
        self.initial["segments"] = ", ".join(self.instance.segments or [])
        if not self.instance.pk and self.initial.get("first_date") is None:
            self.initial["first_date"] = timezone.localdate()
        if self.instance.pk:
            self.fields[
                "min_group_size"
            ].help_text += " Once a round has opened it can be raised but not lowered."
            self.fields[
                "comment_threshold"
            ].help_text += " Once a round has opened it can be raised but not lowered."

    def clean_segments(self) -> list[str]:
        parts = (part.strip() for part in self.cleaned_data["segments"].split(","))
        return list(dict.fromkeys(part for part in parts if part))

    def clean(self) -> dict[str, object]:
        cleaned = super().clean()
        if "audience" in cleaned:
            try:
                builder.survey_check(
                    audience=cleaned["audience"],
                    departments=list(cleaned.get("departments") or []),
                    teams=list(cleaned.get("teams") or []),
                    segments=cleaned.get("segments") or [],
                )
            except ValidationError as error:
                _add_rule_errors(self, error)
        return cleaned


class QuestionForm(forms.ModelForm):
    choices = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=(
            "Single-choice questions only: one choice per line, at least 2, each at "
            f"most {MAX_CHOICE_LENGTH} characters, no repeats."
        ),
    )

    class Meta:
        model = Question
        fields = [
            "kind",
            "text",
            "help_text",
            "driver",
            "required",
            "choices",
            "max_hours",
            "ai_tool",
        ]
        labels = {
            "text": "Question",
            "help_text": "Hint",
            "required": "An answer is required",
            "max_hours": "Most hours allowed",
            "ai_tool": "AI tool",
        }
        help_texts = {
            "kind": "Once anyone has answered, the kind cannot change.",
            "help_text": "Optional; shown under the question.",
            "driver": "Agreement (1 to 5) and free-text questions only: the trust "
            "driver it measures, or its comments are about. Optional.",
            "max_hours": "Hours-saved questions only: the highest answer accepted.",
            "ai_tool": "Required for accuracy questions; optional for hours saved "
            "and for satisfaction (a customer's rating of service given with the "
            "tool's help); empty for every other kind.",
        }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ai_tool"].queryset = AITool.objects.order_by("name")
        self.fields["ai_tool"].empty_label = "No AI tool"
        _empty_choice(self.fields["kind"], "Choose a kind of question")
        _empty_choice(self.fields["driver"], "No driver")
        self.initial["choices"] = "\n".join(self.instance.choices)

    def clean_choices(self) -> list[str]:
        lines = (line.strip() for line in self.cleaned_data["choices"].splitlines())
        return [line for line in lines if line]

    # The rules themselves are in Question.clean(), which ModelForm validation runs.


class QuestionMoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", "Up"), ("down", "Down")])
