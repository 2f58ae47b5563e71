"""Model instances from a hand-written SELECT, for the few hot reads that join more
tables than the ORM can compile cheaply on every request.

Building a `select_related` query costs Django about a millisecond each time (the
answering page's link and its questions took two thirds of the page's CPU); a
constant SQL string costs nothing to build, and PostgreSQL prepares it once per
connection. `Columns` names a model's concrete columns under a table alias and
turns its slice of a row back into an instance as the ORM would: every field
loaded (none deferred, so no attribute access queries later), through the same
converters (SQLite's datetimes, booleans and decimals, JSON fields), with the
same state (saved, from this database).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import signals
from django.db.models.base import ModelState

Converter = Callable[[Any, Any, BaseDatabaseWrapper], Any]


class Columns:
    """The concrete columns of `model` as table `alias` in a SELECT."""

    def __init__(self, model: type[models.Model], alias: str) -> None:
        self.model, self.alias = model, alias
        self.fields = list(model._meta.concrete_fields)
        self.attnames = [field.attname for field in self.fields]
        self.width = len(self.fields)
        self.pk_index = self.attnames.index(model._meta.pk.attname)
        self._converters: dict[str, tuple[object, list]] = {}

    def sql(self, connection: BaseDatabaseWrapper) -> str:
        """`"alias"."column", ...` in the model's field order."""
        quote = connection.ops.quote_name
        return ", ".join(
            f"{quote(self.alias)}.{quote(field.column)}" for field in self.fields
        )

    def build(
        self, row: Sequence[Any], start: int, connection: BaseDatabaseWrapper
    ) -> models.Model | None:
        """The instance held by `row[start:start + width]`, or None when its
        primary key is NULL (an outer join that found nothing)."""
        values = list(row[start : start + self.width])
        for index, column, converters in self._converters_for(connection):
            value = values[index]
            for convert in converters:
                value = convert(value, column, connection)
            values[index] = value
        if values[self.pk_index] is None:
            return None
        if not self._plain():
            return self.model.from_db(connection.alias, self.attnames, values)
        # What from_db and Model.__init__ leave, without their per-field setattr
        # and the two signals nobody listens to: half the cost of the answering
        # page's lookup, 21 instances a request.
        instance = self.model.__new__(self.model)
        instance.__dict__.update(zip(self.attnames, values, strict=True))
        instance._state = ModelState()
        instance._state.adding, instance._state.db = False, connection.alias
        return instance

    def _plain(self) -> bool:
        """Whether an instance is nothing but its loaded values: Django's own
        __init__ and from_db, and no pre_init or post_init receiver."""
        model = self.model
        return (
            model.__init__ is models.Model.__init__
            and model.from_db.__func__ is models.Model.from_db.__func__
            and not signals.pre_init.has_listeners(model)
            and not signals.post_init.has_listeners(model)
        )

    def _converters_for(
        self, connection: BaseDatabaseWrapper
    ) -> list[tuple[int, Any, list[Converter]]]:
        # As the ORM's compiler gathers them: the backend's, then the field's own.
        # Worked out once per connection (they are bound to its operations).
        cached = self._converters.get(connection.alias)
        if cached is not None and cached[0] is connection.ops:
            return cached[1]
        found = []
        for index, field in enumerate(self.fields):
            column = field.get_col(self.alias)
            converters = connection.ops.get_db_converters(
                column
            ) + column.get_db_converters(connection)
            if converters:
                found.append((index, column, converters))
        self._converters[connection.alias] = (connection.ops, found)
        return found
