"""HR builds, edits, reorders and previews surveys on its own pages."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from org.models import AITool, Person
from surveys.library import TEMPLATES
from surveys.models import Answer, Question, Response, Survey
from surveys.services import builder
from surveys.services.rounds import questions_asked_in
from tests.forms import browser_submission, shown_inputs
from tests.org.factories import (
    AIToolFactory,
    CustomerFactory,
    DepartmentFactory,
    PersonFactory,
    TeamFactory,
)
from tests.surveys.factories import (
    InvitationFactory,
    QuestionFactory,
    RoundFactory,
    SurveyFactory,
)

pytestmark = pytest.mark.django_db

Kind = Question.Kind


def survey_data(**overrides: object) -> dict[str, object]:
    data = {
        "title": "AI rollout pulse",
        "intro": "Two minutes on the AI tools.",
        "audience": "employees",
        "segments": "",
        "privacy": "anonymous",
        "min_group_size": 5,
        "cadence": "weekly",
        "first_date": "2026-03-02",
        "weekday": 0,
        "start_time": "09:00",
        "open_days": 5,
        "reminder_count": 3,
        "reminder_interval_days": 2,
    }
    return {**data, **overrides}


def question_data(**overrides: object) -> dict[str, object]:
    data = {
        "kind": "likert",
        "text": "I understand why we use AI.",
        "help_text": "",
        "driver": "clarity",
        "required": "on",
        "choices": "",
        "max_hours": 40,
        "ai_tool": "",
    }
    return {**data, **overrides}


def answer(question: Question, **values: object) -> Answer:
    """An answer to `question` in a new response, as respondents leave them: in
    a round that asked it (marked so, as the scheduler marks a round's questions
    when it opens)."""
    round_ = question.survey.rounds.first() or RoundFactory(survey=question.survey)
    questions_asked_in(round_)
    question.refresh_from_db()
    response = Response.objects.create(round=round_)
    return Answer.objects.create(response=response, question=question, **values)


def form_errors(response, field: str) -> list[str]:
    return response.context["form"].errors.get(field, [])


def flash(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def positions(survey: Survey) -> list[tuple[str, int]]:
    return list(survey.questions.order_by("position").values_list("text", "position"))


# --- Who may open the pages -------------------------------------------------------


@pytest.fixture
def objects(db):
    question = QuestionFactory()
    return {"survey": question.survey.pk, "question": question.pk}


PAGES = [
    ("surveys:survey_list", None, "get"),
    ("surveys:survey_from_template", None, "get"),
    ("surveys:survey_create", None, "get"),
    ("surveys:survey_detail", "survey", "get"),
    ("surveys:survey_edit", "survey", "get"),
    ("surveys:survey_preview", "survey", "get"),
    ("surveys:question_create", "survey", "get"),
    ("surveys:question_edit", "question", "get"),
    ("surveys:question_delete", "question", "get"),
    ("surveys:question_move", "question", "post"),
]


def url_of(name: str, target: str | None, objects: dict[str, int]) -> str:
    return reverse(name, args=[objects[target]] if target else [])


@pytest.mark.parametrize(("name", "target", "method"), PAGES)
def test_an_anonymous_visitor_is_sent_to_sign_in(client, objects, name, target, method):
    url = url_of(name, target, objects)

    response = getattr(client, method)(url, {"direction": "up"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("persona", ["employee", "leader"])
@pytest.mark.parametrize(("name", "target", "method"), PAGES)
def test_employees_and_leaders_are_refused(
    request, signed_in, objects, persona, name, target, method
):
    client = signed_in(request.getfixturevalue(persona))

    response = getattr(client, method)(
        url_of(name, target, objects), {"direction": "up"}
    )

    assert response.status_code == 403


@pytest.mark.parametrize(("name", "target", "method"), PAGES)
def test_hr_opens_every_page(signed_in, hr, objects, name, target, method):
    client = signed_in(hr)

    response = getattr(client, method)(
        url_of(name, target, objects), {"direction": "down"}
    )

    assert response.status_code == (302 if method == "post" else 200)


@pytest.mark.parametrize(
    "post",
    [
        ("surveys:survey_create", None, survey_data()),
        ("surveys:survey_edit", "survey", survey_data(title="Renamed")),
        ("surveys:question_create", "survey", question_data()),
        ("surveys:question_delete", "question", {}),
        (
            "surveys:survey_from_template",
            None,
            {"template": "customer-trust", "first_date": "2026-03-02"},
        ),
    ],
)
def test_an_employee_changes_nothing_by_posting(signed_in, employee, objects, post):
    name, target, data = post
    before = (Survey.objects.count(), Question.objects.count())

    response = signed_in(employee).post(url_of(name, target, objects), data)

    assert response.status_code == 403
    assert (Survey.objects.count(), Question.objects.count()) == before
    assert not Survey.objects.filter(title="Renamed").exists()


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("surveys:survey_detail", "get"),
        ("surveys:survey_edit", "get"),
        ("surveys:survey_preview", "get"),
        ("surveys:question_create", "get"),
        ("surveys:question_edit", "get"),
        ("surveys:question_delete", "post"),
        ("surveys:question_move", "post"),
    ],
)
def test_an_unknown_id_is_not_found(signed_in, hr, name, method):
    response = getattr(signed_in(hr), method)(
        reverse(name, args=[987654]), {"direction": "up"}
    )

    assert response.status_code == 404


def test_the_nav_bar_offers_surveys_to_hr_only(signed_in, hr, employee):
    hr_page = signed_in(hr).get(reverse("home")).content.decode()
    employee_page = signed_in(employee).get(reverse("home")).content.decode()

    assert f'href="{reverse("surveys:survey_list")}"' in hr_page
    assert f'href="{reverse("surveys:survey_list")}"' not in employee_page


def test_a_change_needs_post_with_a_csrf_token(hr):
    client = Client(enforce_csrf_checks=True)
    client.force_login(hr.user)
    question = QuestionFactory()

    response = client.post(reverse("surveys:question_delete", args=[question.pk]), {})

    assert response.status_code == 403
    assert Question.objects.filter(pk=question.pk).exists()


def test_moving_by_get_is_not_allowed(signed_in, hr):
    question = QuestionFactory()

    response = signed_in(hr).get(
        reverse("surveys:question_move", args=[question.pk]) + "?direction=down"
    )

    assert response.status_code == 405


# --- The list ---------------------------------------------------------------------


def test_the_list_shows_each_survey_with_its_latest_round(signed_in, hr):
    followed = SurveyFactory(title="Followed", min_group_size=3)
    QuestionFactory.create_batch(2, survey=followed)
    RoundFactory(survey=followed, starts_at=dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC))
    latest = RoundFactory(
        survey=followed, starts_at=dt.datetime(2026, 3, 9, 9, tzinfo=dt.UTC)
    )
    sent = dt.datetime(2026, 3, 9, 9, 5, tzinfo=dt.UTC)
    InvitationFactory.create_batch(2, round=latest, sent_at=sent, answered=True)
    InvitationFactory.create_batch(2, round=latest, sent_at=sent)
    small = SurveyFactory(
        title="Small", audience="customers", status=Survey.Status.PAUSED
    )
    InvitationFactory.create_batch(2, round=RoundFactory(survey=small), sent_at=sent)
    SurveyFactory(title="Unsent")

    page = signed_in(hr).get(reverse("surveys:survey_list")).content.decode()
    rows = {
        re.search(r">([^<]+)</a></th>", row).group(1): re.sub(r"\s+", " ", row)
        for row in page.split("<tr>")[2:]
    }

    assert "Employees" in rows["Followed"]
    assert "<td>2</td>" in rows["Followed"]
    assert "9 Mar 2026" in rows["Followed"]
    assert "4 sent, 2 answered, 50%" in rows["Followed"]
    assert "Customers" in rows["Small"]
    assert ">Paused</span>" in rows["Small"]
    assert ">Scheduled</span>" in rows["Followed"]
    assert "hidden: fewer than 5 invited" in rows["Small"]
    assert "2 sent" not in rows["Small"]
    assert "No round yet" in rows["Unsent"]
    for template in TEMPLATES.values():
        assert f"New from template: {template.title}" in page


def test_the_list_costs_the_same_queries_for_one_survey_or_many(signed_in, hr):
    client = signed_in(hr)
    RoundFactory(survey=QuestionFactory().survey)
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("surveys:survey_list"))
    for _ in range(4):
        InvitationFactory(round=RoundFactory(survey=QuestionFactory().survey))

    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("surveys:survey_list"))

    assert len(response.context["rows"]) == 5
    assert len(many) == len(one)


# --- From a template --------------------------------------------------------------


@pytest.mark.parametrize("key", list(TEMPLATES))
def test_hr_creates_a_survey_from_each_template(signed_in, hr, key):
    AIToolFactory(name="Copilot", status=AITool.Status.LIVE)
    AIToolFactory(name="Pilot only")  # not live: no questions about it
    template = TEMPLATES[key]

    response = signed_in(hr).post(
        reverse("surveys:survey_from_template"),
        {"template": key, "first_date": "2026-04-06"},
    )

    survey = Survey.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("surveys:survey_detail", args=[survey.pk])
    assert survey.title == template.title
    assert survey.status == Survey.Status.DRAFT  # nothing goes out by accident
    assert survey.first_date == dt.date(2026, 4, 6)
    assert survey.created_by == hr
    per_tool = 2 if template.per_tool else 0
    assert survey.questions.count() == len(template.questions) + per_tool
    assert list(survey.questions.values_list("position", flat=True)) == list(
        range(1, survey.questions.count() + 1)
    )


def test_the_template_form_preselects_the_template_from_the_list(signed_in, hr):
    response = signed_in(hr).get(
        reverse("surveys:survey_from_template"), {"key": "customer-trust"}
    )

    assert response.context["form"]["template"].value() == "customer-trust"
    assert 'value="customer-trust" selected' in response.content.decode()


@time_machine.travel(dt.datetime(2026, 11, 30, 10, 0, tzinfo=dt.UTC), tick=False)
def test_the_template_form_shows_today_in_the_date_picker(signed_in, hr):
    client = signed_in(hr)
    page = client.get(reverse("surveys:survey_from_template"))

    # A browser shows a type="date" input only when its value is yyyy-mm-dd.
    assert shown_inputs(page.content.decode(), "date") == [("first_date", "2026-11-30")]
    response = client.post(
        reverse("surveys:survey_from_template"),
        browser_submission(page.content.decode()),
    )

    assert response.status_code == 302
    assert Survey.objects.get().first_date == dt.date(2026, 11, 30)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"template": "no-such-template", "first_date": "2026-04-06"}, "template"),
        ({"template": "customer-trust", "first_date": "next week"}, "first_date"),
        ({"template": "customer-trust"}, "first_date"),
    ],
)
def test_a_bad_template_request_saves_nothing(signed_in, hr, data, field):
    response = signed_in(hr).post(reverse("surveys:survey_from_template"), data)

    assert response.status_code == 200
    assert form_errors(response, field)
    assert not Survey.objects.exists()
    assert not Question.objects.exists()


# --- Creating and editing a survey ------------------------------------------------


def test_hr_creates_an_employee_survey_for_some_teams(signed_in, hr):
    team = TeamFactory(name="Support")
    department = DepartmentFactory(name="Sales")

    response = signed_in(hr).post(
        reverse("surveys:survey_create"),
        survey_data(departments=[department.pk], teams=[team.pk], cadence="biweekly"),
    )

    survey = Survey.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("surveys:survey_detail", args=[survey.pk])
    assert survey.title == "AI rollout pulse"
    assert survey.cadence == "biweekly"
    assert survey.start_time == dt.time(9, 0)
    assert survey.created_by == hr
    assert list(survey.departments.all()) == [department]
    assert list(survey.teams.all()) == [team]
    assert survey.segments == []


def test_hr_creates_a_customer_survey_for_known_segments(signed_in, hr):
    CustomerFactory(segment="Enterprise")
    CustomerFactory(segment="SMB")

    response = signed_in(hr).post(
        reverse("surveys:survey_create"),
        survey_data(audience="customers", segments=" SMB, Enterprise,, SMB "),
    )

    assert response.status_code == 302
    assert Survey.objects.get().segments == ["SMB", "Enterprise"]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"audience": "customers", "departments": "department"},
            "departments",
            "Departments apply only to employee surveys",
        ),
        (
            {"audience": "customers", "teams": "team"},
            "teams",
            "Teams apply only to employee surveys",
        ),
        (
            {"audience": "employees", "segments": "Enterprise"},
            "segments",
            "Segments apply only to customer surveys",
        ),
        (
            {"audience": "customers", "segments": "Enterprise, Retail"},
            "segments",
            "Unknown segment: Retail. Known segments: Enterprise.",
        ),
        ({"min_group_size": 2}, "min_group_size", "greater than or equal to 3"),
        ({"reminder_count": 4}, "reminder_count", "less than or equal to 3"),
        ({"open_days": 0}, "open_days", "greater than or equal to 1"),
        ({"title": ""}, "title", "This field is required."),
        ({"first_date": "soon"}, "first_date", "Enter a valid date."),
    ],
)
def test_a_bad_survey_is_refused_with_a_clear_error_and_nothing_saved(
    signed_in, hr, overrides, field, message
):
    CustomerFactory(segment="Enterprise")
    targets = {"department": DepartmentFactory().pk, "team": TeamFactory().pk}
    data = survey_data(
        **{key: targets.get(value, value) for key, value in overrides.items()}
    )

    response = signed_in(hr).post(reverse("surveys:survey_create"), data)

    assert response.status_code == 200
    assert any(message in error for error in form_errors(response, field))
    assert f'id="error_1_id_{field}"' in response.content.decode()
    assert not Survey.objects.exists()


def test_a_fortnightly_survey_reads_every_two_weeks_on_every_page(signed_in, hr):
    survey = SurveyFactory(title="Fortnightly", cadence="biweekly")
    client = signed_in(hr)

    pages = [
        client.get(reverse("surveys:survey_create")).content.decode(),
        client.get(reverse("surveys:survey_edit", args=[survey.pk])).content.decode(),
        client.get(reverse("surveys:survey_detail", args=[survey.pk])).content.decode(),
        client.get(reverse("surveys:survey_list")).content.decode(),
    ]

    assert all("Every two weeks" in page for page in pages)
    assert not any("Biweekly" in page for page in pages)
    assert '<option value="biweekly" selected>Every two weeks</option>' in pages[1]


@time_machine.travel(dt.datetime(2026, 11, 30, 10, 0, tzinfo=dt.UTC), tick=False)
def test_the_new_survey_form_saves_as_a_browser_sends_it(signed_in, hr):
    client = signed_in(hr)
    page = client.get(reverse("surveys:survey_create"))
    html = page.content.decode()

    assert page.context["form"]["segments"].value() == ""
    assert shown_inputs(html, "date") == [("first_date", "2026-11-30")]
    assert shown_inputs(html, "time") == [("start_time", "09:00")]
    response = client.post(
        reverse("surveys:survey_create"),
        browser_submission(html, title="AI rollout pulse"),
    )

    survey = Survey.objects.get()
    assert response.status_code == 302
    assert survey.audience == "employees"
    assert survey.segments == []
    assert survey.first_date == dt.date(2026, 11, 30)


def test_the_edit_form_shows_its_dates_in_the_date_picker(signed_in, hr):
    survey = SurveyFactory(first_date=dt.date(2026, 3, 2), start_time=dt.time(8, 30))

    page = signed_in(hr).get(reverse("surveys:survey_edit", args=[survey.pk]))

    assert shown_inputs(page.content.decode(), "date") == [("first_date", "2026-03-02")]
    assert shown_inputs(page.content.decode(), "time") == [("start_time", "08:30")]


def test_hr_edits_a_survey_and_clears_its_teams(signed_in, hr):
    survey = SurveyFactory(title="Pulse")
    survey.teams.set([TeamFactory()])

    response = signed_in(hr).post(
        reverse("surveys:survey_edit", args=[survey.pk]),
        survey_data(title="Pulse, renamed", min_group_size=7),
    )

    survey.refresh_from_db()
    assert response.status_code == 302
    assert survey.title == "Pulse, renamed"
    assert survey.min_group_size == 7
    assert not survey.teams.exists()


def test_the_edit_form_shows_segments_as_text(signed_in, hr):
    survey = SurveyFactory(audience="customers", segments=["Enterprise", "SMB"])

    response = signed_in(hr).get(reverse("surveys:survey_edit", args=[survey.pk]))

    assert response.context["form"]["segments"].value() == "Enterprise, SMB"


def test_moving_a_customer_survey_to_employees_must_clear_its_segments(signed_in, hr):
    CustomerFactory(segment="Enterprise")
    survey = SurveyFactory(audience="customers", segments=["Enterprise"])

    response = signed_in(hr).post(
        reverse("surveys:survey_edit", args=[survey.pk]),
        survey_data(audience="employees", segments="Enterprise"),
    )

    survey.refresh_from_db()
    assert form_errors(response, "segments")
    assert survey.audience == "customers"


def test_the_anonymity_floor_cannot_be_lowered_once_a_round_opened(signed_in, hr):
    survey = SurveyFactory(min_group_size=6)
    title = survey.title
    RoundFactory(survey=survey)

    response = signed_in(hr).post(
        reverse("surveys:survey_edit", args=[survey.pk]),
        survey_data(title="Renamed", min_group_size=5),
    )

    survey.refresh_from_db()
    assert response.status_code == 200
    assert any(
        "cannot be lowered below 6" in error
        for error in form_errors(response, "min_group_size")
    )
    assert f"Edit {survey.title}</h1>" in response.content.decode()
    assert (survey.min_group_size, survey.title) == (6, title)


def test_the_anonymity_floor_may_still_rise_after_a_round(signed_in, hr):
    survey = SurveyFactory(min_group_size=6)
    RoundFactory(survey=survey)

    signed_in(hr).post(
        reverse("surveys:survey_edit", args=[survey.pk]),
        survey_data(min_group_size=8),
    )

    survey.refresh_from_db()
    assert survey.min_group_size == 8


@override_settings(TIME_ZONE="Europe/London")
def test_the_form_says_times_are_in_the_organisations_time_zone(signed_in, hr):
    response = signed_in(hr).get(reverse("surveys:survey_create"))

    form = response.context["form"]
    assert "Europe/London" in form.fields["start_time"].help_text
    assert "Europe/London" in response.content.decode()


# --- Questions --------------------------------------------------------------------


def test_a_new_question_goes_to_the_end(signed_in, hr):
    survey = SurveyFactory()
    QuestionFactory(survey=survey, position=1, text="First")
    QuestionFactory(survey=survey, position=2, text="Second")

    response = signed_in(hr).post(
        reverse("surveys:question_create", args=[survey.pk]),
        question_data(text="Third", required=""),
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("surveys:survey_detail", args=[survey.pk])
    assert positions(survey) == [("First", 1), ("Second", 2), ("Third", 3)]
    third = survey.questions.get(text="Third")
    assert (third.kind, third.driver, third.required) == ("likert", "clarity", False)


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        (
            {
                "kind": "single_choice",
                "driver": "",
                "choices": "Daily\r\n\r\n Weekly \n",
            },
            {"choices": ["Daily", "Weekly"]},
        ),
        (
            {"kind": "hours_saved", "driver": "", "max_hours": 20, "ai_tool": "tool"},
            {"max_hours": 20, "ai_tool": "tool"},
        ),
        ({"kind": "hours_saved", "driver": ""}, {"ai_tool": None}),
        ({"kind": "ai_accuracy", "driver": "", "ai_tool": "tool"}, {"ai_tool": "tool"}),
        ({"kind": "free_text", "driver": "", "required": ""}, {"required": False}),
        ({"kind": "enps", "driver": ""}, {"driver": ""}),
        ({"kind": "csat", "driver": ""}, {"driver": ""}),
        ({"kind": "likert", "driver": ""}, {"driver": ""}),
    ],
)
def test_hr_adds_a_question_of_each_kind(signed_in, hr, overrides, expected):
    survey = SurveyFactory()
    tool = AIToolFactory()
    swap = {"tool": tool.pk}
    data = question_data(**{k: swap.get(v, v) for k, v in overrides.items()})

    response = signed_in(hr).post(
        reverse("surveys:question_create", args=[survey.pk]), data
    )

    assert response.status_code == 302
    question = survey.questions.get()
    assert question.kind == overrides["kind"]
    for field, value in expected.items():
        assert getattr(question, field) == (tool if value == "tool" else value)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"kind": "single_choice", "driver": "", "choices": "Only one"},
            "choices",
            "at least 2 choices",
        ),
        (
            {"kind": "single_choice", "driver": "", "choices": "Yes\n" + "n" * 201},
            "choices",
            "Choice 2 is 201 characters long",
        ),
        (
            {"kind": "single_choice", "driver": "", "choices": "Yes\nNo\nyes"},
            "choices",
            "“yes” appears twice",
        ),
        (
            {"kind": "likert", "choices": "Yes\nNo"},
            "choices",
            "Choices apply only to single-choice questions",
        ),
        ({"kind": "enps"}, "driver", "A driver applies only to agreement"),
        (
            {"kind": "ai_accuracy", "driver": ""},
            "ai_tool",
            "must name the AI tool",
        ),
        (
            {"kind": "free_text", "driver": "", "ai_tool": "tool"},
            "ai_tool",
            "Only accuracy, hours-saved and satisfaction questions name an AI tool",
        ),
        (
            {"kind": "hours_saved", "driver": "", "max_hours": 81},
            "max_hours",
            "less than or equal to 80",
        ),
        ({"text": ""}, "text", "This field is required."),
        ({"kind": "essay"}, "kind", "Select a valid choice."),
    ],
)
def test_a_bad_question_is_refused_with_a_clear_error_and_nothing_saved(
    signed_in, hr, overrides, field, message
):
    survey = SurveyFactory()
    tool = AIToolFactory()
    data = question_data(
        **{k: tool.pk if v == "tool" else v for k, v in overrides.items()}
    )

    response = signed_in(hr).post(
        reverse("surveys:question_create", args=[survey.pk]), data
    )

    assert response.status_code == 200
    assert any(message in error for error in form_errors(response, field))
    assert not response.context["form"].non_field_errors()
    assert f'id="error_1_id_{field}"' in response.content.decode()
    assert not Question.objects.exists()


def test_every_rule_a_question_breaks_is_shown_at_once(signed_in, hr):
    survey = SurveyFactory()

    response = signed_in(hr).post(
        reverse("surveys:question_create", args=[survey.pk]),
        question_data(kind="ai_accuracy", driver="trust", choices="A\nA"),
    )

    assert set(response.context["form"].errors) == {"driver", "choices", "ai_tool"}
    assert not Question.objects.exists()


def test_hr_edits_a_question(signed_in, hr):
    question = QuestionFactory(position=1)

    response = signed_in(hr).post(
        reverse("surveys:question_edit", args=[question.pk]),
        question_data(kind="single_choice", driver="", choices="Yes\nNo"),
    )

    question.refresh_from_db()
    assert response.status_code == 302
    assert (question.kind, question.choices, question.position) == (
        "single_choice",
        ["Yes", "No"],
        1,
    )


def test_the_edit_form_shows_choices_one_per_line(signed_in, hr):
    question = QuestionFactory(kind="single_choice", driver="", choices=["Yes", "No"])

    response = signed_in(hr).get(reverse("surveys:question_edit", args=[question.pk]))

    assert response.context["form"]["choices"].value() == "Yes\nNo"


def test_an_answered_question_cannot_change_kind(signed_in, hr):
    question = QuestionFactory(kind="likert", text="Old wording")
    answer(question, number=3)

    response = signed_in(hr).post(
        reverse("surveys:question_edit", args=[question.pk]),
        question_data(kind="enps", driver="", text="New wording"),
    )

    question.refresh_from_db()
    assert response.status_code == 200
    assert any(
        "has been asked in a round, so its kind cannot change" in error
        for error in form_errors(response, "kind")
    )
    assert (question.kind, question.text) == ("likert", "Old wording")


def test_an_answered_question_may_still_be_reworded(signed_in, hr):
    question = QuestionFactory(kind="likert", driver="trust")
    answer(question, number=3)

    response = signed_in(hr).post(
        reverse("surveys:question_edit", args=[question.pk]),
        question_data(kind="likert", driver="trust", text="Clearer wording"),
    )

    question.refresh_from_db()
    assert response.status_code == 302
    assert question.text == "Clearer wording"


def test_an_unanswered_question_may_change_kind(signed_in, hr):
    question = QuestionFactory(kind="likert")

    signed_in(hr).post(
        reverse("surveys:question_edit", args=[question.pk]),
        question_data(kind="free_text", driver=""),
    )

    question.refresh_from_db()
    assert question.kind == "free_text"


# --- Deleting and reordering ------------------------------------------------------


def test_hr_deletes_an_unanswered_question_and_the_rest_close_up(signed_in, hr):
    survey = SurveyFactory()
    first, middle, last = (
        QuestionFactory(survey=survey, position=n, text=t)
        for n, t in [(1, "First"), (2, "Middle"), (3, "Last")]
    )
    client = signed_in(hr)
    url = reverse("surveys:question_delete", args=[middle.pk])
    assert "Delete question</button>" in client.get(url).content.decode()

    response = client.post(url)

    assert response.status_code == 302
    assert "Question deleted." in flash(response)
    assert positions(survey) == [("First", 1), ("Last", 2)]


def test_an_answered_question_cannot_be_deleted(signed_in, hr):
    question = QuestionFactory()
    answer(question, number=4)
    client = signed_in(hr)
    url = reverse("surveys:question_delete", args=[question.pk])
    confirm = client.get(url).content.decode()

    response = client.post(url)

    assert "cannot be deleted" in confirm
    assert "Delete question</button>" not in confirm
    assert response.status_code == 302
    assert any("cannot be deleted" in message for message in flash(response))
    assert Question.objects.filter(pk=question.pk).exists()
    assert Answer.objects.filter(question=question).count() == 1


@pytest.fixture
def three(db):
    survey = SurveyFactory()
    # Positions as the admin may leave them: gaps and ties, ordered by position, id.
    for position, text in [(5, "A"), (5, "B"), (9, "C")]:
        QuestionFactory(survey=survey, position=position, text=text)
    return survey


@pytest.mark.parametrize(
    ("text", "direction", "expected"),
    [
        ("B", "up", ["B", "A", "C"]),
        ("B", "down", ["A", "C", "B"]),
        ("A", "down", ["B", "A", "C"]),
        ("C", "up", ["A", "C", "B"]),
    ],
)
def test_hr_moves_a_question_and_positions_become_1_to_n(
    signed_in, hr, three, text, direction, expected
):
    question = three.questions.get(text=text)

    response = signed_in(hr).post(
        reverse("surveys:question_move", args=[question.pk]), {"direction": direction}
    )

    assert response.status_code == 302
    assert response["Location"].endswith(f"#question-{question.pk}")
    assert positions(three) == [(t, n) for n, t in enumerate(expected, start=1)]


@pytest.mark.parametrize(
    ("text", "direction", "message"),
    [
        ("A", "up", "already the first"),
        ("C", "down", "already the last"),
        ("B", "sideways", "up or down"),
    ],
)
def test_a_move_that_cannot_happen_says_why_and_changes_nothing(
    signed_in, hr, three, text, direction, message
):
    question = three.questions.get(text=text)
    before = positions(three)

    response = signed_in(hr).post(
        reverse("surveys:question_move", args=[question.pk]), {"direction": direction}
    )

    assert any(message in m for m in flash(response))
    assert positions(three) == before


def test_the_detail_page_shows_settings_questions_and_rounds(signed_in, hr):
    survey = SurveyFactory(title="Pulse", min_group_size=3)
    survey.teams.set([TeamFactory(name="Support")])
    answered = QuestionFactory(survey=survey, position=1, text="Answered one")
    older = RoundFactory(
        survey=survey, starts_at=dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
    )
    newer = RoundFactory(
        survey=survey, starts_at=dt.datetime(2026, 3, 9, 9, tzinfo=dt.UTC)
    )
    answer(answered, number=5)
    QuestionFactory(survey=survey, position=2, text="Fresh one")  # asked by none
    sent = dt.datetime(2026, 3, 9, 9, 5, tzinfo=dt.UTC)
    InvitationFactory.create_batch(3, round=newer, sent_at=sent, answered=True)

    response = signed_in(hr).get(reverse("surveys:survey_detail", args=[survey.pk]))
    page = response.content.decode()

    assert [p.round for p in response.context["participations"]] == [newer, older]
    assert "3 sent, 3 answered, 100%" in page
    assert "Support" in page
    assert page.index("Answered one") < page.index("Fresh one")
    assert page.count("Delete</a>") == 1  # only the question no round asked
    assert page.count("asked in a round") == 1
    assert page.count('name="direction" value="up"') == 1
    assert page.count('name="direction" value="down"') == 1
    assert reverse("surveys:survey_preview", args=[survey.pk]) in page


# --- Preview ----------------------------------------------------------------------


def test_the_preview_shows_every_kind_in_a_disabled_form(signed_in, hr):
    survey = SurveyFactory(intro="Thanks for your time.")
    tool = AIToolFactory(name="Drafter")
    specs = [
        {"kind": Kind.LIKERT, "text": "Likert question"},
        {"kind": Kind.ENPS, "text": "Recommend question", "driver": ""},
        {"kind": Kind.CSAT, "text": "Satisfaction question", "driver": ""},
        {
            "kind": Kind.HOURS_SAVED,
            "text": "Hours question",
            "driver": "",
            "max_hours": 12,
        },
        {
            "kind": Kind.AI_ACCURACY,
            "text": "Accuracy question",
            "driver": "",
            "ai_tool": tool,
        },
        {
            "kind": Kind.SINGLE_CHOICE,
            "text": "Choice question",
            "driver": "",
            "choices": ["Often", "Rarely"],
        },
        {
            "kind": Kind.FREE_TEXT,
            "text": "Free question",
            "driver": "",
            "required": False,
        },
    ]
    for position, spec in enumerate(specs, start=1):
        QuestionFactory(survey=survey, position=position, **spec)

    response = signed_in(hr).get(reverse("surveys:survey_preview", args=[survey.pk]))
    page = response.content.decode()

    assert "Preview: answers are not saved" in page
    assert "<fieldset disabled>" in page
    assert 'method="post"' not in page.split('data-testid="preview"')[1]
    form = response.context["form"]
    assert {question.kind for question in form.questions.values()} == set(Kind)
    for label in (
        "Strongly disagree",
        "Strongly agree",
        "Very dissatisfied",
        "Very satisfied",
        "Mostly correct",
        "Incorrect",
        "Often",
        "Rarely",
    ):
        assert label in page
    enps = next(q for q in form.questions.values() if q.kind == Kind.ENPS)
    assert [value for value, _ in form.fields[f"q{enps.pk}"].choices] == list(range(11))
    assert 'type="number"' in page and 'max="12"' in page
    assert "<textarea" in page
    assert "Thanks for your time." in page
    assert page.index("Likert question") < page.index("Free question")


# --- Pages stay within a strict Content-Security-Policy ---------------------------


def test_no_page_uses_inline_script_or_style(signed_in, hr, objects):
    client = signed_in(hr)
    QuestionFactory(
        survey_id=objects["survey"], kind="single_choice", driver="", choices=["a", "b"]
    )

    for name, target, method in PAGES:
        if method != "get":
            continue
        page = client.get(url_of(name, target, objects)).content.decode()
        assert not re.search(r"<script(?![^>]*\ssrc=)", page), name
        assert " style=" not in page and "<style" not in page, name
        assert not re.search(r"\son[a-z]+=", page), name


# --- The rules hold for every caller, not only the forms --------------------------


def test_the_service_refuses_teams_on_a_customer_survey():
    survey = SurveyFactory(audience="customers")

    with pytest.raises(ValidationError) as error:
        builder.survey_save(survey=survey, teams=[TeamFactory()])

    assert set(error.value.message_dict) == {"teams"}
    assert not survey.teams.exists()


def test_the_service_refuses_to_change_an_answered_questions_kind():
    question = QuestionFactory(kind="likert", driver="")
    answer(question, number=2)
    question.kind = "enps"

    with pytest.raises(ValidationError) as error:
        builder.question_save(question=question)

    assert set(error.value.message_dict) == {"kind"}
    assert Question.objects.get(pk=question.pk).kind == "likert"


def test_the_service_refuses_to_delete_an_answered_question():
    question = QuestionFactory()
    answer(question, number=2)

    with pytest.raises(ValidationError):
        builder.question_delete(question=question)

    assert Question.objects.filter(pk=question.pk).exists()


def test_a_superuser_without_a_person_record_can_build_a_survey(client):
    admin = PersonFactory().user
    admin.is_staff = admin.is_superuser = True
    admin.save()
    Person.objects.filter(user=admin).delete()
    client.force_login(admin)

    response = client.post(reverse("surveys:survey_create"), survey_data())

    assert response.status_code == 302
    assert Survey.objects.get().created_by is None


def test_a_team_id_past_64_bits_is_refused_on_the_form_not_a_server_error(
    signed_in, hr
):
    team = TeamFactory()
    client = signed_in(hr)

    response = client.post(
        reverse("surveys:survey_create"),
        survey_data(teams=[str(team.pk), str(10**30)]),
    )

    assert response.status_code == 200
    assert "teams" in response.context["form"].errors
    assert not Survey.objects.exists()
