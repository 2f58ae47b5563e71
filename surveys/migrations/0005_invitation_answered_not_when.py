"""An invitation records that it was answered, no longer the day.

The day matched an anonymous response's `submitted_on` whenever one person of a team
answered that day. Rewriting every answered invitation here also gives them all
this migration's transaction id, so on PostgreSQL an old response's xmin no longer
matches its invitation's. Going back, the day becomes the round's first day.
"""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery
from django.db.models.functions import TruncDate


def answered_from_day(apps, schema_editor):
    Invitation = apps.get_model("surveys", "Invitation")
    Invitation.objects.exclude(responded_on=None).update(answered=True)


def day_from_answered(apps, schema_editor):
    Invitation = apps.get_model("surveys", "Invitation")
    Round = apps.get_model("surveys", "Round")
    first_day = Round.objects.filter(pk=OuterRef("round_id")).annotate(
        day=TruncDate("starts_at")
    )
    Invitation.objects.filter(answered=True).update(
        responded_on=Subquery(first_day.values("day")[:1])
    )


class Migration(migrations.Migration):

    dependencies = [
        ("surveys", "0004_comment_threshold"),
    ]

    operations = [
        migrations.AddField(
            model_name="invitation",
            name="answered",
            field=models.BooleanField(default=False),
        ),
        migrations.RunPython(answered_from_day, day_from_answered),
        migrations.RemoveField(
            model_name="invitation",
            name="responded_on",
        ),
    ]
