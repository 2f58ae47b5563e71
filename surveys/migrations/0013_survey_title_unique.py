"""No two surveys that are not archived share a title, ignoring case: the database
now holds the rule `Survey.clean` checks, so two requests at once cannot both pass
the check.

Before adding the index, look for surveys it would refuse. If there are any, stop
and list them: which one to rename or archive is HR's to decide (their rounds,
dashboards and emails go by the title), not a migration's.
"""

from collections import defaultdict

import django.db.models.functions.text
from django.core.management.base import CommandError
from django.db import migrations, models
from django.db.models.functions import Lower


def check_no_clash(apps, schema_editor):
    Survey = apps.get_model("surveys", "Survey")
    live = Survey.objects.exclude(status="archived").annotate(key=Lower("title"))
    clashing = (
        live.values("key")
        .annotate(count=models.Count("pk"))
        .filter(count__gt=1)
        .values_list("key", flat=True)
    )
    found = defaultdict(list)
    rows = live.filter(key__in=list(clashing)).order_by("pk")
    for pk, title, key in rows.values_list("pk", "title", "key"):
        found[key].append(f"{title!r} (survey {pk})")
    if found:
        raise CommandError(
            "Some surveys that are not archived share a title (ignoring case), and "
            "titles must now be unique:\n"
            + "\n".join(f"  {', '.join(each)}" for _, each in sorted(found.items()))
            + "\nRename or archive all but one of each (on the survey's page or in "
            "the admin), then run migrate again. Nothing was changed."
        )


class Migration(migrations.Migration):

    dependencies = [
        ("surveys", "0012_survey_lifecycle_status"),
    ]

    operations = [
        migrations.RunPython(check_no_clash, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="survey",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower("title"),
                condition=models.Q(("status", "archived"), _negated=True),
                name="survey_title_unique_unless_archived",
                violation_error_code="unique",
                violation_error_message="Another survey is already called that "
                "(titles are compared ignoring case).",
            ),
        ),
    ]
