"""HR's comments page: free-text answers of closed rounds, listed by whole cells
of at least the comment threshold of commenters (so no two views single anyone
out), in a secret but stable order, dated by round only; and the survey and
question rules behind it."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dashboards.filters import Filters
from dashboards.metrics import comments as metrics
from surveys.models import Answer, Question, Survey
from tests.dashboards.helpers import closed_round, responses_in
from tests.dashboards.test_pages_overview import WEEK_1, WEEK_2, pulse_survey
from tests.org.factories import AIToolFactory, DepartmentFactory, TeamFactory
from tests.surveys.factories import QuestionFactory, RoundFactory, SurveyFactory
from tests.surveys.test_builder import question_data, survey_data

pytestmark = pytest.mark.django_db

URL = "/dashboards/comments/"
Kind = Question.Kind


def write(round_, team, question, count, *, prefix="Comment", tone=0.4):
    """`count` responses from `team`, each with one comment on `question`, in
    two queries; the texts are numbered in the order they were written."""
    responses = responses_in(round_, count, team=team, department_id=team.department_id)
    Answer.objects.bulk_create(
        Answer(
            response=response,
            question=question,
            text=f"{prefix} {number:03d}",
            sentiment=tone,
        )
        for number, response in enumerate(responses)
    )


def section(response, round_) -> str:
    match = re.search(
        rf'<section[^>]*data-testid="round-{round_.pk}".*?</section>',
        response.content.decode(),
        re.DOTALL,
    )
    return match.group(0) if match else ""


def texts(page: str) -> list[str]:
    found = re.findall(r'data-testid="comment-text">(.*?)</p>', page, re.DOTALL)
    return [html.unescape(text) for text in found]


def warnings_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


@pytest.fixture
def survey():
    """A pulse with the default comment threshold of 10 and a score floor of 3."""
    survey, questions = pulse_survey(comment_threshold=10)
    return survey, questions["comment"]


# --- Who sees it ---------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["leader", "employee"])
def test_only_hr_may_read_comments(request, persona, signed_in, survey):
    person = request.getfixturevalue(persona)
    team = TeamFactory(manager=person)
    write(closed_round(survey[0], WEEK_1), team, survey[1], 12)

    response = signed_in(person).get(URL)

    assert response.status_code == 403


def test_hr_finds_the_page_from_the_overview(hr, signed_in):
    response = signed_in(hr).get("/dashboards/")

    assert 'href="/dashboards/comments/"' in response.content.decode()


# --- The threshold and differencing --------------------------------------------------


def test_a_round_of_9_commenters_is_hidden_and_one_of_10_is_shown(
    hr, signed_in, survey
):
    survey, question = survey
    small = closed_round(survey, WEEK_1)
    large = closed_round(survey, WEEK_2)
    team = TeamFactory()
    write(small, team, question, 9, prefix="Small")
    write(large, team, question, 10, prefix="Large")

    response = signed_in(hr).get(URL)

    assert response.status_code == 200
    hidden, shown = section(response, small), section(response, large)
    assert "fewer than 10 comments" in hidden
    assert texts(hidden) == [] and "Small" not in hidden
    # (not " 9 ": the survey's title is numbered by the factory's sequence)
    assert not re.search(r"\b9 (?:people|person|comments?)\b", hidden)
    assert sorted(texts(shown)) == [f"Large {n:03d}" for n in range(10)]
    assert "10 people wrote a comment" in shown


def test_a_team_cut_lists_its_whole_cell_of_commenters_and_says_so(hr, signed_in):
    survey, questions = pulse_survey(comment_threshold=10)
    round_ = closed_round(survey, WEEK_1)
    department = DepartmentFactory()
    big = TeamFactory(name="Big", department=department)
    small = TeamFactory(name="Small", department=department)
    write(round_, big, questions["comment"], 12, prefix="Big")
    write(round_, small, questions["comment"], 2, prefix="Small")
    client = signed_in(hr)

    whole = client.get(URL)
    department_cut = client.get(f"{URL}?department={big.department_id}")
    cut = client.get(f"{URL}?team={big.pk}")
    small_cut = client.get(f"{URL}?team={small.pk}")

    # Side by side, 14 comments and Big's 12 alone would single out the other 2:
    # Small's commenters are one cell with Big's, listed whole under either team.
    assert len(texts(section(whole, round_))) == 14
    assert len(texts(section(department_cut, round_))) == 14
    for page, other in ((cut, "Small"), (small_cut, "Big")):
        shown = section(page, round_)
        assert len(texts(shown)) == 14
        assert f"14 people wrote a comment (with {other}, merged in" in shown
    assert "merged in" not in section(whole, round_)
    assert "12 people" not in cut.content.decode()


def test_each_round_needs_its_own_surveys_comment_threshold(hr, signed_in):
    lenient, questions = pulse_survey(min_group_size=3, comment_threshold=5)
    strict, strict_questions = pulse_survey(min_group_size=3, comment_threshold=20)
    round_ = closed_round(lenient, WEEK_1)
    strict_round = closed_round(strict, WEEK_1)
    write(round_, TeamFactory(), questions["comment"], 8)
    write(strict_round, TeamFactory(), strict_questions["comment"], 8)
    client = signed_in(hr)

    everything = client.get(URL)
    one_survey = client.get(f"{URL}?survey={lenient.pk}")

    # The page's text names the strictest threshold in view; each round's cells
    # are of its own survey's threshold.
    assert everything.context["threshold"] == 20
    assert one_survey.context["threshold"] == 5
    assert len(texts(section(everything, round_))) == 8
    assert len(texts(section(one_survey, round_))) == 8
    assert texts(section(everything, strict_round)) == []
    assert "fewer than 20 comments" in section(everything, strict_round)


def test_an_open_rounds_comments_wait_for_it_to_close(hr, signed_in, survey):
    survey, question = survey
    round_ = RoundFactory(survey=survey, starts_at=WEEK_1)
    write(round_, TeamFactory(), question, 12)

    response = signed_in(hr).get(URL)

    assert section(response, round_) == ""
    assert "No comments in this view yet" in response.content.decode()


# --- Order, dates, what each comment carries -----------------------------------------


def test_comments_are_not_in_the_order_written_and_stay_put_on_reload(
    hr, signed_in, survey
):
    survey, question = survey
    round_ = closed_round(survey, WEEK_1)
    write(round_, TeamFactory(), question, 40)
    client = signed_in(hr)

    first = texts(section(client.get(URL), round_))
    again = texts(section(client.get(URL), round_))

    written = [f"Comment {n:03d}" for n in range(40)]
    assert sorted(first) == written
    assert first != written and first != sorted(written, reverse=True)
    assert again == first


def test_no_response_date_appears_only_the_rounds(hr, signed_in, survey):
    survey, question = survey
    round_ = closed_round(survey, WEEK_1)
    # A response keeps no day at all; the page names the round only.
    write(round_, TeamFactory(), question, 10)

    page = signed_in(hr).get(URL).content.decode()

    assert "2 Mar 2026" in page
    for written in ("2026-03-05", "5 Mar 2026", "March 5", "Mar. 5"):
        assert written not in page


def test_each_comment_shows_its_sentiment_label_and_driver(hr, signed_in):
    survey = SurveyFactory(min_group_size=3, comment_threshold=10)
    question = QuestionFactory(survey=survey, kind=Kind.FREE_TEXT, driver="training")
    round_ = closed_round(survey, WEEK_1)
    team = TeamFactory()
    write(round_, team, question, 4, prefix="Glad", tone=0.6)
    write(round_, team, question, 3, prefix="Meh", tone=0.0)
    write(round_, team, question, 3, prefix="Sad", tone=-0.7)

    page = section(signed_in(hr).get(URL), round_)

    assert page.count("Positive") == 4
    assert page.count("Neutral") == 3
    assert page.count("Negative") == 3
    assert page.count(">Training</span>") == 10
    assert "-0.70" in page


def test_the_sentiment_filter_lists_only_that_tone_without_changing_the_count(
    hr, signed_in
):
    survey = SurveyFactory(min_group_size=3, comment_threshold=10)
    question = QuestionFactory(survey=survey, kind=Kind.FREE_TEXT, driver="")
    round_ = closed_round(survey, WEEK_1)
    write(round_, TeamFactory(), question, 8, prefix="Glad", tone=0.6)
    write(round_, TeamFactory(), question, 2, prefix="Sad", tone=-0.7)

    page = section(signed_in(hr).get(f"{URL}?tone=negative"), round_)

    assert sorted(texts(page)) == ["Sad 000", "Sad 001"]
    assert "10 people wrote a comment" in page


# --- The driver filter ---------------------------------------------------------------


def test_the_driver_filter_narrows_to_that_drivers_questions(hr, signed_in):
    survey = SurveyFactory(min_group_size=3, comment_threshold=10)
    training = QuestionFactory(survey=survey, kind=Kind.FREE_TEXT, driver="training")
    general = QuestionFactory(survey=survey, kind=Kind.FREE_TEXT, driver="")
    round_ = closed_round(survey, WEEK_1)
    team = TeamFactory()
    write(round_, team, training, 10, prefix="Course")
    write(round_, team, general, 10, prefix="Other")
    client = signed_in(hr)

    everything = texts(section(client.get(URL), round_))
    narrowed = client.get(f"{URL}?driver=training")

    assert len(everything) == 20
    assert sorted(texts(section(narrowed, round_))) == [
        f"Course {n:03d}" for n in range(10)
    ]
    assert narrowed.context["driver"] == "training"
    assert 'value="training" selected' in narrowed.content.decode()
    # The date and team form keeps the driver when applied.
    filters_form = re.search(
        r'<form[^>]*data-testid="filters".*?</form>', narrowed.content.decode(), re.S
    ).group(0)
    assert '<input type="hidden" name="driver" value="training">' in filters_form


def test_a_driver_with_few_comments_lists_them_from_the_shown_round(hr, signed_in):
    survey = SurveyFactory(min_group_size=3, comment_threshold=10)
    training = QuestionFactory(survey=survey, kind=Kind.FREE_TEXT, driver="training")
    general = QuestionFactory(survey=survey, kind=Kind.FREE_TEXT, driver="")
    round_ = closed_round(survey, WEEK_1)
    write(round_, TeamFactory(), training, 4, prefix="Course")
    write(round_, TeamFactory(), general, 10, prefix="Other")

    page = section(signed_in(hr).get(f"{URL}?driver=training"), round_)

    # The driver only chooses which of the round's 14 commenters' comments are
    # listed (each says its driver without the filter too): no count changes.
    assert sorted(texts(page)) == [f"Course {n:03d}" for n in range(4)]
    assert "14 people wrote a comment" in page


@pytest.mark.parametrize(
    "query, note",
    [
        ("driver=courage", "Ignored driver='courage'"),
        ("tone=furious", "Ignored tone='furious'"),
        ("team=abc", "Ignored team='abc'"),
    ],
)
def test_a_bad_filter_value_gives_a_message_not_an_error(
    hr, signed_in, survey, query, note
):
    survey, question = survey
    round_ = closed_round(survey, WEEK_1)
    write(round_, TeamFactory(), question, 10)

    response = signed_in(hr).get(f"{URL}?{query}")

    assert response.status_code == 200
    assert any(note in warning for warning in warnings_of(response))
    assert len(texts(section(response, round_))) == 10


def test_the_ai_tool_filter_is_removed_with_a_note(hr, signed_in, survey):
    tool = AIToolFactory()
    survey, question = survey
    round_ = closed_round(survey, WEEK_1)
    write(round_, TeamFactory(), question, 10)

    response = signed_in(hr).get(f"{URL}?tool={tool.pk}")

    assert any("AI tool filter was removed" in w for w in warnings_of(response))
    assert response.context["filters"].tool is None
    assert len(texts(section(response, round_))) == 10


def test_no_comments_gives_a_friendly_sentence(hr, signed_in):
    response = signed_in(hr).get(URL)

    assert response.status_code == 200
    assert "No comments in this view yet" in response.content.decode()


# --- Size and cost -------------------------------------------------------------------


def test_a_large_round_lists_at_most_the_cap_with_a_note(survey):
    survey, question = survey
    round_ = closed_round(survey, WEEK_1)
    write(round_, TeamFactory(), question, 15)

    [shown] = metrics.comment_rounds(Filters())
    metrics.fill_comments([shown], shuffle_key="k", limit=12)

    assert (len(shown.comments), shown.more, shown.n) == (12, 3, 15)


def test_rounds_are_read_three_a_page_newest_first(hr, signed_in, survey):
    survey_, question = survey
    team = TeamFactory()
    rounds = [closed_round(survey_, WEEK_1 + dt.timedelta(weeks=n)) for n in range(4)]
    for n, round_ in enumerate(rounds):
        write(round_, team, question, 10, prefix=f"Round {n}")
    client = signed_in(hr)

    first = client.get(URL)
    second = client.get(f"{URL}?page=2")

    assert [r.round for r in first.context["rounds"]] == [r.pk for r in rounds[:0:-1]]
    assert [r.round for r in second.context["rounds"]] == [rounds[0].pk]
    assert "Round 0 " not in first.content.decode()
    assert len(texts(section(second, rounds[0]))) == 10
    assert 'data-testid="pages"' in first.content.decode()


def test_the_query_count_does_not_grow_with_the_comments(hr, signed_in, survey):
    survey, question = survey
    rounds = [closed_round(survey, at) for at in (WEEK_1, WEEK_2)]
    team = TeamFactory()
    for round_ in rounds:
        write(round_, team, question, 10)
    client = signed_in(hr)
    url = f"{URL}?team={team.pk}&department={team.department_id}&tone=positive"

    with CaptureQueriesContext(connection) as small:
        client.get(URL)
    with CaptureQueriesContext(connection) as small_cut:
        client.get(url)
    for round_ in rounds:
        write(round_, TeamFactory(), question, 45)
        write(round_, team, question, 45)
        # A small sibling, merged into the team's cell: the cut says so.
        write(round_, TeamFactory(department=team.department), question, 2)
    with CaptureQueriesContext(connection) as large:
        response = client.get(URL)
    with CaptureQueriesContext(connection) as large_cut:
        cut = client.get(url)

    assert len(texts(section(response, rounds[0]))) == 102
    assert len(texts(section(cut, rounds[0]))) == 57
    assert "merged in to reach the floor" in section(cut, rounds[0])
    # 13 today; at most the two of reading team and department names more,
    # which a page needs once a cell it shows merges teams.
    assert len(large) == len(small) <= 15
    assert len(large_cut) == len(small_cut) <= 15


# --- The rules behind it -------------------------------------------------------------


def test_the_comment_threshold_cannot_go_below_three_in_forms_or_the_database():
    survey = SurveyFactory.build(min_group_size=3, comment_threshold=2)

    with pytest.raises(ValidationError) as error:
        survey.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        survey.save()

    assert "cannot be below 3" in error.value.message_dict["comment_threshold"][0]
    assert not Survey.objects.exists()


def test_the_comment_threshold_cannot_be_below_the_smallest_group_shown():
    survey = SurveyFactory.build(min_group_size=8, comment_threshold=6)

    with pytest.raises(ValidationError) as error:
        survey.full_clean()

    [message] = error.value.message_dict["comment_threshold"]
    assert "cannot be below the smallest group shown (8)" in message


def test_the_comment_threshold_may_rise_but_not_fall_once_a_round_opened():
    survey = SurveyFactory(comment_threshold=12)
    RoundFactory(survey=survey)

    survey.comment_threshold = 10
    with pytest.raises(ValidationError) as error:
        survey.full_clean()
    survey.comment_threshold = 15
    survey.full_clean()

    assert (
        "cannot be lowered below 12" in error.value.message_dict["comment_threshold"][0]
    )


def test_hr_sets_the_comment_threshold_in_the_builder(hr, signed_in):
    client = signed_in(hr)
    url = reverse("surveys:survey_create")

    refused = client.post(url, survey_data(min_group_size=8, comment_threshold=6))
    saved = client.post(url, survey_data(min_group_size=8, comment_threshold=12))

    assert "comment_threshold" in refused.context["form"].errors
    assert saved.status_code == 302
    assert Survey.objects.get().comment_threshold == 12


def test_a_free_text_question_gets_a_driver_in_the_builder(hr, signed_in):
    survey = SurveyFactory()

    response = signed_in(hr).post(
        reverse("surveys:question_create", args=[survey.pk]),
        question_data(kind="free_text", driver="training", required=""),
    )

    assert response.status_code == 302
    assert survey.questions.get().driver == "training"


def test_a_survey_has_a_comment_threshold_of_10_by_default():
    survey = SurveyFactory()

    survey.full_clean()

    assert Survey.objects.get().comment_threshold == 10


@pytest.mark.parametrize("kind", [Kind.LIKERT, Kind.FREE_TEXT])
def test_agreement_and_free_text_questions_may_name_a_driver(kind):
    question = QuestionFactory.build(survey=SurveyFactory(), kind=kind, driver="trust")

    question.full_clean()


def test_other_questions_may_not_name_a_driver():
    question = QuestionFactory.build(
        survey=SurveyFactory(), kind=Kind.ENPS, driver="trust"
    )

    with pytest.raises(ValidationError) as error:
        question.full_clean()

    assert error.value.message_dict["driver"] == [
        "A driver applies only to agreement (1 to 5) or free-text questions: clear it."
    ]
