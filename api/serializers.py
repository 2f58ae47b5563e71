"""What the API says of a tool, a concern, a dashboard chart and a survey, and what
raising a concern or starting a survey takes; writes go through the same services
as the pages (`feedback.services`, `surveys.library`, `surveys.services`)."""

from __future__ import annotations

from rest_framework import serializers

from api.fields import StrictBooleanField, StrictCharField
from feedback.models import (
    BODY_LIMIT,
    COMMENT_LIMIT,
    TITLE_LIMIT,
    Category,
    Comment,
    Concern,
)
from org.models import AITool
from surveys.library import TEMPLATES
from surveys.models import Question, Round, Survey


class ToolSerializer(serializers.ModelSerializer):
    owner = serializers.CharField(
        source="owner.name", default=None, read_only=True, allow_null=True
    )
    rolled_out_to = serializers.SlugRelatedField(
        source="teams", slug_field="name", many=True, read_only=True
    )

    class Meta:
        model = AITool
        fields = [
            "id",
            "name",
            "kind",
            "status",
            "owner",
            "purpose",
            "acceptable_use",
            "data_sensitivity",
            "serves_customers",
            "rolled_out_to",
            "live_since",
            "retired_at",
        ]


class ConcernSerializer(serializers.ModelSerializer):
    """A concern as the board shows it: never who raised it when anonymous."""

    owner = serializers.CharField(source="owner.name", read_only=True)
    ai_tool = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    raised_by = serializers.SerializerMethodField()
    overdue = serializers.BooleanField(source="is_overdue", read_only=True)

    class Meta:
        model = Concern
        fields = [
            "id",
            "title",
            "body",
            "category",
            "status",
            "audience",
            "ai_tool",
            "owner",
            "anonymous",
            "raised_by",
            "created_at",
            "first_response_due_at",
            "first_responded_at",
            "overdue",
            "support_count",
            "outcome",
        ]

    def get_raised_by(self, concern: Concern) -> str | None:
        if concern.anonymous or concern.raised_by_id is None:
            return None
        return concern.raised_by.name


class OfficialResponseSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.name", default=None)

    class Meta:
        model = Comment
        fields = ["id", "author", "body", "created_at"]


class CommentSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.name", default=None)
    parent = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = Comment
        fields = ["id", "author", "body", "official", "parent", "created_at"]


class CommentPostSerializer(serializers.Serializer):
    body = StrictCharField(max_length=COMMENT_LIMIT)
    official = StrictBooleanField(default=False)
    parent = serializers.IntegerField(required=False, allow_null=True, min_value=1)


class SupportSerializer(serializers.Serializer):
    supported = StrictBooleanField()
    support_count = serializers.IntegerField(read_only=True)


class ConcernDetailSerializer(ConcernSerializer):
    official_responses = serializers.SerializerMethodField()

    class Meta(ConcernSerializer.Meta):
        fields = [*ConcernSerializer.Meta.fields, "official_responses"]

    def get_official_responses(self, concern: Concern) -> list[dict]:
        responses = self.context.get("official_responses", [])
        return OfficialResponseSerializer(responses, many=True).data


class ConcernRaiseSerializer(serializers.Serializer):
    """What raising a concern takes; `feedback.services.concerns.concern_raise`
    does the rest (owner, due time, history, rate limit)."""

    title = StrictCharField(max_length=TITLE_LIMIT)
    body = StrictCharField(max_length=BODY_LIMIT)
    category = serializers.ChoiceField(choices=Category.choices)
    ai_tool = serializers.PrimaryKeyRelatedField(
        queryset=AITool.objects.all(), required=False, allow_null=True
    )
    anonymous = StrictBooleanField(default=False)


class ChartSerializer(serializers.Serializer):
    name = serializers.CharField()
    title = serializers.CharField()
    explanation = serializers.CharField()
    columns = serializers.ListField(
        child=serializers.CharField(), source="table.columns"
    )
    rows = serializers.ListField(child=serializers.ListField(), source="table.rows")


class DashboardSerializer(serializers.Serializer):
    """One dashboard page's numbers: each chart's table, as its CSV has them."""

    page = serializers.CharField()
    filters = serializers.DictField()
    notes = serializers.ListField(child=serializers.CharField())
    charts = ChartSerializer(many=True)


class ParticipationSerializer(serializers.Serializer):
    """Sent, answered and the rate; all empty below the survey's floor."""

    visible = serializers.BooleanField()
    sent = serializers.IntegerField(allow_null=True)
    answered = serializers.IntegerField(allow_null=True)
    rate = serializers.FloatField(allow_null=True)

    def to_representation(self, participation) -> dict:
        shown = participation.visible
        rate = participation.rate
        return {
            "visible": shown,
            "sent": participation.sent if shown else None,
            "answered": participation.answered if shown else None,
            "rate": None if rate is None else round(100 * rate, 1),
        }


class SurveySerializer(serializers.ModelSerializer):
    questions = serializers.IntegerField(source="question_count", read_only=True)

    class Meta:
        model = Survey
        fields = [
            "id",
            "title",
            "audience",
            "privacy",
            "min_group_size",
            "comment_threshold",
            "cadence",
            "first_date",
            "status",
            "questions",
        ]


class SurveyFromTemplateSerializer(serializers.Serializer):
    """What a draft from a template takes, as the "from a template" page;
    `surveys.library.survey_from_template` does the rest."""

    template = serializers.ChoiceField(
        choices=list(TEMPLATES), help_text="a template's `key` (survey-templates)"
    )
    first_date = serializers.DateField(
        help_text="No round starts before this date; activating needs it not past."
    )
    title = StrictCharField(
        required=False,
        allow_null=True,
        max_length=Survey._meta.get_field("title").max_length,
        help_text="Left out or null: the template's, with “(copy)” after it when "
        "another survey has it. Given: unique among surveys not archived, ignoring "
        "case (else 409).",
    )


class TemplateQuestionSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Question.Kind.choices)
    text = serializers.CharField()
    driver = serializers.CharField(help_text="what an agreement item measures, or ''")
    required = serializers.BooleanField()


class SurveyTemplateSerializer(serializers.Serializer):
    """A ready-made survey: what a draft from it starts with."""

    key = serializers.CharField()
    title = serializers.CharField()
    intro = serializers.CharField()
    audience = serializers.ChoiceField(choices=Survey.Audience.choices)
    cadence = serializers.CharField(source="defaults.cadence")
    weekday = serializers.IntegerField(
        source="defaults.weekday", help_text="a round's first day: 0 is Monday"
    )
    open_days = serializers.IntegerField(source="defaults.open_days")
    questions = TemplateQuestionSerializer(many=True)
    per_tool = serializers.BooleanField(
        help_text="Adds, for each live AI tool, an hours-saved and an accuracy "
        "question, asked only of the teams it is rolled out to."
    )
    per_customer_tool = serializers.BooleanField(
        help_text="Adds, for each live AI tool that serves customers, an optional "
        "satisfaction question."
    )


class RoundSerializer(serializers.ModelSerializer):
    participation = serializers.SerializerMethodField()

    class Meta:
        model = Round
        fields = [
            "id",
            "starts_at",
            "closes_at",
            "closed_at",
            "results_published_at",
            "participation",
        ]

    def get_participation(self, round_: Round) -> dict | None:
        found = self.context.get("participation", {}).get(round_.pk)
        return None if found is None else ParticipationSerializer(found).data
