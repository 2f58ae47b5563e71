"""The admin for the board: HR's category policies; the rest is read-only.

Concerns change only through their services (history, notices, due times), so the
admin shows them and never edits them. Votes are not registered at all: nobody,
administrators included, can see who supported a concern.
"""

from __future__ import annotations

from django.contrib import admin

from feedback.models import CategoryPolicy, Comment, Concern, Flag, Notice, Update


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(CategoryPolicy)
class CategoryPolicyAdmin(admin.ModelAdmin):
    list_display = [
        "category",
        "default_owner",
        "response_days",
        "escalation_days",
        "nudge_days",
    ]
    autocomplete_fields = ["default_owner"]


@admin.register(Concern)
class ConcernAdmin(ReadOnlyAdmin):
    list_display = [
        "pk",
        "title",
        "category",
        "audience",
        "status",
        "owner",
        "first_response_due_at",
        "support_count",
    ]
    list_filter = ["status", "category", "audience", "anonymous"]
    search_fields = ["title", "body"]
    list_select_related = ["owner"]
    date_hierarchy = "created_at"


@admin.register(Comment)
class CommentAdmin(ReadOnlyAdmin):
    list_display = ["pk", "concern", "author", "official", "created_at", "hidden_at"]
    list_filter = ["official"]
    list_select_related = ["concern", "author"]


@admin.register(Flag)
class FlagAdmin(ReadOnlyAdmin):
    list_display = ["pk", "concern", "comment", "reason", "created_at", "resolved_at"]
    exclude = ["flagged_by"]


@admin.register(Update)
class UpdateAdmin(ReadOnlyAdmin):
    list_display = ["title", "ai_tool", "author", "created_at"]
    list_filter = ["ai_tool"]


@admin.register(Notice)
class NoticeAdmin(ReadOnlyAdmin):
    """Outgoing emails, to see what was sent and what failed."""

    list_display = ["kind", "person", "subject", "created_at", "sent_at", "failed_at"]
    list_filter = ["kind"]
    list_select_related = ["person"]
