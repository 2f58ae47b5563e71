"""Ids from outside are checked against what an id column holds before a query."""

from __future__ import annotations

import pytest

from core.ids import ID_MAX, RowsChoiceField, row_ids
from org.models import Team
from tests.org.factories import TeamFactory

pytestmark = pytest.mark.django_db


def test_row_ids_keeps_only_numbers_an_id_can_be():
    assert row_ids([0, 1, -5, ID_MAX, ID_MAX + 1, 10**30]) == [1, ID_MAX]


def test_a_many_rows_field_refuses_an_id_past_64_bits_as_an_unknown_choice():
    team = TeamFactory()
    field = RowsChoiceField(queryset=Team.objects.all())

    with pytest.raises(Exception) as refused:
        field.clean([str(team.pk), str(10**30)])

    assert refused.value.code == "invalid_choice"
    assert list(field.clean([str(team.pk)])) == [team]
