"""Ids that come from outside (a form, a query string, an API body) checked against
what an id column can hold, before they reach a query.

Ids are 64-bit (BigAutoField). Django already answers "no such row" for an exact
lookup past that range, but not for `pk__in`: SQLite cannot bind the number at all
(OverflowError), which would be a server error for a typo'd or hostile id.
"""

from __future__ import annotations

from collections.abc import Iterable

from django import forms
from django.core.exceptions import ValidationError

ID_MAX = 2**63 - 1


def row_ids(values: Iterable[int]) -> list[int]:
    """The values that can be a row's id (1 to 2**63 - 1); the others name no row."""
    return [value for value in values if 0 < value <= ID_MAX]


class RowsChoiceField(forms.ModelMultipleChoiceField):
    """Django's many-rows field, refusing an id no row can have as it refuses any
    other unknown id ("Select a valid choice"), instead of querying with it."""

    def _check_values(self, value):
        for raw in value if self.to_field_name is None else ():
            try:
                number = int(str(raw).strip())
            except ValueError:
                continue  # not a number: Django's own check refuses it
            if not row_ids([number]):
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": raw},
                )
        return super()._check_values(value)
