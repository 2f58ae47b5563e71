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
    """signed_in(person) -> a test client signed in as that person.

    force_login skips passwords, so no test trips the sign-in lockout; the test
    client's `login()` fails instead, since django-axes needs the request it does
    not pass (give it `request=HttpRequest()` if a test must check a password).
    """

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


def at_once(work, *, times: int = 2) -> list[object]:
    """Run `work()` in `times` threads released together by a barrier: a race.

    Returns each thread's result, or the exception it raised. Each thread closes its
    own database connection. Needs `django_db(transaction=True)` and PostgreSQL
    (SQLite serialises writers, so nothing would race).
    """
    import threading

    from django.db import connection

    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    barrier = threading.Barrier(times)
    results: list[object] = [None] * times

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = work()
        except Exception as exc:  # returned to the test, which asserts on it
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
