"""Email addresses are unique whatever their case, for accounts and for customers.

Before adding the constraints, look for addresses that differ only in case (or in
surrounding spaces). If there are any, stop and list them: they may be one person
with two accounts, and which one to keep (answers, concerns, roles hang on each)
is for a person to decide, not a migration. Otherwise store every address trimmed
and lower-cased, as Candor now writes them (org.models.normalise_email).
"""

from collections import defaultdict

import django.db.models.functions.text
from django.core.management.base import CommandError
from django.db import migrations, models
from django.db.models.functions import Lower, Trim


def _normalised(model):
    return model.objects.annotate(normalised=Lower(Trim("email")))


def _clashes(model, label):
    spellings = defaultdict(list)
    clashing = (
        _normalised(model)
        .values("normalised")
        .annotate(count=models.Count("pk"))
        .filter(count__gt=1)
        .values_list("normalised", flat=True)
    )
    rows = _normalised(model).filter(normalised__in=list(clashing)).order_by("pk")
    for pk, email, normalised in rows.values_list("pk", "email", "normalised"):
        spellings[normalised].append(f"{email!r} ({label} {pk})")
    return [f"  {key}: {', '.join(found)}" for key, found in sorted(spellings.items())]


def check_and_normalise(apps, schema_editor):
    User = apps.get_model("org", "User")
    Customer = apps.get_model("org", "Customer")
    clashes = _clashes(User, "account") + _clashes(Customer, "customer")
    if clashes:
        raise CommandError(
            "Some email addresses differ only in case or spaces, and email addresses "
            "must now be unique whatever their case:\n"
            + "\n".join(clashes)
            + "\nKeep one of each (change the address of, deactivate and rename, or "
            "delete the others in the admin), then run migrate again. Nothing was "
            "changed."
        )
    for model in (User, Customer):
        changed = []
        for row in _normalised(model).exclude(email=models.F("normalised")):
            row.email = row.normalised
            changed.append(row)
        model.objects.bulk_update(changed, ["email"], batch_size=1000)


class Migration(migrations.Migration):

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("org", "0003_aitool_teams"),
    ]

    operations = [
        migrations.RunPython(check_and_normalise, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="customer",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower("email"),
                name="customer_email_unique_ignoring_case",
                violation_error_message="A customer with this email address already exists.",
            ),
        ),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower("email"),
                name="user_email_unique_ignoring_case",
                violation_error_message="An account with this email address already exists.",
            ),
        ),
    ]
