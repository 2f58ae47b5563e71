"""Department names, and team names within a department, are unique ignoring
case, as the people sync matches them: "Sales" and "sales" were two departments
a sync could not tell apart.

Before changing the constraints, look for names they would refuse. If there are
any, stop and list them: which to rename or merge is HR's to decide (people,
invitations and dashboards' history go by them), not a migration's.
"""

from collections import defaultdict

from django.core.management.base import CommandError
from django.db import migrations, models
from django.db.models.functions import Lower


def check_no_clash(apps, schema_editor):
    Department = apps.get_model("org", "Department")
    Team = apps.get_model("org", "Team")
    found = defaultdict(list)
    for pk, name in Department.objects.order_by("pk").values_list("pk", "name"):
        found[("department", name.lower())].append(f"{name!r} (department {pk})")
    teams = Team.objects.order_by("pk").values_list(
        "pk", "name", "department", "department__name"
    )
    for pk, name, department, department_name in teams:
        found[("team", department, name.lower())].append(
            f"{name!r} (team {pk} of {department_name!r})"
        )
    clashes = [each for each in found.values() if len(each) > 1]
    if clashes:
        raise CommandError(
            "Some departments, or teams of one department, share a name ignoring "
            "case, and such names must now be unique:\n"
            + "\n".join(f"  {', '.join(each)}" for each in clashes)
            + "\nRename all but one of each, or move their people and delete the "
            "rest (in the admin), then run migrate again. Nothing was changed."
        )


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0008_unique_names_say_so"),
    ]

    operations = [
        migrations.RunPython(check_no_clash, migrations.RunPython.noop),
        migrations.RemoveConstraint(
            model_name="team",
            name="team_unique_in_department",
        ),
        migrations.AlterField(
            model_name="department",
            name="name",
            field=models.CharField(max_length=120),
        ),
        migrations.AddConstraint(
            model_name="department",
            constraint=models.UniqueConstraint(
                Lower("name"),
                name="department_unique_name",
                violation_error_code="unique",
                violation_error_message="A department with this name already "
                "exists (names are compared ignoring case).",
            ),
        ),
        migrations.AddConstraint(
            model_name="team",
            constraint=models.UniqueConstraint(
                models.F("department"),
                Lower("name"),
                name="team_unique_in_department",
                violation_error_code="unique_together",
                violation_error_message="This department already has a team with "
                "this name (names are compared ignoring case).",
            ),
        ),
    ]
