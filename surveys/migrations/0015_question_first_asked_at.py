"""A question keeps when a round first asked it (`Question.first_asked_at`),
which decides, instead of whether it has answers, that it can no longer be
deleted nor change kind or AI tool.

Questions from before: of a survey with rounds, first asked when its first round
started (when each was added is not known; a question added since could at
worst no longer be deleted); of a survey without, not asked.
"""

from django.db import migrations, models
from django.db.models import Min, OuterRef, Subquery


def mark_asked(apps, schema_editor):
    Question = apps.get_model("surveys", "Question")
    Round = apps.get_model("surveys", "Round")
    first = (
        Round.objects.filter(survey=OuterRef("survey"))
        .order_by()
        .values("survey")
        .annotate(first=Min("starts_at"))
        .values("first")
    )
    Question.objects.filter(first_asked_at__isnull=True).update(
        first_asked_at=Subquery(first[:1])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0014_round_tools_asked"),
    ]

    operations = [
        migrations.AddField(
            model_name="question",
            name="first_asked_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(mark_asked, migrations.RunPython.noop),
    ]
