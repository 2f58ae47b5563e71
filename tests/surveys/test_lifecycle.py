"""A survey's life through HR's pages: a draft never goes out, activating shows
the next round, the audience and the overlap first, pausing lets the open round
finish, archiving keeps results out of the way, and two surveys never share a
title."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from org.services.people import person_set_active
from surveys.models import Invitation, Round, Survey
from surveys.scheduler import survey_tick
from tests.org.factories import CustomerFactory, PersonFactory, TeamFactory
from tests.surveys.factories import QuestionFactory, RoundFactory, SurveyFactory
from tests.surveys.helpers import MONDAY_9, at, weekly_pulse
from tests.surveys.test_builder import survey_data

pytestmark = pytest.mark.django_db

Status = Survey.Status
# The Wednesday before the pulse's first Monday: HR prepares it.
WEDNESDAY = dt.datetime(2026, 2, 25, 10, 0, tzinfo=dt.UTC)
MOVES = ("activate", "pause", "resume", "archive", "restore")


def move(client, name: str, survey: Survey, method: str = "post"):
    return getattr(client, method)(reverse(f"surveys:survey_{name}", args=[survey.pk]))


def said(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def text(response) -> str:
    """The page's text, tags and runs of spaces gone."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def status_of(survey: Survey) -> str:
    return Survey.objects.values_list("status", flat=True).get(pk=survey.pk)


@pytest.fixture
def now(time_machine):
    time_machine.move_to(WEDNESDAY, tick=False)
    return WEDNESDAY


@pytest.fixture
def draft(now):
    survey, staff = weekly_pulse(people=3, status=Status.DRAFT)
    return survey


# --- Drafts and activation ----------------------------------------------------------


def test_a_draft_never_opens_a_round_on_a_scheduler_tick(draft, mailoutbox):
    for instant in (MONDAY_9, at(4), at(9), at(16)):
        survey_tick(now=instant)

    assert not Round.objects.exists()
    assert not Invitation.objects.exists()
    assert mailoutbox == []
    assert status_of(draft) == Status.DRAFT


def test_hr_activates_a_draft_and_its_first_round_opens_on_its_date(
    signed_in, hr, draft
):
    response = move(signed_in(hr), "activate", draft)

    assert response.status_code == 302
    assert response["Location"] == reverse("surveys:survey_detail", args=[draft.pk])
    assert said(response) == [
        f"“{draft.title}” is scheduled: its rounds open on its cadence."
    ]
    assert status_of(draft) == Status.SCHEDULED
    survey_tick(now=MONDAY_9)
    assert Round.objects.get(survey=draft).starts_at == MONDAY_9


def test_activating_refuses_a_first_date_in_the_past(signed_in, hr, draft):
    Survey.objects.filter(pk=draft.pk).update(first_date=dt.date(2026, 2, 24))

    response = move(signed_in(hr), "activate", draft)

    assert response.status_code == 409
    assert response.context["errors"] == [
        "The first date, 24 Feb 2026, is in the past: edit the survey's settings to "
        "a date from today (25 Feb 2026) on, then activate it."
    ]
    assert "Nothing changed:" in text(response)
    assert status_of(draft) == Status.DRAFT


def test_the_activation_page_lists_what_stands_in_the_way_before_the_button(
    signed_in, hr, now
):
    empty = SurveyFactory(status=Status.DRAFT, first_date=dt.date(2026, 2, 2))

    response = move(signed_in(hr), "activate", empty, method="get")

    assert response.status_code == 200
    assert "Before you can activate it:" in text(response)
    assert [error.split(":")[0] for error in response.context["errors"]] == [
        "Add at least one question before activating the survey",
        "The first date, 2 Feb 2026, is in the past",
    ]
    assert status_of(empty) == Status.DRAFT


def test_a_survey_is_activated_once(signed_in, hr, draft):
    client = signed_in(hr)
    move(client, "activate", draft)

    again = move(client, "activate", draft)

    assert again.status_code == 409
    assert again.context["errors"] == [
        "This survey cannot be activated: it is already scheduled."
    ]
    assert status_of(draft) == Status.SCHEDULED


def test_the_draft_links_its_preview_and_its_activation(signed_in, hr, draft):
    page = signed_in(hr).get(reverse("surveys:survey_detail", args=[draft.pk]))

    html = page.content.decode()
    assert 'data-testid="status">Draft</span>' in html
    assert "A draft: nothing is sent." in text(page)
    assert reverse("surveys:survey_preview", args=[draft.pk]) in html
    assert reverse("surveys:survey_activate", args=[draft.pk]) in html
    assert reverse("surveys:survey_pause", args=[draft.pk]) not in html


# --- The activation page: next round, audience, overlap ------------------------------


@pytest.fixture
def teams(now):
    """Team A of 3 (and one deactivated), team B of 2, and HR elsewhere."""
    a, b = TeamFactory(name="A"), TeamFactory(name="B")
    people_a = [PersonFactory(team=a) for _ in range(4)]
    person_set_active(person=people_a[-1], is_active=False)
    [PersonFactory(team=b) for _ in range(2)]
    return a, b


def _survey(title: str, status: str, teams=(), **fields) -> Survey:
    survey = SurveyFactory(
        title=title,
        status=status,
        cadence="weekly",
        weekday=0,
        start_time=dt.time(9, 0),
        **fields,
    )
    survey.teams.set(teams)
    QuestionFactory(survey=survey)
    return survey


def test_the_activation_page_shows_the_next_round_audience_and_overlap(
    signed_in, hr, teams
):
    a, b = teams
    ours = _survey("Ours", Status.DRAFT, [a, b], first_date=dt.date(2026, 3, 2))
    _survey("Team A check-in", Status.SCHEDULED, [a], first_date=dt.date(2026, 3, 9))
    everyone = _survey("Everyone", Status.SCHEDULED, first_date=dt.date(2026, 2, 2))
    RoundFactory(survey=everyone, starts_at=at(23, month=2))  # opened this week
    _survey("Paused on A", Status.PAUSED, [a], first_date=dt.date(2026, 3, 2))
    _survey("Elsewhere", Status.SCHEDULED, [TeamFactory()])
    customers = _survey("Customers", Status.SCHEDULED, audience="customers")
    CustomerFactory()

    response = move(signed_in(hr), "activate", ours, method="get")

    preview = response.context["preview"]
    assert (preview.next_round.starts_at, preview.next_round.closes_at) == (
        MONDAY_9,
        at(7),
    )
    assert preview.audience == 5  # the deactivated person is not invited
    assert [
        (o.survey.title, o.shared, o.next_round.starts_at) for o in preview.overlaps
    ] == [
        ("Everyone", 5, at(2)),
        ("Team A check-in", 3, at(9)),
    ]
    page = text(response)
    assert (
        "Opens Mon 2 Mar 2026 09:00 and closes Sat 7 Mar 2026 09:00, in the "
        "organisation's time zone (UTC)." in page
    )
    assert "5 people would be invited if a round opened now." in page
    assert "Everyone 5 of 5 Mon 2 Mar 2026 09:00" in page
    assert "Team A check-in 3 of 5 Mon 9 Mar 2026 09:00" in page
    assert "Paused on A" not in page and customers.title not in page
    assert "you can still activate this survey" in page
    # Counted by the fan-out's own code: activated, it invites exactly those.
    move(signed_in(hr), "activate", ours)
    survey_tick(now=MONDAY_9)
    assert Invitation.objects.filter(round__survey=ours).count() == 5


def test_the_activation_page_says_when_no_other_survey_reaches_the_audience(
    signed_in, hr, teams
):
    a, _ = teams
    ours = _survey("Ours", Status.DRAFT, [a], first_date=dt.date(2026, 3, 2))

    page = text(move(signed_in(hr), "activate", ours, method="get"))

    assert "3 people would be invited" in page
    assert "None: no other scheduled survey reaches anyone in this audience." in page


def test_the_next_round_is_given_in_the_organisations_time_zone(
    signed_in, hr, draft, settings
):
    settings.TIME_ZONE = "America/New_York"

    response = move(signed_in(hr), "activate", draft, method="get")

    # 09:00 in New York, 14:00 UTC before the clocks change on 8 March.
    assert response.context["preview"].next_round.starts_at == at(2, 14)
    assert (
        "Opens Mon 2 Mar 2026 09:00 and closes Sat 7 Mar 2026 09:00, in the "
        "organisation's time zone (America/New_York)." in text(response)
    )


def test_a_round_whose_window_is_open_opens_within_a_minute(signed_in, hr, now):
    survey = _survey("Today", Status.DRAFT, first_date=dt.date(2026, 2, 25))
    Survey.objects.filter(pk=survey.pk).update(weekday=2)  # Wednesdays, 09:00

    page = text(move(signed_in(hr), "activate", survey, method="get"))

    assert "Opens within a minute of activation (its window began Wed 25 Feb" in page


# --- Pause and resume ---------------------------------------------------------------


def test_pausing_lets_the_open_round_run_to_its_close_and_opens_no_new_one(
    signed_in, hr, now, mailoutbox, time_machine
):
    survey, staff = weekly_pulse(people=3)
    survey_tick(now=MONDAY_9)
    round_ = Round.objects.get(survey=survey)
    client = signed_in(hr)
    time_machine.move_to(at(3), tick=False)

    confirm = move(client, "pause", survey, method="get")
    response = move(client, "pause", survey)

    assert "The round open now runs to its close on 7 Mar 2026 09:00 (UTC)" in text(
        confirm
    )
    assert response.status_code == 302
    assert status_of(survey) == Status.PAUSED
    detail = text(client.get(reverse("surveys:survey_detail", args=[survey.pk])))
    assert (
        "Paused: no new round opens. The round open now runs to its close on "
        "7 Mar 2026 09:00 (UTC)" in detail
    )
    survey_tick(now=at(5))  # its reminders still go out
    reminded = Invitation.objects.filter(round=round_).values_list("reminders_sent")
    assert list(reminded) == [(1,)] * 4  # its 3 and HR
    survey_tick(now=at(7))
    survey_tick(now=at(9))
    survey_tick(now=at(16))
    round_.refresh_from_db()
    assert round_.closed_at == at(7)
    assert list(Round.objects.filter(survey=survey)) == [round_]


def test_hr_resumes_a_paused_survey_and_the_next_round_opens(signed_in, hr, now):
    survey, _ = weekly_pulse(people=3, status=Status.PAUSED)
    client = signed_in(hr)

    shown = move(client, "resume", survey, method="get")
    response = move(client, "resume", survey)

    assert shown.context["preview"].audience == 4  # everyone: its 3 and HR
    assert response.status_code == 302
    assert status_of(survey) == Status.SCHEDULED
    survey_tick(now=MONDAY_9)
    assert Round.objects.filter(survey=survey).count() == 1


def test_a_draft_cannot_be_paused_nor_resumed(signed_in, hr, draft):
    client = signed_in(hr)

    paused, resumed = move(client, "pause", draft), move(client, "resume", draft)

    assert (paused.status_code, resumed.status_code) == (409, 409)
    assert paused.context["errors"] == [
        "This survey cannot be paused: it is a draft; activate it instead."
    ]
    assert resumed.context["errors"] == [
        "This survey cannot be resumed: it is a draft; activate it instead."
    ]
    assert status_of(draft) == Status.DRAFT


# --- Archive and restore ------------------------------------------------------------


def test_hr_archives_a_survey_which_leaves_the_list_and_keeps_its_results(
    signed_in, hr, now
):
    survey, _ = weekly_pulse(people=3, status=Status.PAUSED, title="Old pulse")
    RoundFactory(survey=survey, starts_at=at(2, month=2), closed_at=at(7, month=2))
    client = signed_in(hr)

    response = move(client, "archive", survey)

    assert response.status_code == 302
    assert status_of(survey) == Status.ARCHIVED
    assert Round.objects.filter(survey=survey).count() == 1
    listed = client.get(reverse("surveys:survey_list"))
    archived = client.get(reverse("surveys:survey_list"), {"status": "archived"})
    assert [row.survey for row in listed.context["rows"]] == []
    assert [row.survey for row in archived.context["rows"]] == [survey]
    detail = client.get(reverse("surveys:survey_detail", args=[survey.pk]))
    assert "Archived: read-only" in text(detail)
    assert reverse("surveys:survey_edit", args=[survey.pk]) not in (
        detail.content.decode()
    )


def test_an_archived_survey_and_its_questions_are_read_only(signed_in, hr, now):
    survey, _ = weekly_pulse(people=1, status=Status.ARCHIVED, title="Old pulse")
    question = survey.questions.first()
    client = signed_in(hr)

    edited = client.post(
        reverse("surveys:survey_edit", args=[survey.pk]), survey_data(title="New")
    )
    deleted = client.post(reverse("surveys:question_delete", args=[question.pk]))

    assert edited.status_code == 200
    assert "This survey is archived, so it is read-only" in text(edited)
    assert "This survey is archived, so it is read-only" in said(deleted)[0]
    survey.refresh_from_db()
    assert survey.title == "Old pulse"
    assert survey.questions.count() == 2


def test_a_survey_with_an_open_round_cannot_be_archived(signed_in, hr, now):
    survey, _ = weekly_pulse(people=1)
    RoundFactory(survey=survey, starts_at=at(23, month=2), closes_at=at(28, month=2))

    response = move(signed_in(hr), "archive", survey)

    assert response.status_code == 409
    assert response.context["errors"] == [
        "A round of this survey is open until 28 Feb 2026 09:00: pause the survey "
        "now, and archive it once that round has closed."
    ]
    assert status_of(survey) == Status.SCHEDULED


def test_hr_restores_an_archived_survey_as_paused(signed_in, hr, now):
    survey = SurveyFactory(title="Old pulse", status=Status.ARCHIVED)

    response = move(signed_in(hr), "restore", survey)

    assert response.status_code == 302
    assert status_of(survey) == Status.PAUSED


def test_an_archived_survey_is_not_restored_over_a_survey_that_took_its_title(
    signed_in, hr, now
):
    old = SurveyFactory(title="Pulse", status=Status.ARCHIVED)
    SurveyFactory(title="PULSE", status=Status.DRAFT)

    response = move(signed_in(hr), "restore", old)

    assert response.status_code == 409
    assert "Another survey is already called “Pulse”" in response.context["errors"][0]
    assert status_of(old) == Status.ARCHIVED


# --- Who may -------------------------------------------------------------------------


@pytest.mark.parametrize("name", MOVES)
def test_an_employee_is_refused_every_move(signed_in, employee, now, name):
    survey = SurveyFactory(status=Status.DRAFT, first_date=dt.date(2026, 3, 2))
    QuestionFactory(survey=survey)
    client = signed_in(employee)

    shown, posted = move(client, name, survey, "get"), move(client, name, survey)

    assert (shown.status_code, posted.status_code) == (403, 403)
    assert status_of(survey) == Status.DRAFT


def test_a_move_needs_the_csrf_token(client, hr, draft):
    client.force_login(hr.user)
    client.handler.enforce_csrf_checks = True

    response = move(client, "activate", draft)

    assert response.status_code == 403
    assert status_of(draft) == Status.DRAFT


# --- Templates and titles -----------------------------------------------------------


def test_each_copy_of_a_template_is_a_draft_with_a_title_of_its_own(signed_in, hr):
    client = signed_in(hr)
    url = reverse("surveys:survey_from_template")

    for _ in range(3):
        client.post(url, {"template": "customer-trust", "first_date": "2026-04-06"})

    assert list(Survey.objects.order_by("pk").values_list("title", "status")) == [
        ("Customer trust", Status.DRAFT),
        ("Customer trust (copy)", Status.DRAFT),
        ("Customer trust (copy 2)", Status.DRAFT),
    ]
    page = client.get(url, {"key": "customer-trust"}).content.decode()
    assert 'placeholder="Customer trust (copy 3)"' in page


def test_a_template_copy_may_be_given_its_own_title_but_not_a_taken_one(signed_in, hr):
    SurveyFactory(title="Spring pulse")
    client = signed_in(hr)
    url = reverse("surveys:survey_from_template")
    data = {"template": "ai-rollout-pulse", "first_date": "2026-04-06"}

    refused = client.post(url, {**data, "title": "  spring PULSE "})
    made = client.post(url, {**data, "title": "Autumn pulse"})

    assert refused.status_code == 200
    assert (
        refused.context["form"]
        .errors["title"][0]
        .startswith("Another survey is already called “spring PULSE”")
    )
    assert made.status_code == 302
    assert set(Survey.objects.values_list("title", flat=True)) == {
        "Spring pulse",
        "Autumn pulse",
    }


def test_two_surveys_may_not_share_a_title_whatever_its_case(signed_in, hr):
    SurveyFactory(title="Élan pulse")
    other = SurveyFactory(title="Other")
    client = signed_in(hr)

    created = client.post(
        reverse("surveys:survey_create"), survey_data(title="ÉLAN  PULSE")
    )
    edited = client.post(
        reverse("surveys:survey_edit", args=[other.pk]), survey_data(title="élan pulse")
    )

    for response, title in ((created, "ÉLAN  PULSE"), (edited, "élan pulse")):
        assert response.status_code == 200
        assert response.context["form"].errors["title"] == [
            f"Another survey is already called “{title}” (titles are compared "
            "ignoring case): choose a title that tells them apart, or archive the "
            "other survey first."
        ]
    assert sorted(Survey.objects.values_list("title", flat=True)) == [
        "Other",
        "Élan pulse",
    ]


def test_an_archived_surveys_title_may_be_used_again(signed_in, hr):
    SurveyFactory(title="Pulse", status=Status.ARCHIVED)

    response = signed_in(hr).post(
        reverse("surveys:survey_create"), survey_data(title="Pulse")
    )

    assert response.status_code == 302
    assert Survey.objects.filter(title="Pulse", status=Status.DRAFT).exists()


# --- The list -----------------------------------------------------------------------


def test_the_list_shows_each_status_and_filters_by_it(signed_in, hr):
    for status in Status.values:
        SurveyFactory(title=f"A {status} survey", status=status)
    client = signed_in(hr)

    everything = client.get(reverse("surveys:survey_list"))
    paused = client.get(reverse("surveys:survey_list"), {"status": "paused"})
    unknown = client.get(reverse("surveys:survey_list"), {"status": "live"})

    assert [row.survey.title for row in everything.context["rows"]] == [
        "A draft survey",
        "A paused survey",
        "A scheduled survey",
    ]
    html = everything.content.decode()
    for label in ("Draft", "Paused", "Scheduled"):
        assert f'data-testid="status">{label}</span>' in html
    assert [row.survey.title for row in paused.context["rows"]] == ["A paused survey"]
    assert unknown.status_code == 400
    assert "There is no such status; choose draft, scheduled, paused or archived." in (
        text(unknown)
    )
