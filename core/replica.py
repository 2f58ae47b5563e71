"""Reads that may go to a read replica: the dashboards' aggregates and their CSV and
API forms, which scan answers by the million and can be a few seconds behind.

A router that routes by model cannot tell a dashboard's read of `Answer` from the
answering page's, which must see its own write. So the router sends reads to the
replica only inside `replica_reads()`, which the dashboard views put around
their work (`reads_from_replica` for a view); everywhere else, and for every
write, it says "default". Without `DATABASE_REPLICA_URL` (settings
`DATABASE_READ_REPLICA` is None) nothing changes at all.

Only the apps whose rows the dashboards aggregate are routed: sessions, auth's
permissions and the sign-in lockouts stay on the primary, where a sign-in a moment
ago is already visible.
"""

from __future__ import annotations

import contextvars
import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS

# The apps whose rows the dashboards aggregate.
REPLICATED_APPS = frozenset({"org", "surveys", "feedback"})

_reading = contextvars.ContextVar("candor_replica_reads", default=False)

View = TypeVar("View", bound=Callable[..., Any])


@contextmanager
def replica_reads() -> Iterator[None]:
    """Within it, reads of `REPLICATED_APPS` go to the replica, if one is set."""
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


def reads_from_replica(view: View) -> View:
    """A view decorator: the view's reads inside `replica_reads()`. The signed-in
    user is looked up first, on the primary (a new account, a role just given)."""

    @functools.wraps(view)
    def wrapped(request: Any, *args: Any, **kwargs: Any) -> Any:
        user = getattr(request, "user", None)
        if user is not None:
            bool(user.is_authenticated)  # loads a lazy user, here
        with replica_reads():
            return view(request, *args, **kwargs)

    return wrapped  # type: ignore[return-value]


class ReplicaRouter:
    """Reads inside `replica_reads()` to the replica; every write, and every
    migration, to the primary."""

    def db_for_read(self, model: type, **hints: Any) -> str | None:
        replica = settings.DATABASE_READ_REPLICA
        if replica and _reading.get() and model._meta.app_label in REPLICATED_APPS:
            return replica
        return None

    def db_for_write(self, model: type, **hints: Any) -> str:
        # Explicitly the primary: left to Django, a row read from the replica
        # would be saved back where it came from.
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        # The replica holds the primary's rows: a row from either relates to one
        # from the other.
        aliases = {DEFAULT_DB_ALIAS, settings.DATABASE_READ_REPLICA}
        if obj1._state.db in aliases and obj2._state.db in aliases:
            return True
        return None

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        # The replica follows the primary's schema through replication.
        if db == settings.DATABASE_READ_REPLICA:
            return False
        return None
