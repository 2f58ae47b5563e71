# A tool's name and a customer's address, taken, are refused with the code "unique"
# as Django's own unique checks are (the API answers 409). Nothing changes in the
# database: AlterConstraint only records the new code.

import django.db.models.functions.text
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('org', '0007_people_sync_lease'),
    ]

    operations = [
        migrations.AlterConstraint(
            model_name='aitool',
            name='aitool_unique_name',
            constraint=models.UniqueConstraint(django.db.models.functions.text.Lower('name'), name='aitool_unique_name', violation_error_code='unique', violation_error_message='An AI tool with this name already exists.'),
        ),
        migrations.AlterConstraint(
            model_name='customer',
            name='customer_email_unique_ignoring_case',
            constraint=models.UniqueConstraint(django.db.models.functions.text.Lower('email'), name='customer_email_unique_ignoring_case', violation_error_code='unique', violation_error_message='A customer with this email address already exists.'),
        ),
    ]
