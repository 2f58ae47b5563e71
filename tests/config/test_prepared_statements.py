"""PostgreSQL prepares the statements a process repeats (config/settings.py,
DB_PREPARE_THRESHOLD): planned once per connection, not on every request."""

from __future__ import annotations

import json

import pytest
from django.db import connection

from surveys.models import InvitationToken
from tests.config.test_deploy_check import _production, _run
from tests.conftest import service_missing

SHOW = """
import json, django
django.setup()
from django.conf import settings as s
print(json.dumps(s.DATABASES["default"].get("OPTIONS", {})))
"""
POSTGRES = "postgres://candor@127.0.0.1:5432/candor"


def _options(tmp_path, **environment: str) -> dict:
    done = _run(SHOW, _production(tmp_path, DATABASE_URL=POSTGRES, **environment))
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def test_postgresql_binds_on_the_server_and_prepares_after_the_second_use(tmp_path):
    assert _options(tmp_path) == {"server_side_binding": True, "prepare_threshold": 2}


def test_a_threshold_of_zero_turns_prepared_statements_off(tmp_path):
    # For a pooler in transaction mode that cannot carry them (PgBouncer < 1.21).
    assert _options(tmp_path, DB_PREPARE_THRESHOLD="0") == {}


@pytest.mark.django_db
def test_the_answering_pages_link_lookup_is_prepared_once_repeated():
    if connection.vendor != "postgresql":
        service_missing("PostgreSQL through DATABASE_URL")
    if not connection.settings_dict.get("OPTIONS", {}).get("server_side_binding"):
        pytest.skip("DB_PREPARE_THRESHOLD=0 in this environment")
    from surveys.selectors import answer_link

    for _ in range(3):
        assert answer_link(token="no-such-link") is None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            [f"%{InvitationToken._meta.db_table}%"],
        )
        (prepared,) = cursor.fetchone()
    assert prepared == 1
