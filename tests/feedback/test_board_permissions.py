"""Who may open each board page and do each action: the permission matrix.

Personas: an anonymous visitor, the employee who raised the concern ("raiser"),
another employee, the concern's owner (a leader who owns its AI tool), HR, and a
customer holding their private link.
"""

from __future__ import annotations

import pytest
from django.core import signing
from django.urls import reverse

from feedback.customer_links import customer_token
from feedback.models import Category, Comment, Concern, Flag, Status, Subscription
from feedback.services.concerns import concern_raise
from feedback.services.moderation import hide
from feedback.services.notify import UNSUBSCRIBE_SALT
from feedback.services.thread import comment_post
from org.roles import Role
from tests.org.factories import AIToolFactory, CustomerFactory, PersonFactory

pytestmark = pytest.mark.django_db

PERSONAS = ("raiser", "other", "owner", "hr")


@pytest.fixture
def world(db):
    hr = PersonFactory(roles={Role.HR}, name="Hana HR")
    owner = PersonFactory(roles={Role.LEADER}, name="Olga Owner")
    raiser = PersonFactory(name="Rita Raiser")
    other = PersonFactory(name="Otto Other")
    tool = AIToolFactory(owner=owner, name="Copilot")
    concern = concern_raise(
        title="Copilot drafts are wrong",
        body="It invents policy numbers.",
        category=Category.ACCURACY,
        by=raiser,
        ai_tool=tool,
    )
    survivor = concern_raise(
        title="Copilot accuracy in general",
        body="Same topic, older thread.",
        category=Category.ACCURACY,
        by=other,
        ai_tool=tool,
    )
    comment = comment_post(concern=concern, by=raiser, body="It happened again.")
    secret = concern_raise(
        title="Secret hidden title",
        body="Hidden body text",
        category=Category.OTHER,
        by=other,
        ai_tool=tool,
    )
    hide(target=secret, by=hr, reason="Names a colleague")
    customer = CustomerFactory()
    customer_concern = concern_raise(
        title="Do you train AI on our data?",
        body="We need to know.",
        category=Category.SURVEILLANCE,
        customer=customer,
    )
    return {
        "hr": hr,
        "owner": owner,
        "raiser": raiser,
        "other": other,
        "tool": tool,
        "concern": concern,
        "survivor": survivor,
        "comment": comment,
        "secret": secret,
        "customer": customer,
        "customer_concern": customer_concern,
    }


def client_as(client, world, persona):
    if persona != "anonymous":
        client.force_login(world[persona].user)
    return client


# (url name, target, method, data builder)
ACTIONS = {
    "board": ("feedback:board", None, "get", None),
    "create": ("feedback:concern_create", None, "get", None),
    "detail": ("feedback:concern_detail", "concern", "get", None),
    "edit": ("feedback:concern_edit", "concern", "get", None),
    "comment_edit": ("feedback:comment_edit", "comment", "get", None),
    "you_said": ("feedback:you_said_we_did", None, "get", None),
    "updates": ("feedback:update_list", None, "get", None),
    "update_create": ("feedback:update_create", None, "get", None),
    "moderation": ("feedback:moderation", None, "get", None),
    "comment": (
        "feedback:comment_create",
        "concern",
        "post",
        lambda w: {"body": "Me as well."},
    ),
    "support": (
        "feedback:concern_support",
        "concern",
        "post",
        lambda w: {"supported": "1"},
    ),
    "follow": (
        "feedback:concern_follow",
        "concern",
        "post",
        lambda w: {"following": "1"},
    ),
    "flag": (
        "feedback:concern_flag",
        "concern",
        "post",
        lambda w: {"reason": "Off topic"},
    ),
    "status": (
        "feedback:concern_status",
        "concern",
        "post",
        lambda w: {"to_status": "acknowledged", "note": ""},
    ),
    "reassign": (
        "feedback:concern_reassign",
        "concern",
        "post",
        lambda w: {"owner": w["hr"].pk, "note": "HR takes it"},
    ),
    "merge": (
        "feedback:concern_merge",
        "concern",
        "post",
        lambda w: {"survivor": w["survivor"].pk},
    ),
    "hide": (
        "feedback:concern_hide",
        "concern",
        "post",
        lambda w: {"reason": "Personal attack"},
    ),
    "comment_hide": (
        "feedback:comment_hide",
        "comment",
        "post",
        lambda w: {"reason": "Personal attack"},
    ),
}

EXPECTED = {
    # action: (raiser, other, owner, hr)
    "board": (200, 200, 200, 200),
    "create": (200, 200, 200, 200),
    "detail": (200, 200, 200, 200),
    "edit": (200, 403, 403, 403),
    "comment_edit": (200, 403, 403, 403),
    "you_said": (200, 200, 200, 200),
    "updates": (200, 200, 200, 200),
    "update_create": (403, 403, 200, 200),
    "moderation": (403, 403, 403, 200),
    "comment": (302, 302, 302, 302),
    "support": (302, 302, 302, 302),
    "follow": (302, 302, 302, 302),
    "flag": (302, 302, 302, 302),
    "status": (403, 403, 302, 302),
    "reassign": (403, 403, 302, 302),
    "merge": (403, 403, 302, 302),
    "hide": (403, 403, 403, 302),
    "comment_hide": (403, 403, 403, 302),
}
MATRIX = [
    (action, persona, status)
    for action, statuses in EXPECTED.items()
    for persona, status in zip(PERSONAS, statuses, strict=True)
]


def request_action(client, world, action):
    name, target, method, data = ACTIONS[action]
    url = reverse(name, args=[world[target].pk] if target else [])
    payload = data(world) if data else {}
    return getattr(client, method)(url, payload)


def state_of(world) -> tuple:
    concern = Concern.objects.get(pk=world["concern"].pk)
    return (
        concern.status,
        concern.owner_id,
        concern.merged_into_id,
        concern.hidden_at,
        concern.support_count,
        Comment.objects.count(),
        Comment.objects.filter(hidden_at__isnull=False).count(),
        Flag.objects.count(),
    )


@pytest.mark.parametrize(("action", "persona", "status"), MATRIX)
def test_each_persona_gets_the_expected_answer(client, world, action, persona, status):
    response = request_action(client_as(client, world, persona), world, action)

    assert response.status_code == status


@pytest.mark.parametrize(
    ("action", "persona"),
    [(a, p) for a, p, s in MATRIX if s == 403 and ACTIONS[a][2] == "post"],
)
def test_a_refused_action_changes_nothing(client, world, action, persona):
    before = state_of(world)

    response = request_action(client_as(client, world, persona), world, action)

    assert response.status_code == 403
    assert state_of(world) == before


@pytest.mark.parametrize(
    ("action", "persona"),
    [(a, p) for a, p, s in MATRIX if s == 302 and ACTIONS[a][2] == "post"],
)
def test_an_allowed_action_changes_the_concern(client, world, action, persona):
    before = state_of(world)

    response = request_action(client_as(client, world, persona), world, action)

    assert response.status_code == 302
    if action == "follow":  # the concern itself does not change
        assert Subscription.objects.filter(
            concern=world["concern"], person=world[persona], active=True
        ).exists()
    else:
        assert state_of(world) != before


@pytest.mark.parametrize("action", list(ACTIONS))
def test_an_anonymous_visitor_is_sent_to_sign_in(client, world, action):
    before = state_of(world)

    response = request_action(client, world, action)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert state_of(world) == before


@pytest.mark.parametrize("persona", ["raiser", "other", "owner"])
def test_a_hidden_concern_is_not_found_for_non_moderators(client, world, persona):
    client = client_as(client, world, persona)

    response = client.get(reverse("feedback:concern_detail", args=[world["secret"].pk]))

    assert response.status_code == 404
    assert "Secret hidden title" not in response.content.decode()
    assert "Hidden body text" not in response.content.decode()


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("feedback:comment_create", {"body": "Still here?"}),
        ("feedback:concern_support", {"supported": "1"}),
        ("feedback:concern_follow", {"following": "1"}),
        ("feedback:concern_flag", {"reason": "Spam"}),
    ],
)
def test_nobody_but_moderators_acts_on_a_hidden_concern(client, world, name, data):
    client = client_as(client, world, "raiser")
    secret = world["secret"]

    response = client.post(reverse(name, args=[secret.pk]), data)

    assert response.status_code == 404
    assert not secret.comments.exists()
    assert not secret.flags.exists()
    assert Concern.objects.get(pk=secret.pk).support_count == 0


def test_hr_opens_a_hidden_concern_and_sees_it_marked(client, world):
    client = client_as(client, world, "hr")

    response = client.get(reverse("feedback:concern_detail", args=[world["secret"].pk]))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Hidden by moderator: Names a colleague" in page
    assert "Hidden body text" in page


def test_an_unknown_concern_is_not_found(client, world):
    client = client_as(client, world, "hr")

    response = client.get(reverse("feedback:concern_detail", args=[987654]))

    assert response.status_code == 404


def test_a_person_without_a_person_record_reads_but_cannot_post(client, world):
    admin = PersonFactory().user
    admin.is_superuser = admin.is_staff = True
    admin.save()
    admin.person.delete()
    client.force_login(admin)
    concern = world["concern"]

    reads = client.get(reverse("feedback:concern_detail", args=[concern.pk]))
    posts = client.post(
        reverse("feedback:comment_create", args=[concern.pk]), {"body": "Hi"}
    )

    assert reads.status_code == 200
    assert posts.status_code == 403
    assert concern.comments.count() == 1


# --- A customer with their private link -------------------------------------------


def test_a_customer_link_opens_the_customer_board_without_sign_in(client, world):
    token = customer_token(world["customer"])

    board = client.get(reverse("feedback:customer_board", args=[token]))
    detail = client.get(
        reverse("feedback:customer_concern", args=[token, world["customer_concern"].pk])
    )

    assert board.status_code == 200
    assert detail.status_code == 200
    assert "Do you train AI on our data?" in board.content.decode()


def test_a_customer_link_never_opens_an_employee_concern(client, world):
    token = customer_token(world["customer"])

    response = client.get(
        reverse("feedback:customer_concern", args=[token, world["concern"].pk])
    )

    assert response.status_code == 404
    assert "Copilot drafts are wrong" not in response.content.decode()


def test_a_customer_link_does_not_open_the_employee_board(client, world):
    customer_token(world["customer"])  # holding a link signs nobody in

    response = client.get(reverse("feedback:board"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    "token",
    [
        "nonsense",
        signing.dumps(987654, salt="feedback.customer"),  # no such customer
        signing.dumps(1, salt="some.other.salt"),
    ],
)
def test_a_bad_customer_link_is_not_found(client, world, token):
    response = client.get(reverse("feedback:customer_board", args=[token]))

    assert response.status_code == 404
    assert "We do not recognise this link" in response.content.decode()


def test_a_deactivated_customers_link_is_closed(client, world):
    customer = world["customer"]
    customer.is_active = False
    customer.save()

    response = client.get(
        reverse("feedback:customer_board", args=[customer_token(customer)])
    )

    assert response.status_code == 410
    assert "This link no longer works" in response.content.decode()


def test_a_guesser_of_customer_links_is_slowed_down(client, world):
    for attempt in range(20):
        client.get(reverse("feedback:customer_board", args=[f"guess-{attempt}"]))

    response = client.get(
        reverse("feedback:customer_board", args=[customer_token(world["customer"])])
    )

    assert response.status_code == 429


# --- Unsubscribe ------------------------------------------------------------------


def test_the_unsubscribe_link_works_without_sign_in(client, world):
    subscription = Subscription.objects.get(
        concern=world["concern"], person=world["raiser"]
    )
    url = reverse(
        "feedback:unsubscribe",
        args=[signing.dumps(subscription.pk, salt=UNSUBSCRIBE_SALT)],
    )

    confirm = client.get(url)
    subscription.refresh_from_db()
    assert confirm.status_code == 200
    assert subscription.active  # a GET (a mail scanner) changes nothing

    done = client.post(url)

    subscription.refresh_from_db()
    assert done.status_code == 200
    assert "no more emails" in done.content.decode()
    assert not subscription.active


def test_a_bad_unsubscribe_link_is_a_clear_404(client, world):
    response = client.get(reverse("feedback:unsubscribe", args=["not-a-token"]))

    assert response.status_code == 404
    assert "We do not recognise this unsubscribe link" in response.content.decode()
    assert Subscription.objects.filter(active=False).count() == 0


def test_an_employee_concern_stays_new_after_refused_status_changes(client, world):
    client = client_as(client, world, "other")

    client.post(
        reverse("feedback:concern_status", args=[world["concern"].pk]),
        {"to_status": "declined", "note": "No"},
    )

    assert Concern.objects.get(pk=world["concern"].pk).status == Status.NEW
