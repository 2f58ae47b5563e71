"""The rules of a concern's life: its owner, its due time, the status machine,
reassigning, merging, moderation, anonymity and bad input."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from feedback.models import (
    Category,
    CategoryPolicy,
    Comment,
    Concern,
    Flag,
    Notice,
    Status,
    StatusChange,
    Subscription,
    Vote,
)
from feedback.services.concerns import (
    ALLOWED_MOVES,
    POST_LIMIT,
    RateLimited,
    concern_edit,
    concern_merge,
    concern_raise,
    concern_reassign,
    concern_set_status,
    status_change_sentence,
)
from feedback.services.moderation import flag, hide
from feedback.services.thread import comment_post, follow_set, support_set
from feedback.services.updates import update_post
from org.roles import Role
from tests.org.factories import AIToolFactory, PersonFactory, TeamFactory

pytestmark = pytest.mark.django_db

FRIDAY_10 = dt.datetime(2026, 3, 6, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def people(db):
    hr = PersonFactory(roles={Role.HR})
    manager = PersonFactory(roles={Role.LEADER})
    team = TeamFactory(manager=manager)
    raiser = PersonFactory(team=team)
    colleague = PersonFactory(team=team)
    return {"hr": hr, "manager": manager, "raiser": raiser, "colleague": colleague}


def _raise(people, **fields) -> Concern:
    defaults = {
        "title": "Will the copilot replace our team?",
        "body": "People are worried about what happens to their roles.",
        "category": Category.JOB_SECURITY,
        "by": people["raiser"],
        "now": FRIDAY_10,
    }
    return concern_raise(**{**defaults, **fields})


# --- Owner and due time ----------------------------------------------------------


def test_a_named_tool_is_owned_by_the_tools_owner(people):
    tool = AIToolFactory()
    concern = _raise(people, ai_tool=tool, category=Category.ACCURACY)
    assert concern.owner == tool.owner


def test_without_a_tool_the_category_default_owner_owns_it(people):
    default = PersonFactory(roles={Role.LEADER})
    CategoryPolicy.objects.create(category=Category.SURVEILLANCE, default_owner=default)
    assert _raise(people, category=Category.SURVEILLANCE).owner == default


def test_else_the_raisers_team_manager_owns_it(people):
    assert _raise(people).owner == people["manager"]


def test_else_hr_owns_it_and_an_anonymous_concern_skips_the_manager(people):
    concern = _raise(people, anonymous=True)
    assert concern.owner == people["hr"]


def test_a_departed_owner_is_skipped(people):
    tool = AIToolFactory()
    tool.owner.user.is_active = False
    tool.owner.user.save()
    assert _raise(people, ai_tool=tool).owner == people["manager"]


def test_the_first_response_is_due_three_working_days_later(people):
    concern = _raise(people)  # a Friday
    assert concern.first_response_due_at == dt.datetime(2026, 3, 11, 10, tzinfo=dt.UTC)
    policy = CategoryPolicy.objects.create(category=Category.WORKLOAD, response_days=1)
    quick = _raise(people, category=policy.category)
    assert quick.first_response_due_at == dt.datetime(2026, 3, 9, 10, tzinfo=dt.UTC)


def test_raising_records_history_subscribes_the_raiser_and_tells_the_owner(people):
    concern = _raise(people)
    [line] = StatusChange.objects.filter(concern=concern)
    assert (line.from_status, line.to_status, line.actor, line.to_owner) == (
        "",
        Status.NEW,
        people["raiser"],
        people["manager"],
    )
    assert Subscription.objects.get(concern=concern).person == people["raiser"]
    notice = Notice.objects.get(concern=concern)
    assert notice.person == people["manager"] and notice.kind == Notice.Kind.ASSIGNED
    assert "Wednesday 11 March" in notice.body


def test_an_anonymous_concern_stores_no_person_anywhere(people):
    concern = _raise(people, anonymous=True)
    concern.refresh_from_db()
    assert concern.raised_by is None and concern.raised_by_customer is None
    assert not Subscription.objects.filter(concern=concern).exists()
    assert StatusChange.objects.get(concern=concern).actor is None
    person_keys = {
        name: value
        for name, value in Concern.objects.filter(pk=concern.pk).values().get().items()
        if name in ("raised_by_id", "raised_by_customer_id", "hidden_by_id", "owner_id")
    }
    assert person_keys == {
        "raised_by_id": None,
        "raised_by_customer_id": None,
        "hidden_by_id": None,
        "owner_id": people["hr"].pk,
    }


# --- Bad input ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"title": "   "}, "title"),
        ({"title": "x" * 141}, "title"),
        ({"body": ""}, "body"),
        ({"body": "x" * 5001}, "body"),
        ({"category": "gossip"}, "category"),
    ],
)
def test_bad_input_is_refused_with_a_field_error_and_saves_nothing(
    people, fields, field
):
    with pytest.raises(ValidationError) as error:
        _raise(people, **fields)
    assert field in error.value.message_dict
    assert not Concern.objects.exists() and not Notice.objects.exists()


def test_posting_is_rate_limited_per_person(people):
    for n in range(POST_LIMIT):
        _raise(people, title=f"Concern {n}")
    with pytest.raises(RateLimited, match="Please wait"):
        _raise(people, title="One too many")
    _raise(people, by=people["colleague"], title="Someone else may post")
    assert Concern.objects.count() == POST_LIMIT + 1


# --- The status machine ------------------------------------------------------------

ALL_MOVES = [(a, b) for a in Status.values for b in Status.values if a != b]


def _at_status(people, status: str) -> Concern:
    concern = _raise(people)
    Concern.objects.filter(pk=concern.pk).update(
        status=status,
        outcome="Done." if status in ("resolved", "declined") else "",
    )
    concern.refresh_from_db()
    return concern


@pytest.mark.parametrize("from_status, to_status", ALL_MOVES)
def test_every_move_is_allowed_or_refused_as_the_table_says(
    people, from_status, to_status
):
    concern = _at_status(people, from_status)
    allowed = to_status in ALLOWED_MOVES[from_status]
    if allowed:
        moved = concern_set_status(
            concern=concern, by=people["manager"], to_status=to_status, note="Because."
        )
        assert moved.status == to_status
        line = StatusChange.objects.filter(concern=concern).last()
        assert (line.from_status, line.to_status, line.actor, line.note) == (
            from_status,
            to_status,
            people["manager"],
            "Because.",
        )
    else:
        with pytest.raises(ValidationError, match="can move to"):
            concern_set_status(
                concern=concern, by=people["manager"], to_status=to_status, note="x"
            )
        concern.refresh_from_db()
        assert concern.status == from_status


def test_resolving_needs_an_outcome_and_declining_a_reason(people):
    concern = _at_status(people, Status.IN_PROGRESS)
    for status in (Status.RESOLVED, Status.DECLINED):
        with pytest.raises(ValidationError) as error:
            concern_set_status(
                concern=concern, by=people["manager"], to_status=status, note="  "
            )
        assert "note" in error.value.message_dict
    declined = concern_set_status(
        concern=concern,
        by=people["manager"],
        to_status=Status.DECLINED,
        note="We will keep the tool: it is optional and nobody is measured by it.",
    )
    assert declined.outcome.startswith("We will keep the tool")
    assert declined.first_responded_at is not None  # a written reason answers


def test_only_the_owner_or_hr_change_status_or_owner(people):
    concern = _raise(people)
    for outsider in (people["raiser"], people["colleague"]):
        with pytest.raises(PermissionDenied):
            concern_set_status(
                concern=concern, by=outsider, to_status=Status.ACKNOWLEDGED
            )
        with pytest.raises(PermissionDenied):
            concern_reassign(concern=concern, by=outsider, owner=outsider)
    concern_set_status(concern=concern, by=people["hr"], to_status=Status.ACKNOWLEDGED)
    assert Concern.objects.get(pk=concern.pk).status == Status.ACKNOWLEDGED


def test_a_status_change_tells_followers_but_not_whoever_made_it(people):
    concern = _raise(people)
    follow_set(concern=concern, person=people["colleague"], following=True)
    follow_set(concern=concern, person=people["manager"], following=True)
    concern_set_status(
        concern=concern, by=people["manager"], to_status=Status.ACKNOWLEDGED
    )
    told = set(
        Notice.objects.filter(kind=Notice.Kind.FOLLOWER).values_list(
            "person", flat=True
        )
    )
    assert told == {people["raiser"].pk, people["colleague"].pk}


@pytest.mark.parametrize(
    ("from_status", "to_status", "note", "sentence"),
    [
        (Status.NEW, Status.ACKNOWLEDGED, "", "{by} acknowledged this concern."),
        (Status.NEW, Status.IN_PROGRESS, "", "{by} started work on this concern."),
        (
            Status.IN_PROGRESS,
            Status.RESOLVED,
            "Training is booked.",
            "{by} marked this concern resolved:\n\nTraining is booked.",
        ),
        (
            Status.NEW,
            Status.DECLINED,
            "Out of scope.",
            "{by} declined this concern:\n\nOut of scope.",
        ),
        (Status.RESOLVED, Status.ACKNOWLEDGED, "", "{by} reopened this concern."),
    ],
)
def test_followers_read_a_plain_sentence_for_each_status(
    people, from_status, to_status, note, sentence
):
    concern = _at_status(people, from_status)
    manager = people["manager"]

    concern_set_status(concern=concern, by=manager, to_status=to_status, note=note)

    body = Notice.objects.get(kind=Notice.Kind.FOLLOWER, person=people["raiser"]).body
    assert sentence.format(by=manager.name) in body
    assert "moved to" not in body


def test_every_status_has_its_sentence():
    sentences = {
        status_change_sentence(by="Morgan Reyes", from_status="", to_status=status)
        for status in Status
    }

    assert "Morgan Reyes marked this concern resolved" in sentences
    assert len(sentences) == len(Status)


def test_reassigning_is_recorded_and_restarts_the_reminder_steps(people):
    concern = _raise(people)
    Concern.objects.filter(pk=concern.pk).update(reminded_at=FRIDAY_10)
    concern.refresh_from_db()
    new_owner = PersonFactory(roles={Role.LEADER})
    concern_reassign(
        concern=concern, by=people["hr"], owner=new_owner, note="Owns the rollout."
    )
    concern.refresh_from_db()
    assert concern.owner == new_owner and concern.reminded_at is None
    line = StatusChange.objects.filter(concern=concern).last()
    assert (line.from_owner, line.to_owner, line.actor) == (
        people["manager"],
        new_owner,
        people["hr"],
    )
    assert Notice.objects.filter(person=new_owner, kind="assigned").exists()


# --- Thread ------------------------------------------------------------------------


def test_only_the_owner_or_hr_respond_officially_and_that_stops_the_clock(people):
    concern = _raise(people)
    with pytest.raises(PermissionDenied):
        comment_post(concern=concern, by=people["colleague"], body="Hi", official=True)
    comment_post(concern=concern, by=people["colleague"], body="Same worry here.")
    assert Concern.objects.get(pk=concern.pk).first_responded_at is None
    later = FRIDAY_10 + dt.timedelta(days=1)
    comment_post(
        concern=concern,
        by=people["manager"],
        body="Nobody's role changes this year.",
        official=True,
        now=later,
    )
    concern.refresh_from_db()
    assert concern.first_responded_at == later
    followers = Notice.objects.filter(kind="follower").values_list("person", flat=True)
    assert set(followers) == {people["raiser"].pk, people["colleague"].pk}


def test_me_too_is_one_per_person_and_can_be_withdrawn(people):
    concern = _raise(people)
    assert support_set(concern=concern, person=people["colleague"], supported=True) == 1
    assert support_set(concern=concern, person=people["colleague"], supported=True) == 1
    assert support_set(concern=concern, person=people["hr"], supported=True) == 2
    assert support_set(concern=concern, person=people["hr"], supported=False) == 1
    assert Vote.objects.filter(concern=concern).count() == 1


def test_an_unsubscribed_commenter_is_not_subscribed_again(people):
    concern = _raise(people)
    follow_set(concern=concern, person=people["colleague"], following=False)
    comment_post(concern=concern, by=people["colleague"], body="One more thought.")
    assert not Subscription.objects.get(
        concern=concern, person=people["colleague"]
    ).active


def test_authors_edit_their_posts_only_within_the_window(people):
    concern = _raise(people)
    concern_edit(
        concern=concern,
        by=people["raiser"],
        title="Will the copilot replace us?",
        body="Edited.",
        now=FRIDAY_10 + dt.timedelta(minutes=10),
    )
    with pytest.raises(PermissionDenied, match="15 minutes"):
        concern_edit(
            concern=concern,
            by=people["raiser"],
            title="Again",
            body="Too late.",
            now=FRIDAY_10 + dt.timedelta(minutes=16),
        )
    with pytest.raises(PermissionDenied):
        concern_edit(concern=concern, by=people["colleague"], title="Mine", body="No")
    assert Concern.objects.get(pk=concern.pk).title == "Will the copilot replace us?"


# --- Merge -------------------------------------------------------------------------


def test_merging_carries_supporters_and_followers_and_links_the_survivor(people):
    survivor = _raise(people, title="Is the copilot replacing jobs?")
    duplicate = _raise(people, by=people["colleague"], title="Copilot and our jobs")
    support_set(concern=duplicate, person=people["hr"], supported=True)
    support_set(concern=duplicate, person=people["raiser"], supported=True)
    support_set(concern=survivor, person=people["raiser"], supported=True)

    merged = concern_merge(duplicate=duplicate, survivor=survivor, by=people["hr"])

    duplicate.refresh_from_db()
    assert duplicate.merged_into == survivor and duplicate.status == Status.DECLINED
    assert f"Merged into #{survivor.pk}" in duplicate.outcome
    assert merged.support_count == 2  # hr and raiser, counted once each
    followers = set(
        Subscription.objects.filter(concern=survivor).values_list("person", flat=True)
    )
    assert followers == {people["raiser"].pk, people["colleague"].pk}
    with pytest.raises(ValidationError):
        concern_merge(duplicate=survivor, survivor=survivor, by=people["hr"])
    with pytest.raises(ValidationError, match="itself merged"):
        concern_merge(duplicate=_raise(people), survivor=duplicate, by=people["hr"])


# --- Moderation --------------------------------------------------------------------


def test_hr_hides_with_a_reason_and_anyone_flags_once(people):
    concern = _raise(people)
    comment = comment_post(concern=concern, by=people["colleague"], body="Rude words")
    assert flag(target=comment, by=people["raiser"], reason="Personal attack")
    assert flag(target=comment, by=people["raiser"], reason="Again") is None
    with pytest.raises(PermissionDenied):
        hide(target=comment, by=people["manager"], reason="I dislike it")
    with pytest.raises(ValidationError):
        hide(target=comment, by=people["hr"], reason=" ")
    hide(target=comment, by=people["hr"], reason="Personal attack on a colleague")
    comment.refresh_from_db()
    assert comment.hidden_reason == "Personal attack on a colleague"
    assert comment.hidden_by == people["hr"]
    assert Flag.objects.get().resolved_at is not None
    with pytest.raises(ValidationError):
        comment_post(concern=concern, by=people["raiser"], body="Reply", parent=comment)
    assert Comment.objects.count() == 1


# --- Updates -----------------------------------------------------------------------


def test_an_update_reaches_each_follower_once_and_only_hr_or_the_owner_post(people):
    tool = AIToolFactory(owner=people["manager"])
    first = _raise(people, ai_tool=tool, title="Drafts are wrong")
    second = _raise(people, ai_tool=tool, title="Drafts are slow")
    with pytest.raises(PermissionDenied):
        update_post(by=people["colleague"], title="x", body="y", ai_tool=tool)
    update_post(
        by=people["manager"],
        title="Drafts now cite their sources",
        body="Every draft links the article it used.",
        ai_tool=tool,
        concerns=[first, second],
    )
    told = Notice.objects.filter(kind="follower", person=people["raiser"])
    assert told.count() == 1  # follows both, told once
    assert first.updates.get().title == "Drafts now cite their sources"


def test_a_moderator_dismisses_an_unfounded_flag_and_the_post_stays(people, client):
    from django.urls import reverse

    from feedback.services.moderation import flag_dismiss

    concern = _raise(people)
    raised = flag(target=concern, by=people["colleague"], reason="Off topic?")
    with pytest.raises(PermissionDenied):
        flag_dismiss(target_flag=raised, by=people["colleague"])
    client.force_login(people["hr"].user)
    response = client.post(reverse("feedback:flag_dismiss", args=[raised.pk]))
    assert response.status_code == 302
    raised.refresh_from_db()
    assert raised.resolved_at is not None
    assert Concern.objects.get(pk=concern.pk).hidden_at is None


def test_no_support_for_a_merged_or_hidden_concern(people):
    survivor = _raise(people, title="Survivor")
    duplicate = _raise(people, title="Duplicate")
    concern_merge(duplicate=duplicate, survivor=survivor, by=people["hr"])
    duplicate.refresh_from_db()
    with pytest.raises(ValidationError, match="merged into"):
        support_set(concern=duplicate, person=people["colleague"], supported=True)
    hide(target=survivor, by=people["hr"], reason="Posted personal data")
    with pytest.raises(ValidationError, match="hidden"):
        support_set(concern=survivor, person=people["colleague"], supported=True)
    with pytest.raises(ValidationError, match="hidden"):
        concern_merge(
            duplicate=_raise(people, title="Late"), survivor=survivor, by=people["hr"]
        )


def test_a_concern_number_past_64_bits_finds_nothing_instead_of_failing(people):
    from feedback.selectors import concerns_by_number

    concern = _raise(people)

    found = concerns_by_number(numbers=[concern.pk, 10**30, 0], moderator=False)

    assert found == [concern]
