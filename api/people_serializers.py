"""What the API says of people, teams, departments, customers and AI tools, and
what it takes to write them. Writes go through `org.services`: a person's through
the same upsert as the CSV import and the people sync."""

from __future__ import annotations

from rest_framework import serializers

from org.models import AITool, Customer, Department, PeopleSync, Person, Team
from org.roles import Role


class PersonSerializer(serializers.ModelSerializer):
    email = serializers.EmailField(source="user.email", read_only=True)
    active = serializers.BooleanField(source="user.is_active", read_only=True)
    team = serializers.CharField(source="team.name", default=None, read_only=True)
    team_id = serializers.IntegerField(read_only=True, allow_null=True)
    department = serializers.CharField(
        source="team.department.name", default=None, read_only=True
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


class PersonWriteSerializer(serializers.Serializer):
    """One person's columns, as a row of the CSV import; checked by its rules."""

    email = serializers.CharField(required=False)
    name = serializers.CharField(required=False, allow_blank=True)
    department = serializers.CharField(required=False, allow_blank=True)
    team = serializers.CharField(required=False, allow_blank=True)
    job_title = serializers.CharField(required=False, allow_blank=True)
    manager_email = serializers.CharField(required=False, allow_blank=True)
    roles = serializers.ListField(child=serializers.CharField(), required=False)
    active = serializers.BooleanField(required=False)


class SyncRowSerializer(PersonWriteSerializer):
    """A row of a people sync (for the schema: the body is a list of them)."""


class SyncReportSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    deactivated = serializers.IntegerField()
    welcomed = serializers.IntegerField()
    dry_run = serializers.BooleanField()


class PeopleSyncSerializer(serializers.ModelSerializer):
    """A sync run by a worker: where it stands, its counts or why it was refused."""

    class Meta:
        model = PeopleSync
        fields = [
            "id",
            "state",
            "format",
            "rows",
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


class DepartmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["id", "name"]


class TeamSerializer(serializers.ModelSerializer):
    department = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all())
    manager = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.all(), required=False, allow_null=True
    )

    class Meta:
        model = Team
        fields = ["id", "name", "department", "manager"]


class CustomerSerializer(serializers.ModelSerializer):
    email = serializers.CharField(max_length=254)
    is_active = serializers.BooleanField(read_only=True)

    class Meta:
        model = Customer
        fields = ["id", "name", "email", "company", "segment", "is_active"]
        validators: list = []  # the service's full_clean checks uniqueness


class ToolWriteSerializer(serializers.ModelSerializer):
    """An AI tool as HR writes it; `org.services.aitools.aitool_save` holds the
    governance (no live tool without purpose, acceptable use and an owner)."""

    owner = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.all(), required=False, allow_null=True
    )
    teams = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.all(), many=True, required=False
    )

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
        validators: list = []  # the service's full_clean checks them
