"""A unique value (a name, a title, an email) taken by another request between a
service's check and its save.

The check (`full_clean`, or a model's own rule) says why in words; the database's
unique index is the last line, and its refusal is an IntegrityError, which would
be a server error. Run the check again once the other request has committed and it
says why, as it would have a moment later: the caller gets the same
ValidationError either way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

# PostgreSQL's unique_violation; SQLite's extended result code for the same.
_PG_UNIQUE = "23505"
_SQLITE_UNIQUE = "SQLITE_CONSTRAINT_UNIQUE"

TAKEN_MEANWHILE = (
    "Another change took this name at the same moment: look at what is there now, "
    "then choose another name or try again."
)


def is_unique_violation(error: IntegrityError) -> bool:
    """Whether the database refused a row for a value a unique index already holds
    (not a check constraint, a foreign key or a NULL)."""
    cause = error.__cause__
    if getattr(cause, "sqlstate", None) == _PG_UNIQUE:
        return True
    if getattr(cause, "sqlite_errorname", None) == _SQLITE_UNIQUE:
        return True
    return str(error).startswith("UNIQUE constraint failed")


@contextmanager
def unique_save(*, recheck: Callable[[], None]) -> Iterator[None]:
    """Around a save: in a transaction of its own (a savepoint inside another), so
    that a refusal leaves the connection usable; a unique index's refusal becomes
    `recheck()`'s ValidationError, or failing that (a rule the index is stricter
    than) a ValidationError with code "unique" saying someone was first.

    Other integrity errors are not input errors and pass through.
    """
    try:
        with transaction.atomic():
            yield
    except IntegrityError as error:
        if not is_unique_violation(error):
            raise
        recheck()
        raise ValidationError(TAKEN_MEANWHILE, code="unique") from error
