"""Asking for someone else's object by its id or token: every path parameter a
person can change in the address bar, tried by a person who must not reach that
object. Each probe expects a refusal (403/404, or 400 for a value the page does not
take), nothing changed, and nothing of the other object in the answer.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from feedback.customer_links import customer_token
from feedback.models import (
    Comment,
    Concern,
    Notice,
    OutputRating,
    Status,
    Subscription,
    Vote,
)
from feedback.services.concerns import concern_merge
from org.models import Customer
from surveys.models import Answer, Survey
from tests.security.world import World, build_world, state

pytestmark = pytest.mark.django_db


@pytest.fixture
def w() -> World:
    return build_world()


def as_(w: World, role: str) -> Client:
    client = Client()
    client.force_login(w.user(role))
    return client


def api_as(w: World, role: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Token {w.tokens[role]}")


def refused(response, *codes: int, hide: tuple[str, ...] = ()) -> None:
    assert response.status_code in (codes or (403, 404)), response.status_code
    body = response.content.decode()
    for text in hide:
        assert text not in body, f"{text!r} leaked in a refusal"


# --- Another leader's concern ---------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("status", {"to_status": Status.ACKNOWLEDGED}),
        ("reassign", {"owner": "leader"}),
        ("merge", {"survivor": "concern"}),
    ],
)
def test_a_leader_cannot_act_on_another_leaders_concern(w, action, data):
    data = {
        k: (
            w.people["leader"].pk
            if v == "leader"
            else w.concern.pk
            if v == "concern"
            else v
        )
        for k, v in data.items()
    }
    before = state()

    response = as_(w, "leader").post(f"/board/{w.other_concern.pk}/{action}/", data)

    refused(response, 403)
    assert state() == before


def test_a_leader_cannot_answer_officially_on_another_leaders_concern(w):
    before = state()

    page = as_(w, "leader").post(
        f"/board/{w.other_concern.pk}/comments/", {"body": "Official!", "official": "1"}
    )
    api = api_as(w, "leader").post(
        f"/api/v1/concerns/{w.other_concern.pk}/comments/",
        {"body": "Official!", "official": True},
        content_type="application/json",
    )

    # The page posts a plain comment (it offers no "official" box to a stranger);
    # the API, asked outright, refuses.
    assert page.status_code == 302
    assert not Comment.objects.filter(official=True).exists()
    refused(api, 403)
    other = Concern.objects.get(pk=w.other_concern.pk)
    assert other.first_responded_at is None
    assert Comment.objects.count() == before["feedback.Comment"] + 1


def test_a_tool_owner_cannot_attach_an_update_to_another_tools_concern(w):
    """Attaching an update emails the concern's followers: a tool's owner may do it
    for the concerns about their tool, not for anyone's."""
    follower = Subscription.objects.create(
        concern=w.other_concern, person=w.other_employee
    )
    before = state()

    response = as_(w, "leader").post(
        "/updates/new/",
        {
            "title": "Copilot now cites sources",
            "body": "Every draft links its source.",
            "ai_tool": w.tool.pk,
            "concerns": f"#{w.other_concern.pk}",
        },
    )

    refused(response, 400)
    assert state() == before
    assert not Notice.objects.filter(person=follower.person).exists()


def test_a_tool_owner_may_attach_an_update_to_their_tools_concern(w):
    response = as_(w, "leader").post(
        "/updates/new/",
        {
            "title": "Copilot now cites sources",
            "body": "Every draft links its source.",
            "ai_tool": w.tool.pk,
            "concerns": f"#{w.concern.pk}",
        },
    )

    assert response.status_code == 302
    assert list(w.concern.updates.values_list("title", flat=True)) == [
        "Copilot now cites sources"
    ]


# --- Another person's post ------------------------------------------------------------


@pytest.mark.parametrize("role", ["employee", "leader"])
def test_nobody_edits_or_hides_another_persons_comment(w, role):
    before = state()
    client = as_(w, role)

    edit_get = client.get(f"/board/comments/{w.other_comment.pk}/edit/")
    edit = client.post(
        f"/board/comments/{w.other_comment.pk}/edit/", {"body": "Rewritten"}
    )
    hide = client.post(
        f"/board/comments/{w.other_comment.pk}/hide/", {"reason": "Because"}
    )

    refused(edit_get, 403, hide=("OTHER-PERSONS-COMMENT",))
    refused(edit, 403, hide=("OTHER-PERSONS-COMMENT",))
    refused(hide, 403)
    assert state() == before


def test_nobody_edits_another_persons_concern(w):
    before = state()

    response = as_(w, "employee").post(
        f"/board/{w.other_concern.pk}/edit/", {"title": "Mine now", "body": "Mine"}
    )

    refused(response, 403)
    assert state() == before


# --- Another person's survey link, another survey's questions ------------------------


def test_another_persons_invitation_is_not_found_when_signed_in(w):
    other = w.invitations["leader"]
    before = state()
    client = as_(w, "employee")

    page = client.get(f"/me/surveys/{other.pk}/")
    post = client.post(f"/me/surveys/{other.pk}/", {f"q{w.question.pk}": "1"})

    refused(page, 404, hide=(w.survey.title,))
    refused(post, 404)
    assert state() == before


def test_an_answer_to_another_surveys_question_is_ignored(w):
    """The form takes its own survey's questions only; a question id from another
    survey, added to the post, is never stored."""
    # A named survey writes its answers at once, so they can be read back here.
    Survey.objects.filter(pk=w.survey.pk).update(privacy=Survey.Privacy.NAMED)

    response = as_(w, "employee").post(
        f"/me/surveys/{w.invitations['employee'].pk}/",
        {f"q{w.question.pk}": "4", f"q{w.other_question.pk}": "1"},
    )

    assert response.status_code == 302
    assert list(Answer.objects.values_list("question", flat=True)) == [w.question.pk]


def test_an_employee_cannot_open_the_builder_for_any_survey_or_question(w):
    before = state()
    client = as_(w, "employee")
    for path in (
        f"/surveys/{w.other_survey.pk}/",
        f"/surveys/{w.other_survey.pk}/preview/",
        f"/surveys/questions/{w.other_question.pk}/edit/",
        f"/surveys/questions/{w.other_question.pk}/delete/",
    ):
        refused(client.get(path), 403, hide=("OTHER-SURVEY-QUESTION",))
        refused(client.post(path, {"text": "x", "kind": "likert"}), 403)
    refused(client.post(f"/surveys/questions/{w.other_question.pk}/move/"), 403)
    assert state() == before


# --- HR's survey and round ids through the API ---------------------------------------


@pytest.mark.parametrize("role", ["employee", "leader"])
def test_hrs_surveys_and_rounds_are_refused_through_the_api(w, role):
    before = state()
    client = api_as(w, role)

    rounds = client.get(f"/api/v1/surveys/{w.survey.pk}/rounds/")
    surveys = client.get("/api/v1/surveys/")
    publish = client.post(f"/api/v1/rounds/{w.closed_round.pk}/publish/")
    comments = client.get("/api/v1/dashboards/customers/")

    for response in (rounds, surveys, publish, comments):
        refused(response, 403, hide=(w.survey.title, w.other_survey.title))
    assert state() == before


# --- A customer's link ----------------------------------------------------------------


def test_a_customers_link_opens_no_employee_or_hidden_concern(w):
    token = w.customer_board_token
    client = Client()
    for concern in (w.concern, w.other_concern, w.hidden):
        refused(
            client.get(f"/c/{token}/{concern.pk}/"),
            404,
            hide=(concern.title, concern.body),
        )
    assert client.get(f"/c/{token}/{w.customer_concern.pk}/").status_code == 200


def test_a_customers_link_is_closed_when_the_customer_is_and_signs_only_itself(w):
    client = Client()
    customer = Customer.objects.get()
    signed_for_another_use = customer_token(customer)

    # A customer's signed link is not an unsubscribe link, nor a survey link.
    refused(client.post(f"/unsubscribe/{signed_for_another_use}/"), 404)
    refused(client.get(f"/s/{signed_for_another_use}/"), 404)
    Customer.objects.filter(pk=customer.pk).update(is_active=False)
    # A retired customer's link "no longer works" (410), and shows nothing.
    refused(
        client.get(f"/c/{signed_for_another_use}/{w.customer_concern.pk}/"),
        410,
        hide=(w.customer_concern.title,),
    )


# --- A leader's dashboards outside their teams ----------------------------------------


def test_a_leaders_team_filter_outside_their_teams_is_dropped(w):
    client = as_(w, "leader")
    b = w.team_b.pk

    page = client.get(f"/dashboards/?team={b}")
    api = api_as(w, "leader").get(f"/api/v1/dashboards/sentiment/?team={b}")
    tools = api_as(w, "leader").get(f"/api/v1/dashboards/tools/?team={b}")

    assert page.status_code == 200
    assert "You can see only the teams you lead" in page.content.decode()
    for response in (api, tools):
        assert response.status_code == 200
        body = response.json()
        assert "team" not in body["filters"]
        assert any("only the teams you lead" in note for note in body["notes"])


def test_a_leaders_concern_dashboards_show_only_what_they_own(w):
    past = timezone.now() - dt.timedelta(days=30)
    Concern.objects.filter(pk=w.other_concern.pk).update(
        created_at=past, first_response_due_at=past + dt.timedelta(days=3)
    )
    leader, hr = as_(w, "leader"), as_(w, "hr")

    # HR sees the other leader's overdue concern, so its absence below means
    # something.
    assert w.other_concern.title in hr.get("/dashboards/concerns/").content.decode()
    for path in (
        "/dashboards/concerns/",
        "/dashboards/concerns/?csv=overdue",
        f"/dashboards/tools/{w.other_tool.pk}/",
        "/dashboards/tools/",
    ):
        response = leader.get(path)
        assert response.status_code == 200, path
        assert w.other_concern.title not in response.content.decode(), path


def test_a_hidden_concern_stays_hidden_on_its_owners_dashboards(w):
    """A moderator hid it for naming a colleague: the owner still answers for it
    and it counts in the figures, but its title is shown only to moderators."""
    past = timezone.now() - dt.timedelta(days=30)
    Concern.objects.filter(pk=w.hidden.pk).update(
        owner=w.people["leader"],
        ai_tool=w.tool,
        created_at=past,
        first_response_due_at=past + dt.timedelta(days=3),
    )
    Concern.objects.filter(pk=w.concern.pk).update(
        created_at=past, first_response_due_at=past + dt.timedelta(days=3)
    )
    leader = as_(w, "leader")

    # Their visible overdue concern is listed, so an absence below means something.
    assert w.concern.title in leader.get("/dashboards/concerns/").content.decode()
    for path in (
        "/dashboards/concerns/",
        "/dashboards/concerns/?csv=overdue",
        f"/dashboards/tools/{w.tool.pk}/",
        f"/api/v1/tools/{w.tool.pk}/dashboard/",
        "/api/v1/dashboards/concerns/",
    ):
        response = leader.get(path)
        assert response.status_code == 200, path
        assert w.hidden.title not in response.content.decode(), path


# --- Acting as someone else -----------------------------------------------------------


def test_support_and_follow_act_for_the_signed_in_person_only(w):
    other = w.other_employee
    Subscription.objects.create(concern=w.concern, person=other, active=True)
    client = as_(w, "employee")

    client.post(
        f"/board/{w.concern.pk}/support/", {"supported": "1", "person": other.pk}
    )
    client.post(
        f"/board/{w.concern.pk}/follow/", {"following": "0", "person": other.pk}
    )
    api_as(w, "employee").post(
        f"/api/v1/concerns/{w.concern.pk}/support/",
        {"supported": True, "person": other.pk},
        content_type="application/json",
    )

    assert list(Vote.objects.values_list("person", flat=True)) == [
        w.people["employee"].pk
    ]
    assert Subscription.objects.get(concern=w.concern, person=other).active


def test_a_rating_counts_once_for_the_person_who_gave_it(w):
    from feedback.services.ratings import rater_key

    as_(w, "employee").post(
        f"/tools/{w.tool.pk}/rate/",
        {"rating": "correct", "person": w.other_employee.pk, "rater": "forged"},
    )

    rating = OutputRating.objects.get()
    assert rating.rater == rater_key(
        person_id=w.people["employee"].pk, tool_id=w.tool.pk
    )


def test_another_persons_unsubscribe_link_cannot_be_forged(w):
    from django.core import signing

    subscription = Subscription.objects.create(
        concern=w.concern, person=w.other_employee, active=True
    )
    # Signed with the site's key but for another purpose (no salt): refused.
    forged = signing.dumps(subscription.pk)

    refused(Client().post(f"/unsubscribe/{forged}/"), 404, hide=(w.concern.title,))
    subscription.refresh_from_db()
    assert subscription.active


# --- Hidden and merged concerns -------------------------------------------------------


@pytest.mark.parametrize("role", ["employee", "leader"])
def test_a_hidden_concern_is_not_found_by_anyone_but_moderators(w, role):
    hidden = w.hidden
    comment = Comment.objects.create(
        concern=hidden,
        author=w.other_employee,
        body="ON-A-HIDDEN-CONCERN",
        created_at=timezone.now(),
    )
    before = state()
    client, api = as_(w, role), api_as(w, role)
    secrets = (hidden.title, "SECRET-HIDDEN-BODY", "ON-A-HIDDEN-CONCERN")

    for response in (
        client.get(f"/board/{hidden.pk}/"),
        client.post(f"/board/{hidden.pk}/comments/", {"body": "x"}),
        client.post(f"/board/{hidden.pk}/support/", {"supported": "1"}),
        client.post(f"/board/{hidden.pk}/follow/", {"following": "1"}),
        client.post(f"/board/{hidden.pk}/flag/", {"reason": "x"}),
        client.post(f"/board/{hidden.pk}/status/", {"to_status": "acknowledged"}),
        client.get(f"/board/comments/{comment.pk}/edit/"),
        client.post(f"/board/comments/{comment.pk}/flag/", {"reason": "x"}),
        api.get(f"/api/v1/concerns/{hidden.pk}/"),
        api.post(
            f"/api/v1/concerns/{hidden.pk}/support/",
            {"supported": True},
            content_type="application/json",
        ),
        client.get("/board/?q=colleague"),
        api.get("/api/v1/concerns/?search=colleague"),
    ):
        if response.status_code == 200:  # the board's lists: found, but not shown
            assert all(s not in response.content.decode() for s in secrets)
        else:
            refused(response, 404, hide=secrets)
    assert state() == before


def test_a_merged_concern_takes_no_support_and_no_status_change(w):
    concern_merge(duplicate=w.concern, survivor=w.other_concern, by=w.people["hr"])
    Concern.objects.filter(pk=w.other_concern.pk).update(owner=w.people["leader"])
    before = state()
    client = as_(w, "employee")

    support = client.post(f"/board/{w.concern.pk}/support/", {"supported": "1"})
    api = api_as(w, "employee").post(
        f"/api/v1/concerns/{w.concern.pk}/support/",
        {"supported": True},
        content_type="application/json",
    )
    # Its owner cannot reopen a merged duplicate behind the survivor's back.
    reopen = as_(w, "leader").post(
        f"/board/{w.concern.pk}/status/", {"to_status": Status.ACKNOWLEDGED}
    )

    refused(support, 400)
    refused(api, 400)
    refused(reopen, 400)
    assert state() == before


def test_a_reply_cannot_hang_under_another_concerns_comment(w):
    before = state()

    page = as_(w, "employee").post(
        f"/board/{w.concern.pk}/comments/",
        {"body": "Replying across threads", "parent": w.other_comment.pk},
    )
    api = api_as(w, "employee").post(
        f"/api/v1/concerns/{w.concern.pk}/comments/",
        {"body": "Replying across threads", "parent": w.other_comment.pk},
        content_type="application/json",
    )

    refused(page, 400, hide=("OTHER-PERSONS-COMMENT",))
    refused(api, 400, hide=("OTHER-PERSONS-COMMENT",))
    assert state() == before
