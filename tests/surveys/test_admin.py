"""HR can build surveys in the admin; rounds there are read-only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from surveys.models import Survey
from tests.surveys.factories import RoundFactory, SurveyFactory

pytestmark = pytest.mark.django_db


def test_a_survey_with_a_question_is_built_in_the_admin(admin_client):
    response = admin_client.post(
        reverse("admin:surveys_survey_add"),
        {
            "title": "AI rollout pulse",
            "intro": "",
            "audience": "employees",
            "segments": "[]",
            "privacy": "anonymous",
            "min_group_size": 5,
            "cadence": "weekly",
            "first_date": "2026-03-02",
            "weekday": 0,
            "start_time": "09:00",
            "open_days": 5,
            "reminder_count": 3,
            "reminder_interval_days": 2,
            "questions-TOTAL_FORMS": 1,
            "questions-INITIAL_FORMS": 0,
            "questions-0-position": 1,
            "questions-0-kind": "likert",
            "questions-0-text": "I understand why we use AI.",
            "questions-0-driver": "clarity",
            "questions-0-required": "on",
            "questions-0-choices": "[]",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    survey = Survey.objects.get()
    assert [q.text for q in survey.questions.all()] == ["I understand why we use AI."]


def test_rounds_cannot_be_edited_by_hand(admin_client):
    round_ = RoundFactory()

    assert admin_client.get(reverse("admin:surveys_round_add")).status_code == 403
    page = admin_client.get(reverse("admin:surveys_round_change", args=[round_.pk]))
    assert page.status_code == 200  # view only
    assert b'name="_save"' not in page.content


def test_the_admin_says_every_two_weeks_for_a_fortnightly_survey(admin_client):
    survey = SurveyFactory(cadence="biweekly")

    listing = admin_client.get(reverse("admin:surveys_survey_changelist"))
    filtered = admin_client.get(
        reverse("admin:surveys_survey_changelist"), {"cadence": "weekly"}
    )
    form = admin_client.get(reverse("admin:surveys_survey_change", args=[survey.pk]))

    assert "Every two weeks" in listing.content.decode()
    assert "Biweekly" not in listing.content.decode()
    assert list(filtered.context["cl"].queryset) == []
    assert '<option value="biweekly" selected>Every two weeks</option>' in (
        form.content.decode()
    )
