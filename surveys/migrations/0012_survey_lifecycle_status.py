# A survey's life in four states instead of active or not.
#
# Forward: active -> scheduled; inactive -> paused if it ever had a round, else
# draft (it never went out). Backward: scheduled -> active, every other state ->
# inactive; a draft and an archived survey both come back inactive, which is all
# the old column could say.

from django.db import migrations, models


def status_from_is_active(apps, schema_editor):
    Survey = apps.get_model("surveys", "Survey")
    Round = apps.get_model("surveys", "Round")
    had_round = Round.objects.filter(survey=models.OuterRef("pk"))
    Survey.objects.filter(is_active=True).update(status="scheduled")
    Survey.objects.filter(is_active=False).filter(models.Exists(had_round)).update(
        status="paused"
    )
    Survey.objects.filter(is_active=False).exclude(models.Exists(had_round)).update(
        status="draft"
    )


def is_active_from_status(apps, schema_editor):
    Survey = apps.get_model("surveys", "Survey")
    Survey.objects.filter(status="scheduled").update(is_active=True)
    Survey.objects.exclude(status="scheduled").update(is_active=False)


class Migration(migrations.Migration):

    dependencies = [
        ("surveys", "0011_invitation_send_state"),
    ]

    operations = [
        migrations.AddField(
            model_name="survey",
            name="status",
            field=models.CharField(
                choices=[
                    ("draft", "Draft"),
                    ("scheduled", "Scheduled"),
                    ("paused", "Paused"),
                    ("archived", "Archived"),
                ],
                default="draft",
                max_length=10,
            ),
        ),
        migrations.RunPython(status_from_is_active, is_active_from_status),
        migrations.RemoveField(
            model_name="survey",
            name="is_active",
        ),
    ]
