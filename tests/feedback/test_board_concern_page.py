"""A concern's page and what people do on it: raise, comment, reply, edit within
the window, "me too", follow, flag; and the owner's and HR's forms."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from feedback.forms import ANONYMOUS_SENTENCE
from feedback.models import (
    Category,
    Comment,
    Concern,
    Flag,
    Status,
    StatusChange,
    Vote,
)
from feedback.permissions import EDIT_WINDOW_TEXT
from feedback.services.concerns import POST_LIMIT, concern_merge, concern_raise
from feedback.services.moderation import hide
from feedback.services.thread import comment_post, support_set
from feedback.services.updates import update_post
from org.roles import Role
from tests.org.factories import PersonFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.UTC)
SCRIPT = "<script>alert('x')</script>"


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def concern(people, tool):
    return concern_raise(
        title="Copilot drafts are wrong",
        body="It invents policy numbers.",
        category=Category.ACCURACY,
        by=people["raiser"],
        ai_tool=tool,
    )


def as_(client, person):
    client.force_login(person.user)
    return client


def detail(concern: Concern) -> str:
    return reverse("feedback:concern_detail", args=[concern.pk])


def page_of(client, concern: Concern) -> str:
    response = client.get(detail(concern))
    assert response.status_code == 200
    return response.content.decode()


def concern_data(**overrides) -> dict[str, object]:
    data = {
        "title": "Will the agent replace the help desk?",
        "body": "People are worried.",
        "category": "job_security",
        "ai_tool": "",
    }
    return {**data, **overrides}


# --- Raising a concern ------------------------------------------------------------


def test_the_form_explains_anonymity_and_preselects_the_tool(client, people, tool):
    response = as_(client, people["raiser"]).get(
        reverse("feedback:concern_create"), {"tool": tool.pk}
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert ANONYMOUS_SENTENCE.replace(",", "") in page.replace(",", "")
    assert f'<option value="{tool.pk}" selected>' in page


def test_raising_a_concern_saves_it_and_opens_its_page(client, people, tool):
    response = as_(client, people["raiser"]).post(
        reverse("feedback:concern_create"), concern_data(ai_tool=tool.pk)
    )

    concern = Concern.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail(concern)
    assert concern.raised_by == people["raiser"]
    assert concern.owner == people["owner"]  # the tool's owner answers for it


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (concern_data(title=""), "title"),
        (concern_data(title="   "), "title"),
        (concern_data(body=""), "body"),
        (concern_data(title="x" * 141), "title"),
        (concern_data(body="x" * 5001), "body"),
        (concern_data(category="nonsense"), "category"),
        (concern_data(ai_tool="987654"), "ai_tool"),
    ],
)
def test_bad_input_gets_form_errors_and_saves_nothing(client, people, data, field):
    response = as_(client, people["raiser"]).post(
        reverse("feedback:concern_create"), data
    )

    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert "Nothing was posted" in response.content.decode()
    assert not Concern.objects.exists()


def test_html_in_a_concern_is_shown_escaped(client, people, hr):
    as_(client, people["raiser"]).post(
        reverse("feedback:concern_create"),
        concern_data(title=f"Title {SCRIPT}", body=f"Body {SCRIPT}"),
    )
    concern = Concern.objects.get()

    page = page_of(client, concern)

    assert concern.body == f"Body {SCRIPT}"  # stored as typed
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "<script>alert" not in page


def test_an_anonymous_concern_never_shows_who_raised_it(client, people):
    as_(client, people["raiser"]).post(
        reverse("feedback:concern_create"), concern_data(anonymous="on")
    )
    concern = Concern.objects.get()

    pages = [page_of(as_(client, people[p]), concern) for p in ("hr", "owner")]

    assert concern.raised_by is None and concern.anonymous
    assert not StatusChange.objects.filter(actor=people["raiser"]).exists()
    for page in pages:
        assert "Rita Raiser" not in page
        assert "Anonymously" in page
    assert "Rita Raiser" not in client.get(reverse("feedback:board")).content.decode()


def test_posting_too_often_is_refused_with_a_readable_message(client, people, hr):
    client = as_(client, people["raiser"])
    for n in range(POST_LIMIT):
        client.post(reverse("feedback:concern_create"), concern_data(title=f"T{n}"))

    response = client.post(reverse("feedback:concern_create"), concern_data())

    assert response.status_code == 429
    assert "Please wait a few minutes" in response.content.decode()
    assert Concern.objects.count() == POST_LIMIT


# --- The page ---------------------------------------------------------------------


def test_the_page_shows_owner_due_time_history_and_body(client, people, concern):
    page = page_of(as_(client, people["other"]), concern)

    assert "Olga Owner" in page
    assert "It invents policy numbers." in page
    assert "Due 13 Mar 2026, 12:00" in page  # three working days later
    assert "By Rita Raiser" in page
    assert "Raised (new)" in page


def test_support_shows_a_count_and_never_who(client, people, concern):
    supporters = [
        PersonFactory(name="Sam Quill"),
        PersonFactory(name="Sue Quill"),
    ]
    for person in supporters:
        support_set(concern=concern, person=person, supported=True)

    pages = [page_of(as_(client, people[p]), concern) for p in ("hr", "owner")]

    for page in pages:
        assert "<strong>2</strong> people say" in page
        assert "Quill" not in page


def test_me_too_toggles_on_and_off(client, people, concern):
    client = as_(client, people["other"])
    url = reverse("feedback:concern_support", args=[concern.pk])

    client.post(url, {"supported": "1"})
    client.post(url, {"supported": "1"})  # a double click counts once
    on = Concern.objects.get(pk=concern.pk).support_count
    page = page_of(client, concern)
    client.post(url, {"supported": "0"})

    assert on == 1
    assert 'aria-pressed="true"' in page
    assert Concern.objects.get(pk=concern.pk).support_count == 0
    assert not Vote.objects.exists()


def test_follow_and_unfollow(client, people, concern):
    client = as_(client, people["other"])
    url = reverse("feedback:concern_follow", args=[concern.pk])

    client.post(url, {"following": "1"})
    following = page_of(client, concern)
    client.post(url, {"following": "0"})

    assert "Stop following" in following
    assert "Follow (email me)" in page_of(client, concern)
    assert not concern.subscriptions.filter(person=people["other"], active=True)


# --- Comments, replies and official responses -------------------------------------


def test_a_comment_is_posted_and_shown_escaped(client, people, concern):
    client = as_(client, people["other"])

    response = client.post(
        reverse("feedback:comment_create", args=[concern.pk]), {"body": SCRIPT}
    )

    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"#comment-{comment.pk}")
    page = page_of(client, concern)
    assert "&lt;script&gt;" in page and "<script>alert" not in page


@pytest.mark.parametrize("body", ["", "   ", "x" * 3001])
def test_a_bad_comment_gets_an_error_and_saves_nothing(client, people, concern, body):
    response = as_(client, people["other"]).post(
        reverse("feedback:comment_create", args=[concern.pk]), {"body": body}
    )

    assert response.status_code == 400
    assert response.context["comment_form"].errors["body"]
    assert not Comment.objects.exists()


def test_replies_nest_one_level_under_a_top_level_comment(client, people, concern):
    top = comment_post(concern=concern, by=people["other"], body="Top comment")
    client = as_(client, people["raiser"])
    url = reverse("feedback:comment_create", args=[concern.pk])

    client.post(url, {"body": "First reply", "parent": top.pk})
    first = Comment.objects.get(body="First reply")
    client.post(url, {"body": "Reply to a reply", "parent": first.pk})

    second = Comment.objects.get(body="Reply to a reply")
    assert first.parent == top and second.parent == top
    page = page_of(client, concern)
    assert page.index("Top comment") < page.index("First reply")


def test_a_reply_to_another_concerns_comment_is_refused(client, people, concern, tool):
    elsewhere = concern_raise(
        title="Other", body="b", category=Category.OTHER, by=people["other"]
    )
    foreign = comment_post(concern=elsewhere, by=people["other"], body="Over there")

    response = as_(client, people["raiser"]).post(
        reverse("feedback:comment_create", args=[concern.pk]),
        {"body": "Sneaky", "parent": foreign.pk},
    )

    assert response.status_code == 400
    assert "You can only reply to a visible comment here." in response.content.decode()
    assert not Comment.objects.filter(body="Sneaky").exists()


def test_the_owner_answers_officially_and_it_stands_out(client, people, concern):
    client = as_(client, people["owner"])

    client.post(
        reverse("feedback:comment_create", args=[concern.pk]),
        {"body": "We are fixing the prompt.", "official": "on"},
    )

    page = page_of(as_(client, people["other"]), concern)
    assert Comment.objects.get().official
    assert Concern.objects.get(pk=concern.pk).first_responded_at == NOW
    assert "Official response from Olga Owner" in page
    assert 'data-testid="official-response"' in page


def test_the_owner_is_told_the_official_response_went_out_and_a_comment_is_not(
    client, people, concern
):
    client = as_(client, people["owner"])
    url = reverse("feedback:comment_create", args=[concern.pk])

    official = client.post(url, {"body": "Fixed.", "official": "on"}, follow=True)
    plain = client.post(url, {"body": "And a note."}, follow=True)

    told = "Your official response is posted, and the concern&#x27;s followers"
    assert told in official.content.decode()
    assert told not in plain.content.decode()


def test_the_page_runs_the_same_queries_for_2_or_20_comments(
    client, people, concern, django_assert_max_num_queries
):
    commenters = PersonFactory.create_batch(4)
    for n in range(2):
        comment_post(concern=concern, by=commenters[n], body=f"Comment {n}")
    client = as_(client, people["owner"])
    with CaptureQueriesContext(connection) as two:
        assert client.get(detail(concern)).status_code == 200
    top = Comment.objects.first()
    for n in range(18):
        comment_post(
            concern=concern,
            by=commenters[n % 4],
            body=f"More {n}",
            parent=top if n % 2 else None,
            official=False,
        )

    with django_assert_max_num_queries(len(two.captured_queries)):
        response = client.get(detail(concern))

    assert response.context["thread"].count == 20


def test_an_employee_cannot_answer_officially(client, people, concern):
    client = as_(client, people["other"])

    page = page_of(client, concern)
    client.post(
        reverse("feedback:comment_create", args=[concern.pk]),
        {"body": "I speak for HR", "official": "on"},
    )

    assert "Post as the official response" not in page
    assert not Comment.objects.get().official
    assert Concern.objects.get(pk=concern.pk).first_responded_at is None


# --- Editing within the window ----------------------------------------------------


def test_the_author_edits_within_fifteen_minutes_only(
    client, people, concern, _frozen_clock
):
    client = as_(client, people["raiser"])
    url = reverse("feedback:concern_edit", args=[concern.pk])
    assert "/edit/" in page_of(client, concern)

    saved = client.post(url, {"title": "Better title", "body": "Better body"})
    _frozen_clock.shift(dt.timedelta(minutes=16))
    late = client.post(url, {"title": "Too late", "body": "Too late"})

    concern.refresh_from_db()
    assert saved.status_code == 302
    assert late.status_code == 403
    assert (concern.title, concern.body) == ("Better title", "Better body")
    assert concern.edited_at == NOW
    assert "/edit/" not in page_of(client, concern)


def test_the_edit_page_states_the_window_the_rule_uses(client, people, concern):
    url = reverse("feedback:concern_edit", args=[concern.pk])

    page = as_(client, people["raiser"]).get(url).content.decode()

    assert EDIT_WINDOW_TEXT == "15 minutes"
    assert f"Posts can be edited for {EDIT_WINDOW_TEXT} after posting." in page


def test_an_edit_with_an_empty_title_saves_nothing(client, people, concern):
    response = as_(client, people["raiser"]).post(
        reverse("feedback:concern_edit", args=[concern.pk]),
        {"title": "", "body": "New"},
    )

    assert response.status_code == 400
    assert Concern.objects.get(pk=concern.pk).body == "It invents policy numbers."


def test_a_comment_author_edits_their_comment_in_the_window(
    client, people, concern, _frozen_clock
):
    comment = comment_post(concern=concern, by=people["other"], body="Typo")
    url = reverse("feedback:comment_edit", args=[comment.pk])

    others = as_(client, people["raiser"]).post(url, {"body": "Hijack"})
    own = as_(client, people["other"]).post(url, {"body": "Fixed"})
    _frozen_clock.shift(dt.timedelta(minutes=16))
    late = client.post(url, {"body": "Later"})

    comment.refresh_from_db()
    assert (others.status_code, own.status_code, late.status_code) == (403, 302, 403)
    assert comment.body == "Fixed"


# --- Flags and moderation ---------------------------------------------------------


def test_flagging_a_comment_records_it_for_moderators(client, people, concern):
    comment = comment_post(concern=concern, by=people["other"], body="Rude")

    response = as_(client, people["raiser"]).post(
        reverse("feedback:comment_flag", args=[comment.pk]), {"reason": "Rude"}
    )

    assert response.status_code == 302
    assert Flag.objects.get().comment == comment


def test_a_flag_without_a_reason_saves_nothing(client, people, concern):
    response = as_(client, people["raiser"]).post(
        reverse("feedback:concern_flag", args=[concern.pk]), {"reason": ""}
    )

    assert response.status_code == 400
    assert "Your flag was not sent" in response.content.decode()
    assert not Flag.objects.exists()


def test_a_hidden_comment_shows_the_reason_and_not_its_text(client, people, concern):
    comment = comment_post(concern=concern, by=people["other"], body="Insult here")
    as_(client, people["hr"]).post(
        reverse("feedback:comment_hide", args=[comment.pk]), {"reason": "Abusive"}
    )

    for_hr = page_of(client, concern)
    for_employee = page_of(as_(client, people["raiser"]), concern)

    assert Comment.objects.get().hidden_by == people["hr"]
    assert "Hidden by moderator: Abusive" in for_employee
    assert "Insult here" not in for_employee
    assert "Insult here" in for_hr


def test_hiding_needs_a_reason(client, people, concern):
    response = as_(client, people["hr"]).post(
        reverse("feedback:concern_hide", args=[concern.pk]), {"reason": " "}
    )

    assert response.status_code == 400
    assert Concern.objects.get(pk=concern.pk).hidden_at is None


def test_a_hidden_concern_is_gone_for_employees(client, people, concern):
    as_(client, people["hr"]).post(
        reverse("feedback:concern_hide", args=[concern.pk]), {"reason": "Doxxing"}
    )

    response = as_(client, people["raiser"]).get(detail(concern))

    assert Concern.objects.get(pk=concern.pk).hidden_reason == "Doxxing"
    assert response.status_code == 404


# --- The owner's and HR's forms ---------------------------------------------------


def test_the_status_form_offers_only_the_allowed_moves(client, people, concern):
    response = as_(client, people["owner"]).get(detail(concern))

    choices = [
        value
        for value, _ in response.context["status_form"].fields["to_status"].choices
    ]
    assert choices == ["acknowledged", "in_progress", "declined"]
    assert "manage" in response.content.decode()


def test_employees_see_no_management_forms(client, people, concern):
    response = as_(client, people["other"]).get(detail(concern))

    assert response.context["status_form"] is None
    assert 'data-testid="manage"' not in response.content.decode()


def test_resolving_needs_a_written_outcome(client, people, concern):
    client = as_(client, people["owner"])
    url = reverse("feedback:concern_status", args=[concern.pk])
    client.post(url, {"to_status": "acknowledged"})

    refused = client.post(url, {"to_status": "resolved", "note": ""})
    assert refused.status_code == 400
    assert refused.context["status_form"].errors["note"]
    assert Concern.objects.get(pk=concern.pk).status == Status.ACKNOWLEDGED

    done = client.post(url, {"to_status": "resolved", "note": "Prompt fixed."})

    concern.refresh_from_db()
    assert done.status_code == 302
    assert (concern.status, concern.outcome) == (Status.RESOLVED, "Prompt fixed.")
    page = page_of(client, concern)
    assert "Acknowledged → Resolved" in page
    assert "Prompt fixed." in page


def test_a_move_that_is_not_allowed_is_refused(client, people, concern):
    response = as_(client, people["owner"]).post(
        reverse("feedback:concern_status", args=[concern.pk]),
        {"to_status": "resolved", "note": "Skipping ahead"},
    )

    assert response.status_code == 400
    assert Concern.objects.get(pk=concern.pk).status == Status.NEW


def test_reassigning_shows_in_the_history(client, people, concern):
    lena = PersonFactory(roles={Role.LEADER}, name="Lena Leader")
    client = as_(client, people["hr"])

    client.post(
        reverse("feedback:concern_reassign", args=[concern.pk]),
        {"owner": lena.pk, "note": "Closer to the work"},
    )

    assert Concern.objects.get(pk=concern.pk).owner == lena
    page = page_of(client, concern)
    assert "Owner: Olga Owner → Lena Leader" in page
    assert "Closer to the work" in page


def test_reassigning_to_the_current_owner_is_an_error(client, people, concern):
    response = as_(client, people["hr"]).post(
        reverse("feedback:concern_reassign", args=[concern.pk]),
        {"owner": people["owner"].pk},
    )

    assert response.status_code == 400
    assert response.context["reassign_form"].errors["owner"]
    assert StatusChange.objects.filter(concern=concern).count() == 1


@pytest.mark.parametrize("number", [987654, "self"])
def test_merging_into_a_missing_or_the_same_concern_is_refused(
    client, people, concern, number
):
    survivor = concern.pk if number == "self" else number

    response = as_(client, people["hr"]).post(
        reverse("feedback:concern_merge", args=[concern.pk]), {"survivor": survivor}
    )

    assert response.status_code == 400
    assert response.context["merge_form"].errors["survivor"]
    assert Concern.objects.get(pk=concern.pk).merged_into is None


def test_merging_links_both_ways(client, people, concern, tool):
    survivor = concern_raise(
        title="The older thread",
        body="b",
        category=Category.ACCURACY,
        by=people["other"],
        ai_tool=tool,
    )

    response = as_(client, people["owner"]).post(
        reverse("feedback:concern_merge", args=[concern.pk]),
        {"survivor": survivor.pk},
    )

    assert response["Location"] == detail(survivor)
    assert Concern.objects.get(pk=concern.pk).merged_into == survivor
    assert "Merged into" in page_of(client, concern)
    assert "Merged into this one" in page_of(client, survivor)


def test_an_owner_cannot_merge_into_a_concern_they_cannot_manage(
    client, people, concern
):
    foreign = concern_raise(
        title="Someone else's", body="b", category=Category.OTHER, by=people["other"]
    )

    response = as_(client, people["owner"]).post(
        reverse("feedback:concern_merge", args=[concern.pk]),
        {"survivor": foreign.pk},
    )

    assert response.status_code == 400
    assert Concern.objects.get(pk=concern.pk).merged_into is None


def test_linked_updates_show_on_the_concern(client, people, concern, tool):
    update_post(
        by=people["owner"],
        title="Copilot now cites sources",
        body="Every draft links to the policy it used.",
        ai_tool=tool,
        concerns=[concern],
    )

    page = page_of(as_(client, people["other"]), concern)

    assert "Updates that answer it" in page
    assert "Copilot now cites sources" in page


def test_a_merged_duplicate_offers_no_more_moves(client, people, concern, tool):
    survivor = concern_raise(
        title="Older",
        body="b",
        category=Category.ACCURACY,
        by=people["other"],
        ai_tool=tool,
    )
    concern_merge(duplicate=concern, survivor=survivor, by=people["hr"])

    response = as_(client, people["hr"]).get(detail(concern))

    assert response.context["status_form"] is None
    assert response.context["merge_form"] is None


def test_hiding_from_the_detail_page_keeps_the_hidden_concern_for_hr(
    client, people, concern
):
    hide(target=concern, by=people["hr"], reason="Names someone")

    page = page_of(as_(client, people["hr"]), concern)

    assert "Hidden by moderator: Names someone" in page
    assert "Hide this concern" not in page
