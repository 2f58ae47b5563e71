from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib.auth.forms import (
    AdminUserCreationForm,
    PasswordResetForm,
    UserChangeForm,
)

from core.ids import RowsChoiceField
from org.models import AITool, Person, Team, User, normalise_email
from org.services.import_files import (
    MAX_IMPORT_SIZE,
    ImportFileRefused,
    import_file_check,
)


class AIToolForm(forms.ModelForm):
    """Governance rules come from the model (clean + constraints), as in the admin."""

    class Meta:
        model = AITool
        fields = [
            "name",
            "kind",
            "status",
            "owner",
            "purpose",
            "acceptable_use",
            "data_sensitivity",
            "serves_customers",
            "teams",
        ]
        field_classes = {"teams": RowsChoiceField}
        widgets = {
            "purpose": forms.Textarea(attrs={"rows": 3}),
            "acceptable_use": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = Person.objects.filter(user__is_active=True)
        self.fields["owner"].empty_label = "Choose an accountable owner"
        self.fields["teams"].queryset = Team.objects.select_related(
            "department"
        ).order_by("department__name", "name")
        self.fields["teams"].widget.attrs["size"] = 8
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", "Save"))


class PeopleImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text=f"CSV UTF-8, with a header row, at most {MAX_IMPORT_SIZE}.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    welcome = forms.BooleanField(
        label="Send welcome emails",
        required=False,
        initial=True,
        help_text="Each new active person gets an email with a link to choose a "
        "password. Untick to import quietly; they can still use “Forgot your "
        "password?”, and you can send one later from this page.",
    )

    force = forms.BooleanField(
        label="Deactivate many people",
        required=False,
        help_text="A file that would deactivate more than 40% of the active people "
        "is refused, in case it is a broken export. Tick to mean it.",
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_file(self):
        upload = self.cleaned_data["file"]
        head = upload.read(4096)
        upload.seek(0)
        try:
            import_file_check(
                name=upload.name,
                size=upload.size,
                head=head,
                content_type=upload.content_type,
            )
        except ImportFileRefused as refused:
            raise forms.ValidationError(str(refused)) from refused
        return upload


class PersonFilterForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=100)
    team = forms.ModelChoiceField(
        queryset=Team.objects.select_related("department"),
        required=False,
        empty_label="Every team",
    )


class PasswordSetOrResetForm(PasswordResetForm):
    """Django's reset form, also for people who never had a password.

    Imported people start without one and choose it through this form; Django's own
    form skips accounts with an unusable password.
    """

    def get_users(self, email: str):
        return User.objects.with_email(email).filter(is_active=True)


class _OneAccountPerEmail:
    """The email field of the admin's account forms: stored as Candor compares it,
    and refused when another account has it in any case."""

    def clean_email(self) -> str:
        email = normalise_email(self.cleaned_data["email"])
        others = User.objects.with_email(email).exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(
                "Another account already has this email address (capitals do not "
                "make a different address)."
            )
        return email


class UserAddForm(_OneAccountPerEmail, AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("email",)


class UserEditForm(_OneAccountPerEmail, UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"
