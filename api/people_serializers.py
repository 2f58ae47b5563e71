"""What the API says of people, teams, departments, customers and AI tools, and
what it takes to write them. Writes go through `org.services`: a person's through
the same upsert as the CSV import and the people sync."""

from __future__ import annotations

from django.db import models
from rest_framework import serializers

from api.fields import (
    StrictBooleanField,
    StrictCharField,
    StrictEmailField,
    StrictManyRelatedField,
)
from org.forms import AIToolForm
from org.models import AITool, Customer, Department, PeopleSync, Person, Team
from org.roles import Role
from org.services.people_sync_runs import people_sync_saved


class PersonSerializer(serializers.ModelSerializer):
    email = serializers.EmailField(source="user.email", read_only=True)
    active = serializers.BooleanField(source="user.is_active", read_only=True)
    team = serializers.CharField(
        source="team.name", default=None, read_only=True, allow_null=True
    )
    team_id = serializers.IntegerField(read_only=True, allow_null=True)
    department = serializers.CharField(
        source="team.department.name", default=None, read_only=True, allow_null=True
    )
    roles = serializers.SerializerMethodField()

    class Meta:
        model = Person
        fields = [
            "id",
            "email",
            "name",
            "job_title",
            "team",
            "team_id",
            "department",
            "roles",
            "active",
        ]

    def get_roles(self, person: Person) -> list[str]:
        held = {group.name for group in person.user.groups.all()}
        return [role.value.lower() for role in Role if role.value in held]


class StrictModelSerializer(serializers.ModelSerializer):
    """A model's fields taking only the JSON types the schema gives them."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: StrictCharField,
        models.TextField: StrictCharField,
        models.EmailField: StrictEmailField,
        models.BooleanField: StrictBooleanField,
    }


ROLE_NAMES = [role.value.lower() for role in Role]


class PersonWriteSerializer(serializers.Serializer):
    """One person's columns, as a row of the CSV import; checked by its rules.
    `roles` are refused as a whole (not by position), so that a 400 names the
    field as the schema does."""

    email = StrictEmailField(max_length=254)
    name = StrictCharField(max_length=200)
    department = StrictCharField(required=False, allow_blank=True, max_length=120)
    team = StrictCharField(required=False, allow_blank=True, max_length=120)
    job_title = StrictCharField(required=False, allow_blank=True, max_length=200)
    manager_email = StrictEmailField(required=False, allow_blank=True, max_length=254)
    roles = serializers.MultipleChoiceField(choices=ROLE_NAMES, required=False)
    active = StrictBooleanField(required=False)

    def validate_roles(self, roles: set[str]) -> list[str]:
        return sorted(roles)


class SyncRowSerializer(PersonWriteSerializer):
    """A row of a people sync (for the schema: the body is a list of them). The
    sync reads a null as an empty column (the default), as a CSV's empty cell."""

    department = StrictCharField(
        required=False, allow_blank=True, allow_null=True, max_length=120
    )
    team = StrictCharField(
        required=False, allow_blank=True, allow_null=True, max_length=120
    )
    job_title = StrictCharField(
        required=False, allow_blank=True, allow_null=True, max_length=200
    )
    manager_email = StrictEmailField(
        required=False, allow_blank=True, allow_null=True, max_length=254
    )
    roles = serializers.MultipleChoiceField(
        choices=ROLE_NAMES, required=False, allow_null=True
    )
    active = StrictBooleanField(required=False, allow_null=True)


class SyncReportSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    deactivated = serializers.IntegerField()
    welcomed = serializers.IntegerField()
    dry_run = serializers.BooleanField()


class PeopleSyncSerializer(serializers.ModelSerializer):
    """A sync run by a worker: where it stands, its counts or why it was refused."""

    rows_saved = serializers.SerializerMethodField(
        help_text="While it runs: the people saved so far (kept only if all "
        "are); null before the first are saved, and once it is finished."
    )

    class Meta:
        model = PeopleSync
        fields = [
            "id",
            "state",
            "format",
            "rows",
            "rows_saved",
            "force",
            "dry_run",
            "deactivate_missing",
            "created_at",
            "started_at",
            "finished_at",
            "created",
            "updated",
            "unchanged",
            "deactivated",
            "welcomed",
            "error_count",
            "errors",
            "message",
        ]

    def get_rows_saved(self, sync: PeopleSync) -> int | None:
        return people_sync_saved(sync)


class DepartmentSerializer(StrictModelSerializer):
    # Without DRF's own unique check: the service's says a name is taken (409).
    name = StrictCharField(max_length=Department._meta.get_field("name").max_length)

    class Meta:
        model = Department
        fields = ["id", "name"]


class TeamSerializer(StrictModelSerializer):
    department = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all())
    manager = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.all(), required=False, allow_null=True
    )

    class Meta:
        model = Team
        fields = ["id", "name", "department", "manager"]
        validators: list = []  # the service's full_clean checks uniqueness (409)


class CustomerSerializer(StrictModelSerializer):
    email = StrictEmailField(max_length=254)
    is_active = serializers.BooleanField(read_only=True)

    class Meta:
        model = Customer
        fields = ["id", "name", "email", "company", "segment", "is_active"]
        validators: list = []  # the service's full_clean checks uniqueness


class ToolWriteSerializer(StrictModelSerializer):
    """An AI tool as HR writes it; `org.services.aitools.aitool_save` holds the
    governance (no live tool without purpose, acceptable use and an owner)."""

    owner = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.all(), required=False, allow_null=True
    )
    teams = StrictManyRelatedField(
        child_relation=serializers.PrimaryKeyRelatedField(queryset=Team.objects.all()),
        required=False,
    )

    class Meta:
        model = AITool
        fields = AIToolForm.Meta.fields  # what HR edits on the tool's page, no more
        validators: list = []  # the service's full_clean checks them


class SyncRowErrorSerializer(serializers.Serializer):
    index = serializers.IntegerField(
        required=False, allow_null=True, help_text="a JSON row, from 0"
    )
    line = serializers.IntegerField(
        required=False, allow_null=True, help_text="a CSV row, by its line"
    )
    field = serializers.CharField(allow_null=True)
    message = serializers.CharField()


class SyncRefusedSerializer(serializers.Serializer):
    """A sync refused for its bad rows (400): nothing was saved."""

    detail = serializers.CharField()
    error_count = serializers.IntegerField()
    errors = SyncRowErrorSerializer(many=True)


class SyncTooManyDeactivatedSerializer(serializers.Serializer):
    """A sync refused (409) for deactivating over 40% of the active people."""

    detail = serializers.CharField()
    deactivating = serializers.IntegerField()
    active = serializers.IntegerField()
