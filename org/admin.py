from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils import timezone

from org.forms import UserAddForm, UserEditForm
from org.models import AITool, Customer, Department, Person, Team, User
from org.services.aitools import aitool_save
from org.services.welcome import welcomes_create


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    add_form = UserAddForm
    form = UserEditForm
    ordering = ["email"]
    list_display = ["email", "is_active", "is_staff", "last_login"]
    search_fields = ["email", "person__name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Access", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),
    )


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "department", "manager"]
    list_filter = ["department"]
    search_fields = ["name"]
    autocomplete_fields = ["manager"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "team", "job_title"]
    list_filter = ["team__department", "user__groups", "user__is_active"]
    search_fields = ["name", "user__email"]
    autocomplete_fields = ["user", "team"]
    list_select_related = ["user", "team"]

    def save_model(self, request, obj: Person, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if not change:
            # A new person is welcomed as an imported one is (people_create).
            welcomes_create(people=[obj], now=timezone.now())


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "company", "segment", "is_active"]
    list_filter = ["segment", "is_active"]
    search_fields = ["name", "email", "company"]


@admin.register(AITool)
class AIToolAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "status", "owner", "data_sensitivity"]
    list_filter = ["status", "kind", "data_sensitivity"]
    search_fields = ["name"]
    autocomplete_fields = ["owner"]
    readonly_fields = ["live_since", "retired_at"]

    def save_model(self, request, obj: AITool, form, change: bool) -> None:
        # The form already checked governance (model clean + constraints); the service
        # stamps live/retired dates the same way our own pages do.
        aitool_save(tool=obj)
