"""The board's forms. They check shape (lengths, choices); the rules are in services.

Several forms share a page, so each has its own `auto_id` prefix: ids stay unique
and every label points at its own field.
"""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from feedback.models import (
    BODY_LIMIT,
    COMMENT_LIMIT,
    TITLE_LIMIT,
    Audience,
    Category,
    Status,
)
from feedback.selectors import SORTS, BoardFilters, board_owners, possible_owners
from feedback.services.concerns import CUSTOMER_CATEGORIES
from feedback.services.moderation import REASON_LIMIT
from org.models import AITool, Person

ANONYMOUS_SENTENCE = (
    "If you post anonymously, Candor stores no link to you at all, not even for "
    "administrators; you will not get email updates and cannot edit the post."
)
CUSTOMER_ANONYMOUS_SENTENCE = (
    "If you post anonymously, Candor stores no link to you or your company at all, "
    "not even for administrators."
)


def attach_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: keyed errors on their field
    when the form shows it, everything else at the top of the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for key, errors in error.error_dict.items():
        field = form.fields.get(key)
        shown = field is not None and not field.widget.is_hidden
        form.add_error(key if shown else None, errors)


class _Form(forms.Form):
    id_prefix = "id"

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("auto_id", f"{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)


def _text(limit: int, label: str, rows: int = 5, **kwargs: object) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=limit,
        widget=forms.Textarea(attrs={"rows": rows}),
        **kwargs,
    )


def _tools() -> QuerySet[AITool]:
    return AITool.objects.exclude(status=AITool.Status.RETIRED).order_by("name")


# --- The board --------------------------------------------------------------------


class BoardFilterForm(_Form):
    """Every field optional. A bad value is dropped and named, never a 500."""

    id_prefix = "filter"

    q = forms.CharField(label="Search", required=False, max_length=200)
    status = forms.ChoiceField(
        choices=[("", "Any status"), *Status.choices], required=False
    )
    category = forms.ChoiceField(
        choices=[("", "Any category"), *Category.choices], required=False
    )
    tool = forms.ModelChoiceField(
        label="AI tool",
        queryset=AITool.objects.order_by("name"),
        required=False,
        empty_label="Any AI tool",
    )
    owner = forms.ModelChoiceField(
        queryset=Person.objects.none(), required=False, empty_label="Any owner"
    )
    audience = forms.ChoiceField(
        label="Raised by",
        choices=[("", "Employees and customers"), *Audience.choices],
        required=False,
    )
    mine = forms.BooleanField(label="Raised by me", required=False)
    following = forms.BooleanField(label="I follow", required=False)
    sort = forms.ChoiceField(
        label="Sort by", choices=list(SORTS.items()), required=False
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = board_owners()

    def filters(self) -> BoardFilters:
        """The valid part of the query string (call after is_valid())."""
        data = getattr(self, "cleaned_data", {})
        tool, owner = data.get("tool"), data.get("owner")
        return BoardFilters(
            search=(data.get("q") or "").strip(),
            status=data.get("status") or "",
            category=data.get("category") or "",
            audience=data.get("audience") or "",
            ai_tool_id=tool.pk if tool else None,
            owner_id=owner.pk if owner else None,
            mine=bool(data.get("mine")),
            following=bool(data.get("following")),
            sort=data.get("sort") or "newest",
        )

    def ignored(self) -> list[str]:
        """The filters that were dropped, by label, for a message on the page."""
        return [str(self.fields[name].label or name) for name in self.errors]


class ConcernForm(_Form):
    id_prefix = "concern"

    title = forms.CharField(max_length=TITLE_LIMIT)
    body = _text(BODY_LIMIT, "What worries you", rows=8)
    category = forms.ChoiceField(choices=[("", "Choose one"), *Category.choices])
    ai_tool = forms.ModelChoiceField(
        label="AI tool (optional)",
        queryset=_tools(),
        required=False,
        empty_label="No particular tool",
    )
    anonymous = forms.BooleanField(
        label="Post anonymously", required=False, help_text=ANONYMOUS_SENTENCE
    )


class CustomerConcernForm(_Form):
    id_prefix = "customer"

    title = forms.CharField(max_length=TITLE_LIMIT)
    body = _text(BODY_LIMIT, "What worries you", rows=8)
    category = forms.ChoiceField(
        choices=[
            ("", "Choose one"),
            *((value, Category(value).label) for value in CUSTOMER_CATEGORIES),
        ]
    )
    anonymous = forms.BooleanField(
        label="Post anonymously", required=False, help_text=CUSTOMER_ANONYMOUS_SENTENCE
    )


class ConcernEditForm(_Form):
    id_prefix = "edit"

    title = forms.CharField(max_length=TITLE_LIMIT)
    body = _text(BODY_LIMIT, "What worries you", rows=8)


# --- A concern's thread -----------------------------------------------------------


class CommentForm(_Form):
    id_prefix = "comment"

    body = _text(COMMENT_LIMIT, "Your comment", rows=4)
    parent = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput())
    official = forms.BooleanField(
        label="Post as the official response",
        required=False,
        help_text="Shown apart from the discussion and emailed to every follower.",
    )

    def __init__(self, *args: object, can_answer: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not can_answer:
            del self.fields["official"]


class CommentEditForm(_Form):
    id_prefix = "comment_edit"

    body = _text(COMMENT_LIMIT, "Your comment", rows=4)


class ReasonForm(_Form):
    """Flagging or hiding a post: a reason is all it takes."""

    reason = forms.CharField(max_length=REASON_LIMIT)

    def __init__(self, *args: object, label: str = "Reason", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = label


class FlagForm(ReasonForm):
    id_prefix = "flag"


class HideForm(ReasonForm):
    id_prefix = "hide"


# --- What the owner and HR do -----------------------------------------------------


class StatusForm(_Form):
    id_prefix = "status"

    to_status = forms.ChoiceField(label="Move to")
    note = _text(
        BODY_LIMIT,
        "Note",
        rows=3,
        required=False,
        help_text="Required when resolving (what changed) or declining (why): "
        "the person who raised it reads it.",
    )

    def __init__(self, *args: object, moves: tuple[str, ...] = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_status"].choices = [
            (move, Status(move).label) for move in moves
        ]


class ReassignForm(_Form):
    """The choices are the people who answer for things (leaders, HR, AI tools'
    owners): a short list, and no page lists the whole staff."""

    id_prefix = "reassign"

    owner = forms.ModelChoiceField(
        label="New accountable owner",
        queryset=Person.objects.none(),
        empty_label="Choose a person",
    )
    note = _text(BODY_LIMIT, "Note (optional)", rows=2, required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = possible_owners()


class MergeForm(_Form):
    id_prefix = "merge"

    survivor = forms.IntegerField(
        label="Merge into concern number",
        min_value=1,
        help_text="Supporters and followers move there; this one is closed with a "
        "link to it.",
    )


# --- Updates ----------------------------------------------------------------------


class UpdateForm(_Form):
    id_prefix = "update"

    title = forms.CharField(max_length=TITLE_LIMIT)
    body = _text(BODY_LIMIT, "What changed", rows=8)
    ai_tool = forms.ModelChoiceField(
        label="AI tool", queryset=AITool.objects.none(), required=False
    )
    concerns = forms.CharField(
        label="Concerns it answers",
        required=False,
        max_length=500,
        help_text="Concern numbers separated by commas, for example 12, 40.",
    )

    def __init__(
        self,
        *args: object,
        tools: QuerySet[AITool] | None = None,
        tool_required: bool = False,
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ai_tool"].queryset = tools if tools is not None else _tools()
        self.fields["ai_tool"].required = tool_required
        self.fields["ai_tool"].empty_label = "No particular tool (a policy)"

    def clean_concerns(self) -> list[int]:
        text = self.cleaned_data.get("concerns") or ""
        parts = [part for part in re.split(r"[\s,;]+", text.replace("#", " ")) if part]
        # ASCII digits only: str.isdigit() also takes "²", which int() refuses.
        if any(not re.fullmatch(r"[0-9]+", part) for part in parts):
            raise ValidationError("Use concern numbers only, for example 12, 40.")
        return sorted({int(part) for part in parts})
