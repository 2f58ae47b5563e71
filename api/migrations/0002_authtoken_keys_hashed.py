"""DRF's plain-text authtoken keys become hashed API tokens, then are deleted.

Each key keeps working (its SHA-256 is stored, with the account and creation time
it had), read-write as before, named "Token made before hashing" so HR can find
and revoke it. The old table is read with SQL, if it exists, because
`rest_framework.authtoken` is no longer installed.
"""

import hashlib

from django.db import migrations
from django.utils import timezone


def hash_keys(apps, schema_editor):
    connection = schema_editor.connection
    if "authtoken_token" not in connection.introspection.table_names():
        return
    ApiToken = apps.get_model("api", "ApiToken")
    with connection.cursor() as cursor:
        cursor.execute("SELECT key, user_id, created FROM authtoken_token")
        rows = cursor.fetchall()
    for key, user_id, created in rows:
        ApiToken.objects.get_or_create(
            key_hash=hashlib.sha256(key.encode()).hexdigest(),
            defaults={
                "name": "Token made before hashing",
                "owner_id": user_id,
                "scope": "write",
                "prefix": key[:8],
                "created_at": created or timezone.now(),
            },
        )
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM authtoken_token")


class Migration(migrations.Migration):
    dependencies = [("api", "0001_api_tokens")]

    operations = [migrations.RunPython(hash_keys, migrations.RunPython.noop)]
