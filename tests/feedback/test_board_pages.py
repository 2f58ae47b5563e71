"""The board's other pages: "You said, we did", updates, moderation, the customers'
link, and the board's sections on each role's home page."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from feedback.customer_links import customer_board_url, customer_token
from feedback.models import Audience, Category, Comment, Concern, Flag, Update
from feedback.services.concerns import (
    CUSTOMER_CATEGORIES,
    concern_raise,
    concern_set_status,
)
from feedback.services.moderation import flag, hide
from feedback.services.thread import comment_post, follow_set
from feedback.services.updates import update_post
from tests.org.factories import AIToolFactory, CustomerFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def raise_(people, title="A concern", by="raiser", **fields) -> Concern:
    values = {"body": "Body text.", "category": Category.OTHER, "by": people[by]}
    return concern_raise(title=title, **{**values, **fields})


def resolve(concern: Concern, by, outcome: str, when: dt.datetime) -> Concern:
    concern_set_status(concern=concern, by=by, to_status="acknowledged", now=when)
    concern.refresh_from_db()
    return concern_set_status(
        concern=concern, by=by, to_status="resolved", note=outcome, now=when
    )


def as_(client, person):
    client.force_login(person.user)
    return client


def section(html: str, testid: str) -> str:
    start = html.find(f'data-testid="{testid}"')
    return "" if start < 0 else html[start : html.find("</section>", start)]


# --- You said, we did -------------------------------------------------------------


def test_you_said_we_did_lists_resolved_concerns_newest_first(client, people):
    hr = people["hr"]
    first = resolve(raise_(people, "First"), hr, "We added training.", NOW)
    later = resolve(
        raise_(people, "Later"), hr, "We paused the agent.", NOW + dt.timedelta(1)
    )
    raise_(people, "Still open")
    hidden = resolve(raise_(people, "Hidden one"), hr, "Done.", NOW)
    hide(target=hidden, by=hr, reason="Abusive")

    response = as_(client, people["other"]).get(reverse("feedback:you_said_we_did"))

    assert [c.pk for c in response.context["page"]] == [later.pk, first.pk]
    page = response.content.decode()
    assert "We paused the agent." in page and "We added training." in page
    assert "Still open" not in page and "Hidden one" not in page


# --- Updates ----------------------------------------------------------------------


def test_hr_posts_an_update_that_answers_concerns(client, people, tool):
    concern = raise_(people, "Copilot is wrong", ai_tool=tool)
    client = as_(client, people["hr"])

    form = client.get(reverse("feedback:update_create"), {"concern": concern.pk})
    response = client.post(
        reverse("feedback:update_create"),
        {
            "title": "Copilot cites sources",
            "body": "Every draft now links its source.",
            "ai_tool": tool.pk,
            "concerns": f"#{concern.pk}",
        },
    )

    assert form.context["form"].initial["concerns"] == str(concern.pk)
    assert response.status_code == 302
    update = Update.objects.get()
    assert list(update.concerns.all()) == [concern]
    listing = client.get(reverse("feedback:update_list")).content.decode()
    assert "Copilot cites sources" in listing
    assert f"#{concern.pk} Copilot is wrong" in listing


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title": "", "body": "b"}, "title"),
        ({"title": "t", "body": ""}, "body"),
        ({"title": "t", "body": "b", "concerns": "12, abc"}, "concerns"),
        ({"title": "t", "body": "b", "concerns": "987654"}, "concerns"),
        # A digit to str.isdigit() that int() refuses: was a server error.
        ({"title": "t", "body": "b", "concerns": "12, ²"}, "concerns"),
        ({"title": "t", "body": "b", "concerns": str(10**30)}, "concerns"),
    ],
)
def test_a_bad_update_saves_nothing(client, people, data, field):
    response = as_(client, people["hr"]).post(
        reverse("feedback:update_create"), {"ai_tool": "", "concerns": "", **data}
    )

    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert not Update.objects.exists()


def test_a_tool_owner_posts_only_about_their_own_tool(client, people, tool):
    someone_elses = AIToolFactory(name="Other tool")
    client = as_(client, people["owner"])

    refused = client.post(
        reverse("feedback:update_create"),
        {"title": "t", "body": "b", "ai_tool": someone_elses.pk},
    )
    no_tool = client.post(
        reverse("feedback:update_create"), {"title": "t", "body": "b"}
    )
    posted = client.post(
        reverse("feedback:update_create"),
        {"title": "Ours", "body": "b", "ai_tool": tool.pk},
    )

    assert refused.status_code == 400 and no_tool.status_code == 400
    assert posted.status_code == 302
    assert list(Update.objects.values_list("title", flat=True)) == ["Ours"]


def test_an_update_script_is_shown_escaped(client, people):
    update_post(by=people["hr"], title="<script>alert(1)</script>", body="b")

    page = as_(client, people["other"]).get(reverse("feedback:update_list"))

    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.content.decode()
    assert "<script>alert" not in page.content.decode()


# --- Moderation -------------------------------------------------------------------


def test_the_moderation_page_lists_open_flags_without_who_flagged(client, people):
    concern = raise_(people, "Flagged concern")
    comment = comment_post(concern=concern, by=people["other"], body="Rude words")
    flag(target=concern, by=people["raiser"], reason="Off topic")
    flag(target=comment, by=people["raiser"], reason="Insulting")

    response = as_(client, people["hr"]).get(reverse("feedback:moderation"))

    page = response.content.decode()
    assert len(response.context["flags"]) == 2
    assert "Off topic" in page and "Insulting" in page and "Rude words" in page
    assert "Rita Raiser" not in page


def test_hiding_from_the_moderation_page_closes_the_flag(client, people):
    concern = raise_(people)
    comment = comment_post(concern=concern, by=people["other"], body="Rude")
    flag(target=comment, by=people["raiser"], reason="Insulting")

    response = as_(client, people["hr"]).post(
        reverse("feedback:comment_hide", args=[comment.pk]),
        {"reason": "Insulting", "back": "moderation"},
    )

    assert response["Location"] == reverse("feedback:moderation")
    assert Comment.objects.get().hidden_at == NOW
    assert Flag.objects.get().resolved_at == NOW
    assert "No open flags" in client.get(response["Location"]).content.decode()


# --- The customers' link ----------------------------------------------------------


@pytest.fixture
def customer(db):
    return CustomerFactory(name="Cora Customer", company="Acme")


def test_the_customer_board_shows_customer_concerns_only(client, people, customer):
    raise_(people, "Employee-only worry")
    hidden = concern_raise(
        title="Hidden customer post", body="b", category="other", customer=customer
    )
    hide(target=hidden, by=people["hr"], reason="Spam")
    shown = concern_raise(
        title="Do you train on our data?", body="b", category="other", customer=customer
    )

    url = customer_board_url(customer)
    response = client.get(
        reverse("feedback:customer_board", args=[customer_token(customer)])
    )

    assert url.startswith("http") and url.endswith(customer_token(customer) + "/")

    assert [c.pk for c in response.context["page"]] == [shown.pk]
    page = response.content.decode()
    assert "Employee-only worry" not in page
    assert "Hidden customer post" not in page


def test_a_customer_raises_a_concern_through_the_link(client, customer, people):
    url = reverse("feedback:customer_board", args=[customer_token(customer)])

    response = client.post(
        url,
        {
            "title": "Is a human reading my case?",
            "body": "Please say.",
            "category": "governance",
        },
    )

    concern = Concern.objects.get()
    assert response.status_code == 302
    assert concern.audience == Audience.CUSTOMERS
    assert concern.raised_by_customer == customer
    assert concern.raised_by is None


def test_a_customer_may_raise_anonymously(client, customer, people):
    url = reverse("feedback:customer_board", args=[customer_token(customer)])

    client.post(
        url,
        {"title": "Anon", "body": "b", "category": "other", "anonymous": "on"},
    )

    concern = Concern.objects.get()
    assert concern.anonymous and concern.raised_by_customer is None
    page = as_(client, people["hr"]).get(
        reverse("feedback:concern_detail", args=[concern.pk])
    )
    assert "Cora Customer" not in page.content.decode()


def test_customers_are_offered_only_categories_about_the_service(client, customer):
    url = reverse("feedback:customer_board", args=[customer_token(customer)])

    form = client.get(url).context["form"]

    offered = [value for value, _ in form.fields["category"].choices if value]
    assert offered == list(CUSTOMER_CATEGORIES)
    assert not {"job_security", "workload", "training"} & set(offered)


def test_the_service_refuses_a_staff_category_from_a_customer(customer, people):
    with pytest.raises(ValidationError) as refused:
        concern_raise(
            title="t", body="b", category=Category.WORKLOAD, customer=customer
        )

    assert "category" in refused.value.message_dict
    assert not Concern.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"title": "", "body": "b", "category": "other"},
        {"title": "t", "body": "", "category": "other"},
        {"title": "x" * 141, "body": "b", "category": "other"},
        {"title": "t", "body": "b", "category": "bogus"},
        {"title": "t", "body": "b", "category": "job_security"},
    ],
)
def test_a_customers_bad_input_saves_nothing(client, customer, data):
    url = reverse("feedback:customer_board", args=[customer_token(customer)])

    response = client.post(url, data)

    assert response.status_code == 400
    assert "Nothing was posted" in response.content.decode()
    assert not Concern.objects.exists()


def test_a_customer_reads_official_responses_not_the_staff_discussion(
    client, customer, people
):
    concern = concern_raise(
        title="Data use?",
        body="<script>alert(1)</script>",
        category="other",
        customer=customer,
    )
    comment_post(concern=concern, by=people["other"], body="Internal chatter")
    comment_post(
        concern=concern, by=people["hr"], body="We never train on it.", official=True
    )

    response = client.get(
        reverse(
            "feedback:customer_concern", args=[customer_token(customer), concern.pk]
        )
    )

    page = response.content.decode()
    assert "Official response from Hana HR" in page
    assert "We never train on it." in page
    assert "Internal chatter" not in page
    assert "&lt;script&gt;" in page and "<script>alert" not in page


# --- Home page sections -----------------------------------------------------------


def test_an_employees_home_lists_what_they_raised_or_follow(client, people):
    mine = raise_(people, "My named concern")
    raise_(people, "My anonymous concern", anonymous=True)
    followed = raise_(people, "Someone else's", by="other")
    follow_set(concern=followed, person=people["raiser"], following=True)
    raise_(people, "Not mine", by="other")

    home = as_(client, people["raiser"]).get(reverse("home")).content.decode()

    mine_section = section(home, "my-concerns")
    assert "My named concern" in mine_section and "Someone else" in mine_section
    assert "My anonymous concern" not in mine_section
    assert "Not mine" not in mine_section
    assert mine.pk != followed.pk


def test_a_leaders_home_lists_the_open_concerns_they_own_overdue_first_and_marked(
    client, people, tool, _frozen_clock
):
    old = raise_(people, "Old and unanswered", ai_tool=tool)
    done = raise_(people, "Already resolved", ai_tool=tool)
    resolve(done, people["owner"], "Fixed.", NOW)
    _frozen_clock.shift(dt.timedelta(days=10))
    raise_(people, "Fresh one", ai_tool=tool)

    home = as_(client, people["owner"]).get(reverse("home")).content.decode()

    owned = section(home, "owned-concerns")
    assert owned.index("Old and unanswered") < owned.index("Fresh one")
    assert "Already resolved" not in owned  # on the board, not waiting for them
    assert owned.count(">Overdue<") == 1
    assert Concern.objects.get(pk=old.pk).first_responded_at is None


def test_an_employee_owning_nothing_sees_no_owned_section(client, people):
    home = as_(client, people["other"]).get(reverse("home")).content.decode()

    assert section(home, "owned-concerns") == ""
    assert section(home, "board-moderation") == ""


def test_hrs_home_links_to_the_board_and_the_flags(client, people):
    concern = raise_(people)
    flag(target=concern, by=people["other"], reason="Spam")

    home = as_(client, people["hr"]).get(reverse("home")).content.decode()

    moderation = section(home, "board-moderation")
    assert reverse("feedback:board") in moderation
    assert reverse("feedback:moderation") in moderation
    assert "1 flag waiting" in moderation
