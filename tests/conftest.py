"""Personas and service helpers shared by every test."""

from __future__ import annotations

import os
import socket

import pytest

from org.roles import Role
from tests.org.factories import PersonFactory

IN_CI = os.environ.get("CI", "").lower() == "true"


def service_missing(what: str) -> None:
    """Skip a test whose service is down on a laptop; in CI it is a failure."""
    if IN_CI:
        pytest.fail(f"{what} is not reachable, and CI=true forbids skipping this test")
    pytest.skip(f"{what} is not reachable")


def port_open(host: str, port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex((host, port)) == 0


@pytest.fixture
def employee(db):
    return PersonFactory(roles={Role.EMPLOYEE})


@pytest.fixture
def leader(db):
    return PersonFactory(roles={Role.LEADER})


@pytest.fixture
def hr(db):
    return PersonFactory(roles={Role.HR})


@pytest.fixture
def signed_in(client):
    """signed_in(person) -> a test client signed in as that person."""

    def sign_in(person):
        client.force_login(person.user)
        return client

    return sign_in


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache (rate-limit counters live there)."""
    from django.core.cache import cache

    cache.clear()
    yield
