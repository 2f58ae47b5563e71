"""A unique value taken between a service's check and its save: the database's
refusal becomes the check's own ValidationError, and the connection stays usable;
other integrity errors are not input errors and pass through."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from core.unique import TAKEN_MEANWHILE, is_unique_violation, unique_save
from org.models import AITool, Department
from tests.org.factories import DepartmentFactory

pytestmark = pytest.mark.django_db


def _refused() -> ValidationError:
    raise ValidationError("Taken, as the check now sees.", code="unique")


def test_a_unique_index_refusal_becomes_the_checks_own_error():
    DepartmentFactory(name="Legal")

    with pytest.raises(ValidationError) as refused:
        with unique_save(recheck=_refused):
            Department.objects.create(name="Legal")

    assert refused.value.messages == ["Taken, as the check now sees."]
    # The refused save was rolled back on its own: the connection still works.
    assert Department.objects.filter(name="Legal").count() == 1


def test_a_check_that_sees_nothing_still_refuses_saying_someone_was_first():
    DepartmentFactory(name="Legal")

    with pytest.raises(ValidationError) as refused:
        with unique_save(recheck=lambda: None):
            Department.objects.create(name="Legal")

    assert refused.value.messages == [TAKEN_MEANWHILE]
    assert refused.value.code == "unique"


def test_another_integrity_error_is_not_taken_for_a_name():
    # A live tool without an owner breaks a check constraint, not a unique index.
    with pytest.raises(IntegrityError) as broken:
        with unique_save(recheck=_refused):
            AITool.objects.create(name="Bot", status=AITool.Status.LIVE)

    assert not is_unique_violation(broken.value)
    assert not AITool.objects.exists()


def test_a_save_that_breaks_nothing_is_kept():
    with unique_save(recheck=_refused):
        Department.objects.create(name="Finance")

    assert Department.objects.filter(name="Finance").exists()
