"""Each round keeps of whom it asks about each AI tool (`surveys.audiences`).

Rounds from before are given their survey's tool questions as they are now,
once: from then on a change of a tool's teams moves neither what those rounds
ask nor the dashboards' frame of their answers. Of whom: a closed round,
everyone it invited (who was asked then is not known: the tools' teams now
could leave out a team asked then, which would be listed only where it
answered; a wider frame only merges more); a round still open, the tools'
teams now, which it is asking by.
"""

from django.db import migrations, models


def keep_tools_asked(apps, schema_editor):
    Round = apps.get_model("surveys", "Round")
    Question = apps.get_model("surveys", "Question")
    Through = apps.get_model("org", "AITool").teams.through
    teams: dict[int, list[int]] = {}
    for tool, team in Through.objects.values_list("aitool", "team").order_by("team"):
        teams.setdefault(tool, []).append(team)
    kinds: dict[int, dict[int, set[str]]] = {}
    for survey, tool, kind in Question.objects.filter(
        ai_tool__isnull=False
    ).values_list("survey", "ai_tool", "kind"):
        kinds.setdefault(survey, {}).setdefault(tool, set()).add(kind)
    rounds = Round.objects.filter(tools_asked__isnull=True).select_related("survey")
    for round_ in rounds.iterator(chunk_size=2000):
        everyone = round_.survey.audience == "customers" or round_.closed_at
        round_.tools_asked = {
            str(tool): {
                "teams": None if everyone or not teams.get(tool) else teams[tool],
                "kinds": sorted(tool_kinds),
            }
            for tool, tool_kinds in sorted(kinds.get(round_.survey_id, {}).items())
        }
        round_.save(update_fields=["tools_asked"])


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0013_survey_title_unique"),
        ("org", "0008_unique_names_say_so"),
    ]

    operations = [
        migrations.AddField(
            model_name="round",
            name="tools_asked",
            field=models.JSONField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(keep_tools_asked, migrations.RunPython.noop),
    ]
