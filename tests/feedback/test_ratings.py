"""Rate an AI output: two clicks from a tool's page, counted in AI accuracy beside
the survey's accuracy answers (one query for both)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from dashboards.metrics import ToolAccuracy, ai_accuracy
from feedback.models import OutputRating
from feedback.services.concerns import RateLimited
from feedback.services.ratings import NOTE_LIMIT, RATE_LIMIT, output_rate
from org.models import Accuracy, AITool, Person, User
from surveys.models import Answer, Question, Response
from tests.org.factories import AIToolFactory, PersonFactory, UserFactory
from tests.surveys.factories import QuestionFactory, RoundFactory, SurveyFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 4, 12, 0, tzinfo=dt.UTC)
CORRECT, MOSTLY, INCORRECT = Accuracy.values


@pytest.fixture
def tool(db):
    return AIToolFactory(name="Support Copilot", status=AITool.Status.LIVE)


def page(tool):
    return reverse("org:aitool_detail", args=[tool.pk])


def rate_url(tool):
    return reverse("feedback:rate_output", args=[tool.pk])


# --- The two clicks --------------------------------------------------------------


def test_an_employee_rates_an_output_from_the_tools_page_in_two_clicks(
    signed_in, employee, tool
):
    client = signed_in(employee)

    # Click one: open the tool's page, which offers the three verdicts.
    html = client.get(page(tool)).content.decode()
    # Click two: one of the buttons posts.
    response = client.post(rate_url(tool), {"rating": MOSTLY, "note": ""})

    assert f'action="{rate_url(tool)}"' in html
    for value, label in Accuracy.choices:
        assert f'name="rating" value="{value}">{label}</button>' in html
    assert "<details>" in html and 'name="note"' in html
    assert response.status_code == 302 and response.url == page(tool)
    thanks = client.get(response.url).content.decode()
    assert "Thank you: your rating (mostly correct) counts" in thanks
    rating = OutputRating.objects.get()
    assert (rating.ai_tool, rating.rating, rating.note) == (tool, MOSTLY, "")


def test_the_optional_note_is_kept_with_the_rating(signed_in, employee, tool):
    signed_in(employee).post(
        rate_url(tool), {"rating": INCORRECT, "note": "  Quoted last year's prices. "}
    )

    assert OutputRating.objects.get().note == "Quoted last year's prices."


def test_an_anonymous_visitor_is_sent_to_sign_in_and_nothing_is_saved(client, tool):
    response = client.post(rate_url(tool), {"rating": CORRECT})

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={rate_url(tool)}"
    assert not OutputRating.objects.exists()


def test_rating_needs_a_post(signed_in, employee, tool):
    response = signed_in(employee).get(rate_url(tool))

    assert response.status_code == 405
    assert not OutputRating.objects.exists()


def test_an_account_without_a_person_may_not_rate(client, tool):
    admin = User.objects.create_superuser("root@example.com", "a-good-password-1")
    client.force_login(admin)

    response = client.post(rate_url(tool), {"rating": CORRECT})
    html = client.get(page(tool)).content.decode()

    assert response.status_code == 403
    assert 'name="rating"' not in html
    assert not OutputRating.objects.exists()


def test_a_retired_tools_output_cannot_be_rated(signed_in, employee):
    retired = AIToolFactory(status=AITool.Status.RETIRED)
    client = signed_in(employee)

    response = client.post(rate_url(retired), {"rating": CORRECT}, follow=True)

    html = response.content.decode()
    assert "is retired: its output can no longer be rated" in html
    assert 'name="rating"' not in html
    assert not OutputRating.objects.exists()
    with pytest.raises(ValidationError, match="retired"):
        output_rate(ai_tool=retired, rating=CORRECT, by_user=employee.user)


@pytest.mark.parametrize("value", ["", "perfect", "CORRECT", "1"])
def test_a_rating_off_the_scale_is_refused_and_nothing_saved(
    signed_in, employee, tool, value
):
    response = signed_in(employee).post(rate_url(tool), {"rating": value}, follow=True)

    assert "Choose correct, mostly correct or incorrect." in response.content.decode()
    assert not OutputRating.objects.exists()


def test_a_note_over_the_limit_is_refused_and_nothing_saved(signed_in, employee, tool):
    client = signed_in(employee)

    response = client.post(
        rate_url(tool), {"rating": CORRECT, "note": "x" * (NOTE_LIMIT + 1)}, follow=True
    )
    client.post(rate_url(tool), {"rating": CORRECT, "note": "x" * NOTE_LIMIT})

    assert f"to {NOTE_LIMIT} characters or fewer" in response.content.decode()
    assert OutputRating.objects.get().note == "x" * NOTE_LIMIT


def test_ratings_are_rate_limited_per_person(signed_in, employee, tool):
    for _ in range(RATE_LIMIT):
        output_rate(ai_tool=tool, rating=CORRECT, by_user=employee.user, now=NOW)

    with pytest.raises(RateLimited):
        output_rate(ai_tool=tool, rating=CORRECT, by_user=employee.user, now=NOW)
    response = signed_in(employee).post(
        rate_url(tool), {"rating": CORRECT}, follow=True
    )
    output_rate(ai_tool=tool, rating=INCORRECT, by_user=PersonFactory().user, now=NOW)

    assert "Please wait a while" in response.content.decode()
    assert OutputRating.objects.filter(rating=CORRECT).count() == RATE_LIMIT
    assert OutputRating.objects.filter(rating=INCORRECT).count() == 1


def test_a_rating_stores_no_person_and_only_the_local_day(settings, employee, tool):
    settings.TIME_ZONE = "America/New_York"
    late_evening = dt.datetime(2026, 3, 5, 2, 30, tzinfo=dt.UTC)  # 21:30 on the 4th

    rating = output_rate(
        ai_tool=tool, rating=CORRECT, by_user=employee.user, now=late_evening
    )

    related = {
        f.related_model for f in OutputRating._meta.get_fields() if f.is_relation
    }
    assert related == {AITool}
    assert Person not in related and User not in related
    assert OutputRating.objects.values_list("rated_on", flat=True).get(
        pk=rating.pk
    ) == dt.date(2026, 3, 4)


def test_the_service_refuses_a_visitor_without_a_person(tool):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        output_rate(ai_tool=tool, rating=CORRECT, by_user=AnonymousUser())
    with pytest.raises(PermissionDenied):
        output_rate(ai_tool=tool, rating=CORRECT, by_user=UserFactory())
    assert not OutputRating.objects.exists()


# --- AI accuracy: survey answers and ratings, one query --------------------------


def survey_answers(tool, *choices, on=dt.date(2026, 3, 3)):
    """One anonymous response per choice to the tool's accuracy question."""
    question = Question.objects.filter(ai_tool=tool, kind="ai_accuracy").first()
    if question is None:
        question = QuestionFactory(
            survey=SurveyFactory(),
            kind=Question.Kind.AI_ACCURACY,
            driver="",
            ai_tool=tool,
            required=False,
        )
    starts = dt.datetime.combine(on, dt.time(9), tzinfo=dt.UTC)
    round_ = question.survey.rounds.filter(starts_at=starts).first()
    round_ = round_ or RoundFactory(survey=question.survey, starts_at=starts)
    for choice in choices:
        response = Response.objects.create(round=round_)
        Answer.objects.create(response=response, question=question, choice=choice)


def ratings(tool, *values, on=dt.date(2026, 3, 3)):
    OutputRating.objects.bulk_create(
        [OutputRating(ai_tool=tool, rating=v, rated_on=on) for v in values]
    )


def test_accuracy_counts_survey_answers_and_ratings_together(tool):
    other = AIToolFactory(name="Code Assistant", status=AITool.Status.LIVE)
    quiet = AIToolFactory(name="Meeting Summariser")
    survey_answers(tool, CORRECT, CORRECT, INCORRECT, MOSTLY)
    ratings(tool, CORRECT, MOSTLY, MOSTLY, INCORRECT)
    ratings(other, INCORRECT, CORRECT)
    survey_answers(other, MOSTLY)
    # Not accuracy: a Likert answer naming no tool, and a blank accuracy answer.
    likert = QuestionFactory(kind=Question.Kind.LIKERT)
    response = Response.objects.create(round=RoundFactory(survey=likert.survey))
    Answer.objects.create(response=response, question=likert, number=4)
    survey_answers(quiet, "")

    result = ai_accuracy()

    assert result == [
        ToolAccuracy(
            tool_id=other.pk,
            tool_name="Code Assistant",
            correct=1,
            mostly_correct=1,
            incorrect=1,
            from_surveys=1,
            from_ratings=2,
        ),
        ToolAccuracy(
            tool_id=tool.pk,
            tool_name="Support Copilot",
            correct=3,
            mostly_correct=3,
            incorrect=2,
            from_surveys=4,
            from_ratings=4,
        ),
    ]
    copilot = result[1]
    assert copilot.total == 8
    assert (
        copilot.correct_share,
        copilot.mostly_correct_share,
        copilot.incorrect_share,
    ) == (0.375, 0.375, 0.25)
    assert (copilot.correct_percent, copilot.incorrect_percent) == (38, 25)


def test_accuracy_can_be_cut_by_tool_and_by_day(tool):
    other = AIToolFactory(name="Code Assistant")
    survey_answers(tool, CORRECT, on=dt.date(2026, 2, 27))
    survey_answers(tool, INCORRECT, on=dt.date(2026, 3, 2))
    ratings(tool, MOSTLY, on=dt.date(2026, 3, 1))
    ratings(tool, CORRECT, on=dt.date(2026, 3, 9))
    ratings(other, INCORRECT, on=dt.date(2026, 3, 2))

    (march,) = ai_accuracy(
        tools=[tool], since=dt.date(2026, 3, 1), until=dt.date(2026, 3, 8)
    )
    by_id = ai_accuracy(tools=[other.pk], until=dt.date(2026, 3, 1))

    assert (march.correct, march.mostly_correct, march.incorrect) == (0, 1, 1)
    assert (march.from_surveys, march.from_ratings) == (1, 1)
    assert by_id == []


def test_an_empty_result_has_zero_shares():
    empty = ToolAccuracy(tool_id=1, tool_name="Nothing yet")

    assert (empty.total, empty.correct_share, empty.incorrect_percent) == (0, 0.0, 0)


@pytest.mark.parametrize("tools", [1, 6])
def test_accuracy_takes_one_query_whatever_the_number_of_tools(
    django_assert_num_queries, tools
):
    for _ in range(tools):
        tool = AIToolFactory()
        survey_answers(tool, CORRECT, MOSTLY)
        ratings(tool, INCORRECT, CORRECT, MOSTLY)

    with django_assert_num_queries(1):
        result = ai_accuracy()

    assert len(result) == tools
    assert {(r.total, r.from_surveys, r.from_ratings) for r in result} == {(5, 2, 3)}


def test_the_tools_page_shows_its_accuracy_once_there_are_enough_ratings(
    signed_in, employee, tool
):
    client = signed_in(employee)
    survey_answers(tool, CORRECT, MOSTLY)
    ratings(tool, CORRECT)
    few = client.get(page(tool)).content.decode()
    ratings(tool, MOSTLY, INCORRECT)

    html = client.get(page(tool)).content.decode()

    assert "3 ratings so far; the shares show from 5." in few
    assert "Correct 40%" not in few
    assert "5 ratings from surveys and people using it" in html
    for figure in ("Correct 40%", "Mostly correct 40%", "Incorrect 20%"):
        assert figure in html


def test_a_rating_posted_on_the_page_shows_in_its_figures(signed_in, employee, tool):
    ratings(tool, CORRECT, CORRECT, CORRECT, INCORRECT)
    client = signed_in(employee)

    client.post(rate_url(tool), {"rating": INCORRECT})
    html = client.get(page(tool)).content.decode()

    assert "5 ratings from surveys" in html
    assert "Correct 60%" in html and "Incorrect 40%" in html
