"""Rate an AI output: two clicks from a tool's page, counted in AI accuracy beside
the survey's accuracy answers, each in cells of at least the floor (a closed
round's answerers; whole weeks of ratings that are over)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from dashboards.filters import Filters
from dashboards.metrics import ToolAccuracy, ai_accuracy
from dashboards.metrics.accuracy import accuracy_by_tool
from feedback.models import OutputRating
from feedback.services.concerns import RateLimited
from feedback.services.ratings import NOTE_LIMIT, RATE_LIMIT, output_rate
from org.models import Accuracy, AITool, Person, User
from surveys.models import Answer, Question
from tests.dashboards.helpers import closed_round, response_in
from tests.org.factories import AIToolFactory, PersonFactory, UserFactory
from tests.surveys.factories import QuestionFactory, SurveyFactory

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


# --- AI accuracy: survey answers and ratings, each in cells of the floor ---------


def survey_answers(tool, *choices, on=dt.date(2026, 3, 3)):
    """One anonymous response per choice to the tool's accuracy question, in a
    closed round started `on` (its survey's floor: 5)."""
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
    round_ = round_ or closed_round(question.survey, starts)
    for choice in choices:
        response = response_in(round_)
        response.save()
        Answer.objects.create(response=response, question=question, choice=choice)


def ratings(tool, *values, on=dt.date(2026, 3, 3)):
    OutputRating.objects.bulk_create(
        [OutputRating(ai_tool=tool, rating=v, rated_on=on) for v in values]
    )


def test_accuracy_counts_survey_answers_and_ratings_together(tool):
    other = AIToolFactory(name="Code Assistant", status=AITool.Status.LIVE)
    quiet = AIToolFactory(name="Meeting Summariser")
    survey_answers(tool, CORRECT, CORRECT, INCORRECT, MOSTLY, MOSTLY)
    ratings(tool, CORRECT, CORRECT, MOSTLY, INCORRECT, MOSTLY)
    ratings(other, INCORRECT, CORRECT, INCORRECT, CORRECT, MOSTLY)
    # One answer is below its survey's floor (5): only the week of ratings counts.
    survey_answers(other, MOSTLY)
    # Not accuracy: a Likert answer naming no tool, and a blank accuracy answer.
    likert = QuestionFactory(kind=Question.Kind.LIKERT)
    response = response_in(closed_round(likert.survey, NOW))
    response.save()
    Answer.objects.create(response=response, question=likert, number=4)
    survey_answers(quiet, "")

    result = ai_accuracy()

    assert result == [
        ToolAccuracy(
            tool_id=other.pk,
            tool_name="Code Assistant",
            correct=2,
            mostly_correct=1,
            incorrect=2,
            from_surveys=0,
            from_ratings=5,
        ),
        ToolAccuracy(
            tool_id=tool.pk,
            tool_name="Support Copilot",
            correct=4,
            mostly_correct=4,
            incorrect=2,
            from_surveys=5,
            from_ratings=5,
        ),
    ]
    copilot = result[1]
    assert copilot.total == 10
    assert (
        copilot.correct_share,
        copilot.mostly_correct_share,
        copilot.incorrect_share,
    ) == (0.4, 0.4, 0.2)
    assert (copilot.correct_percent, copilot.incorrect_percent) == (40, 20)


def test_accuracy_can_be_cut_by_tool_and_by_day(tool):
    other = AIToolFactory(name="Code Assistant")
    survey_answers(tool, *[CORRECT] * 5, on=dt.date(2026, 2, 27))
    survey_answers(tool, *[INCORRECT] * 5, on=dt.date(2026, 3, 2))
    ratings(tool, *[MOSTLY] * 5, on=dt.date(2026, 3, 1))  # a Sunday
    ratings(tool, *[CORRECT] * 5, on=dt.date(2026, 3, 9))
    ratings(other, *[INCORRECT] * 5, on=dt.date(2026, 3, 2))

    [march] = accuracy_by_tool(
        Filters(tool=tool.pk, since=dt.date(2026, 3, 1), until=dt.date(2026, 3, 8))
    )
    by_id = accuracy_by_tool(Filters(tool=other.pk, until=dt.date(2026, 3, 1)))

    # Dates take whole rounds (by their start: not the one of 27 February) and
    # whole weeks of ratings (the week ending Sunday 1 March, all of it).
    assert (march["correct"], march["mostly_correct"], march["incorrect"]) == (
        0.0,
        50.0,
        50.0,
    )
    assert (march["n"], march["from_surveys"], march["from_ratings"]) == (10, 5, 5)
    assert by_id == []


def test_an_empty_result_has_zero_shares():
    empty = ToolAccuracy(tool_id=1, tool_name="Nothing yet")

    assert (empty.total, empty.correct_share, empty.incorrect_percent) == (0, 0.0, 0)


@pytest.mark.parametrize("tools", [1, 6])
def test_accuracy_takes_the_same_queries_whatever_the_number_of_tools(
    django_assert_num_queries, tools
):
    for _ in range(tools):
        tool = AIToolFactory()
        survey_answers(tool, CORRECT, MOSTLY, CORRECT, MOSTLY, CORRECT)
        ratings(tool, INCORRECT, CORRECT, MOSTLY, INCORRECT, CORRECT)

    # The rounds, their verdicts, whom the rounds asked about the tools (made by
    # hand, they kept nothing: the survey's tool questions now) and the units
    # they invited, the board's weekly counts, the raters of its weeks below the
    # floor (they count distinct people), the tools' names.
    with django_assert_num_queries(7):
        result = ai_accuracy()

    assert len(result) == tools
    assert {(r.total, r.from_surveys, r.from_ratings) for r in result} == {(10, 5, 5)}


def test_the_tools_page_shows_its_accuracy_once_there_are_enough_ratings(
    signed_in, employee, tool
):
    client = signed_in(employee)
    survey_answers(tool, CORRECT, MOSTLY)  # a round of 2: below its floor
    ratings(tool, CORRECT)  # a week of 1: waits for more
    few = client.get(page(tool)).content.decode()
    ratings(tool, MOSTLY, INCORRECT, CORRECT, MOSTLY)

    html = client.get(page(tool)).content.decode()

    # Fewer than the floor: no share and no count either ("3 ratings" is a
    # figure about 3 people).
    assert "Correct 40%" not in few and "ratings so far" not in few
    assert "5 ratings from surveys and people using it" in html
    for figure in ("Correct 40%", "Mostly correct 40%", "Incorrect 20%"):
        assert figure in html


def test_a_rating_posted_on_the_page_shows_in_its_figures_once_its_week_is_over(
    signed_in, employee, tool, time_machine
):
    time_machine.move_to(dt.datetime(2026, 3, 11, 12, tzinfo=dt.UTC), tick=False)
    ratings(tool, CORRECT, CORRECT, CORRECT, INCORRECT)  # last week's
    client = signed_in(employee)

    client.post(rate_url(tool), {"rating": INCORRECT})
    this_week = client.get(page(tool)).content.decode()
    time_machine.move_to(dt.datetime(2026, 3, 16, 9, tzinfo=dt.UTC), tick=False)
    html = client.get(page(tool)).content.decode()

    # While its week runs, a rating would single out whoever rated since the
    # last look; once it is over, the two weeks (4 + 1) make a cell of 5.
    assert OutputRating.objects.filter(rated_on=dt.date(2026, 3, 11)).count() == 1
    assert "Correct 75%" not in this_week and "Correct 60%" not in this_week
    assert "5 ratings from surveys" in html
    assert "Correct 60%" in html and "Incorrect 40%" in html


def test_a_note_with_a_null_character_is_refused_not_a_server_error(
    signed_in, employee, tool
):
    # PostgreSQL cannot store NUL in text; the service says so before it tries.
    response = signed_in(employee).post(
        reverse("feedback:rate_output", args=[tool.pk]),
        {"rating": Accuracy.CORRECT, "note": "fine\x00"},
    )

    assert response.status_code == 302
    assert not OutputRating.objects.exists()
    with pytest.raises(ValidationError, match="null character"):
        output_rate(
            ai_tool=tool, rating=Accuracy.CORRECT, note="\x00", by_user=employee.user
        )
