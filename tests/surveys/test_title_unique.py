"""No two surveys that are not archived share a title, also when two requests
check at the same moment: the database's index refuses the second save, and HR
is told why as the check would have told them, never a server error."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from surveys import models as surveys_models
from surveys.library import survey_from_template
from surveys.models import Survey
from surveys.services import lifecycle
from tests.surveys.factories import SurveyFactory
from tests.surveys.test_builder import survey_data

pytestmark = pytest.mark.django_db

Status = Survey.Status


def checked_before_the_other_saved(monkeypatch) -> None:
    """Every check of a title (the form's, the service's, the restore's) runs
    before another request's survey of that title is committed, so sees nothing;
    by the save, it is there. Patched after the other survey is made."""
    tried: list[Survey] = []
    real_check, real_clean, real_save = (
        surveys_models.title_clash_error,
        Survey.full_clean,
        Survey.save,
    )

    def check(title: str, *, exclude_pk: int | None = None) -> str | None:
        return real_check(title, exclude_pk=exclude_pk) if tried else None

    def full_clean(self, *args, **kwargs) -> None:
        if tried:
            real_clean(self, *args, **kwargs)

    def save(self, *args, **kwargs) -> None:
        tried.append(self)
        real_save(self, *args, **kwargs)

    monkeypatch.setattr(surveys_models, "title_clash_error", check)
    monkeypatch.setattr(lifecycle, "title_clash_error", check)
    monkeypatch.setattr(Survey, "full_clean", full_clean)
    monkeypatch.setattr(Survey, "save", save)


def titles() -> list[tuple[str, str]]:
    return sorted(Survey.objects.values_list("title", "status"))


def test_the_database_refuses_a_second_live_survey_of_a_title_but_not_an_archived_one():
    SurveyFactory(title="Pulse")
    SurveyFactory(title="PULSE", status=Status.ARCHIVED)

    with pytest.raises(IntegrityError), transaction.atomic():
        Survey.objects.create(title="pulse", first_date=dt.date(2026, 3, 2))

    assert titles() == [("PULSE", Status.ARCHIVED), ("Pulse", Status.SCHEDULED)]


def test_a_title_taken_while_hr_saves_the_form_is_shown_on_the_form(
    signed_in, hr, monkeypatch
):
    SurveyFactory(title="Spring pulse", status=Status.DRAFT)
    checked_before_the_other_saved(monkeypatch)

    response = signed_in(hr).post(
        reverse("surveys:survey_create"), survey_data(title="Spring pulse")
    )

    assert response.status_code == 200
    assert (
        response.context["form"]
        .errors["title"][0]
        .startswith("Another survey is already called “Spring pulse”")
    )
    assert titles() == [("Spring pulse", Status.DRAFT)]


def test_a_template_copy_whose_title_was_taken_meanwhile_is_refused_by_field(
    monkeypatch,
):
    SurveyFactory(title="Customer trust", status=Status.DRAFT)
    checked_before_the_other_saved(monkeypatch)

    with pytest.raises(ValidationError) as refused:
        survey_from_template(
            "customer-trust", first_date=dt.date(2026, 3, 2), title="Customer trust"
        )

    assert list(refused.value.message_dict) == ["title"]
    assert refused.value.error_dict["title"][0].code == "unique"
    assert titles() == [("Customer trust", Status.DRAFT)]


def test_a_survey_is_not_restored_over_one_that_took_its_title_meanwhile(
    signed_in, hr, monkeypatch
):
    old = SurveyFactory(title="Pulse", status=Status.ARCHIVED)
    SurveyFactory(title="PULSE", status=Status.DRAFT)
    checked_before_the_other_saved(monkeypatch)

    response = signed_in(hr).post(reverse("surveys:survey_restore", args=[old.pk]))

    assert response.status_code == 409
    assert "Rename the other survey" in response.context["errors"][0]
    assert titles() == [("PULSE", Status.DRAFT), ("Pulse", Status.ARCHIVED)]
