"""A response keeps no day of its own: its time is its round's.

Going back, the day becomes the round's first day.
"""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery
from django.db.models.functions import TruncDate


def day_from_round(apps, schema_editor):
    Response = apps.get_model("surveys", "Response")
    Round = apps.get_model("surveys", "Round")
    first_day = Round.objects.filter(pk=OuterRef("round_id")).annotate(
        day=TruncDate("starts_at")
    )
    Response.objects.filter(submitted_on=None).update(
        submitted_on=Subquery(first_day.values("day")[:1])
    )


class Migration(migrations.Migration):

    dependencies = [
        ("surveys", "0005_invitation_answered_not_when"),
    ]

    operations = [
        migrations.AlterField(
            model_name="response",
            name="submitted_on",
            field=models.DateField(null=True),
        ),
        migrations.RunPython(migrations.RunPython.noop, day_from_round),
        migrations.RemoveField(
            model_name="response",
            name="submitted_on",
        ),
    ]
