"""Instances from a hand-written SELECT (core/rows.py) are what the ORM gives:
the same values through the same converters, saved state, nothing deferred."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import signals
from django.forms.models import model_to_dict

from core.rows import Columns
from surveys.models import Question
from tests.surveys.factories import QuestionFactory

pytestmark = pytest.mark.django_db


def _select(columns: Columns, pk: int) -> Question | None:
    table = connection.ops.quote_name(Question._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns.sql(connection)} FROM {table} q WHERE q.id = %s",  # noqa: S608
            [pk],
        )
        row = cursor.fetchone()
    return None if row is None else columns.build(row, 0, connection)


def test_an_instance_is_the_one_the_orm_loads():
    made = QuestionFactory(
        kind=Question.Kind.SINGLE_CHOICE, choices=["Daily", "Never"], required=False
    )

    built = _select(Columns(Question, "q"), made.pk)
    loaded = Question.objects.get(pk=made.pk)

    assert model_to_dict(built) == model_to_dict(loaded)
    assert built.choices == ["Daily", "Never"] and built.required is False
    assert not built._state.adding and built._state.db == "default"
    assert built.get_deferred_fields() == set()
    assert built.survey == loaded.survey  # relations load as usual


def test_a_saved_instance_updates_its_row():
    built = _select(Columns(Question, "q"), QuestionFactory().pk)

    built.text = "Reworded"
    built.save()

    assert Question.objects.get(pk=built.pk).text == "Reworded"
    assert Question.objects.count() == 1


def test_a_model_with_an_init_listener_is_built_through_its_init():
    made, heard = QuestionFactory(), []

    def listener(sender, instance, **kwargs):
        heard.append(instance)

    signals.post_init.connect(listener, sender=Question)
    try:
        built = _select(Columns(Question, "q"), made.pk)
    finally:
        signals.post_init.disconnect(listener, sender=Question)

    assert heard == [built] and built.text == made.text
