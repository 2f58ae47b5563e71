"""In CI the suite must really run on PostgreSQL and Redis, not fall back quietly."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection

from tests.conftest import IN_CI


@pytest.mark.skipif(not IN_CI, reason="only CI promises PostgreSQL and Redis")
def test_ci_runs_on_postgresql_and_redis():
    assert connection.vendor == "postgresql"
    assert settings.CELERY_BROKER_URL.startswith("redis://")
