"""The demo board: some forty concerns over the demo weeks in every status, with
threads, supporters, official responses, updates and two-click ratings. Deterministic
and safe to run twice."""

from __future__ import annotations

import datetime as dt
import random
import re
from collections import Counter

import pytest
import time_machine
from django.db.models import Count, F, Q
from django.utils import timezone

from demo.board import seed_feedback
from demo.board_script import SPECS
from demo.org import demo_start, seed_org
from feedback.models import (
    Audience,
    CategoryPolicy,
    Comment,
    Concern,
    Flag,
    Notice,
    OutputRating,
    Status,
    StatusChange,
    Subscription,
    Update,
    Vote,
)
from feedback.permissions import can_manage
from feedback.services.followups import followups_run
from org.models import Accuracy, AITool

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 25, 12, 0, tzinfo=dt.UTC)  # a Wednesday
OPEN = (Status.NEW, Status.ACKNOWLEDGED, Status.IN_PROGRESS)


def rng(seed):
    return random.Random(seed)  # noqa: S311 (demo data, not cryptography)


@pytest.fixture(autouse=True)
def _frozen_clock():
    # Rows the services stamp with the clock are dated back by the seeder; freezing
    # it makes two runs comparable to the microsecond.
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def org():
    return seed_org(rng=rng(1), employees=30, start=demo_start(12, NOW))


def seed(org, *, seed=3, weeks=12):
    return seed_feedback(rng=rng(seed), org=org, start=demo_start(weeks, NOW), now=NOW)


def overdue():
    return Concern.objects.filter(
        status__in=OPEN, first_responded_at=None, first_response_due_at__lt=NOW
    )


def snapshot() -> dict[str, list]:
    """Every feedback table, by natural keys rather than ids."""
    return {
        "policies": list(
            CategoryPolicy.objects.order_by("category").values_list(
                "category", "default_owner__user__email", "response_days"
            )
        ),
        "concerns": list(
            Concern.objects.order_by("title").values_list(
                "title",
                "body",
                "category",
                "ai_tool__name",
                "audience",
                "raised_by__user__email",
                "raised_by_customer__email",
                "anonymous",
                "owner__user__email",
                "status",
                "outcome",
                "created_at",
                "first_response_due_at",
                "first_responded_at",
                "last_activity_at",
                "merged_into__title",
                "support_count",
                "reminded_at",
                "escalated_at",
                "nudged_at",
            )
        ),
        "history": list(
            StatusChange.objects.order_by("concern__title", "at", "pk").values_list(
                "concern__title",
                "actor__user__email",
                "at",
                "from_status",
                "to_status",
                "from_owner__user__email",
                "to_owner__user__email",
                "note",
            )
        ),
        "comments": list(
            Comment.objects.order_by("concern__title", "created_at", "pk").values_list(
                "concern__title",
                "author__user__email",
                "body",
                "official",
                "created_at",
                "hidden_at",
                "hidden_reason",
            )
        ),
        "votes": sorted(
            Vote.objects.values_list("concern__title", "person__user__email")
        ),
        "subscriptions": sorted(
            Subscription.objects.values_list(
                "concern__title", "person__user__email", "active", "created_at"
            )
        ),
        "flags": sorted(
            Flag.objects.values_list(
                "concern__title", "comment__body", "reason", "created_at", "resolved_at"
            ),
            key=str,
        ),
        "updates": list(
            Update.objects.order_by("title").values_list(
                "title", "author__user__email", "ai_tool__name", "created_at"
            )
        ),
        "update_links": sorted(
            Update.concerns.through.objects.values_list(
                "update__title", "concern__title"
            )
        ),
        "notices": sorted(
            Notice.objects.values_list(
                "person__user__email",
                "concern__title",
                "kind",
                "subject",
                "created_at",
                "sent_at",
            ),
            key=str,
        ),
        "ratings": sorted(
            OutputRating.objects.values_list(
                "ai_tool__name", "rating", "note", "rated_on"
            )
        ),
    }


def without_ids(rows: dict[str, list]) -> dict[str, list]:
    """Texts that quote a concern's number ("Merged into #12"), with the number out:
    a re-seeded concern has another id."""
    return {
        table: sorted(
            (
                tuple(re.sub(r"#\d+", "#", v) if isinstance(v, str) else v for v in row)
                for row in values
            ),
            key=str,
        )
        for table, values in rows.items()
    }


def test_it_raises_some_forty_concerns_over_the_demo_weeks(org):
    result = seed(org)

    start = demo_start(12, NOW)
    assert result.concerns_created == result.concerns == len(SPECS) == 40
    created = sorted(Concern.objects.values_list("created_at", flat=True))
    assert start <= created[0] < start + dt.timedelta(weeks=2)
    assert NOW - dt.timedelta(days=2) < created[-1] <= NOW
    weeks = {(at - start).days // 7 for at in created}
    assert len(weeks) >= 9  # spread over the weeks, not bunched


def test_every_status_is_present_and_closed_ones_say_why(org):
    seed(org)

    statuses = Counter(Concern.objects.values_list("status", flat=True))
    assert set(statuses) == set(Status.values)
    assert statuses[Status.RESOLVED] >= 10 and statuses[Status.DECLINED] >= 4
    closed = Concern.objects.filter(status__in=[Status.RESOLVED, Status.DECLINED])
    assert not closed.filter(outcome="").exists()
    assert all(
        len(outcome) > 60 for outcome in closed.values_list("outcome", flat=True)
    )


def test_some_concerns_are_overdue_without_a_response(org):
    result = seed(org)

    assert 3 <= overdue().count() == result.overdue
    assert not Comment.objects.filter(concern__in=overdue(), official=True).exists()
    # And the rest are answered, on time or late.
    answered = Concern.objects.exclude(first_responded_at=None)
    assert answered.filter(first_responded_at__gt=F("first_response_due_at")).exists()
    assert answered.filter(first_responded_at__lte=F("first_response_due_at")).exists()


def test_anonymous_concerns_store_no_raiser(org):
    seed(org)

    anonymous = Concern.objects.filter(anonymous=True)
    assert anonymous.count() >= 3
    assert not anonymous.exclude(raised_by=None, raised_by_customer=None).exists()
    raised = StatusChange.objects.filter(concern__in=anonymous, from_status="")
    assert set(raised.values_list("actor", flat=True)) == {None}
    named = Concern.objects.filter(anonymous=False, audience=Audience.EMPLOYEES)
    assert not named.filter(raised_by=None).exists()


def test_a_few_concerns_come_from_customers(org):
    seed(org)

    customers = Concern.objects.filter(audience=Audience.CUSTOMERS)
    assert customers.count() >= 3
    assert not customers.filter(raised_by_customer=None).exists()
    assert not customers.exclude(raised_by=None).exists()


def test_each_concern_has_an_owner_and_a_history_dated_in_the_past(org):
    seed(org)

    start = demo_start(12, NOW)
    for concern in Concern.objects.prefetch_related("history", "comments"):
        history = list(concern.history.all())
        assert concern.owner_id is not None
        assert history[0].to_status == Status.NEW
        assert history[0].at == concern.created_at
        assert history[-1].to_status == concern.status
        assert all(start <= h.at <= NOW for h in history)
        assert all(
            concern.created_at <= c.created_at <= NOW for c in concern.comments.all()
        )
        assert concern.first_response_due_at > concern.created_at
    assert not Vote.objects.filter(created_at__gt=NOW - dt.timedelta(hours=1)).exists()


def test_threads_have_comments_official_responses_and_supporters(org):
    seed(org)

    official = Comment.objects.filter(official=True).select_related(
        "concern", "author__user"
    )
    assert official.count() >= 20
    assert all(can_manage(c.author.user, c.concern) for c in official)
    assert Comment.objects.filter(official=False).count() >= 25
    per_concern = Concern.objects.annotate(n=Count("votes"))
    assert all(c.support_count == c.n for c in per_concern)
    assert Concern.objects.filter(support_count__gte=5).count() >= 20
    reassigned = StatusChange.objects.exclude(from_owner=None)
    assert reassigned.filter(~Q(from_owner=F("to_owner"))).exists()


def test_there_is_a_merged_duplicate_a_hidden_comment_and_an_open_flag(org):
    seed(org)

    duplicate = Concern.objects.get(merged_into__isnull=False)
    assert duplicate.status == Status.DECLINED
    assert duplicate.outcome.startswith(f"Merged into #{duplicate.merged_into_id}")
    hidden = Comment.objects.get(hidden_at__isnull=False)
    assert hidden.hidden_reason and hidden.hidden_by is not None
    assert Flag.objects.filter(comment=hidden).exclude(resolved_at=None).exists()
    assert Flag.objects.filter(concern__isnull=False, resolved_at=None).count() == 1


def test_updates_answer_the_concerns_they_link(org):
    result = seed(org)

    assert result.updates == Update.objects.count() == 3
    for update in Update.objects.prefetch_related("concerns"):
        linked = list(update.concerns.all())
        assert linked
        assert all(c.last_activity_at >= update.created_at for c in linked)
        assert update.created_at <= NOW


def test_the_notices_written_while_seeding_count_as_sent(org):
    seed(org)

    assert Notice.objects.count() > 100
    assert not Notice.objects.filter(sent_at=None).exists()
    assert not Notice.objects.exclude(sent_at=F("created_at")).exists()
    assert not Notice.objects.filter(created_at__gt=NOW).exists()


def test_overdue_concerns_were_reminded_and_escalated_in_the_past(org):
    seed(org)

    kinds = Counter(Notice.objects.values_list("kind", flat=True))
    assert kinds[Notice.Kind.REMINDER] == overdue().count()
    assert kinds[Notice.Kind.ESCALATION] >= 1 and kinds[Notice.Kind.NUDGE] >= 1
    assert not overdue().filter(reminded_at=None).exists()
    # So the first scheduler pass finds no reminder left to send.
    assert followups_run(now=NOW).reminded == 0


def test_every_escalation_reached_someone_even_for_concerns_hr_owns(org):
    seed(org)

    escalated = Concern.objects.exclude(escalated_at=None)
    assert escalated.filter(owner=org.hr).exists()
    told = Notice.objects.filter(kind=Notice.Kind.ESCALATION)
    assert set(told.values_list("concern", flat=True)) == set(
        escalated.values_list("pk", flat=True)
    )
    assert not told.filter(person=F("concern__owner")).exists()


def test_ratings_cover_the_live_tools_and_get_better_over_the_weeks(org):
    result = seed(org)

    live = set(AITool.objects.filter(status=AITool.Status.LIVE).values_list("name"))
    rated = set(OutputRating.objects.values_list("ai_tool__name").distinct())
    assert rated == live and len(live) == 3
    assert 190 <= result.ratings_created == OutputRating.objects.count() <= 210
    days = OutputRating.objects.values_list("rated_on", flat=True)
    first, today = timezone.localdate(demo_start(12, NOW)), timezone.localdate(NOW)
    assert all(first <= day < today and day.weekday() < 5 for day in days)

    def share(rows, value):
        return sum(r == value for r in rows) / len(rows)

    ordered = list(OutputRating.objects.order_by("rated_on", "pk"))
    third = len(ordered) // 3
    early = [r.rating for r in ordered[:third]]
    late = [r.rating for r in ordered[-third:]]
    assert share(late, Accuracy.CORRECT) > share(early, Accuracy.CORRECT)
    assert share(late, Accuracy.INCORRECT) < share(early, Accuracy.INCORRECT)


def test_a_second_run_changes_nothing(org):
    seed(org)
    before = snapshot()

    again = seed(org, seed=99)

    assert (again.concerns_created, again.updates_created, again.ratings_created) == (
        0,
        0,
        0,
    )
    assert again.concerns == 40
    assert snapshot() == before


def test_the_same_seed_gives_the_same_board(org):
    seed(org, seed=5)
    first = snapshot()
    for model in (Concern, Update, OutputRating, CategoryPolicy):
        model.objects.all().delete()

    seed(org, seed=5)

    assert without_ids(snapshot()) == without_ids(first)


def test_a_short_demo_still_tells_every_story_before_now():
    start = demo_start(1, NOW)
    org = seed_org(rng=rng(1), employees=15, start=start)

    result = seed(org, weeks=1)

    assert result.concerns == 40
    assert set(Concern.objects.values_list("status", flat=True)) == set(Status.values)
    assert overdue().exists()
    assert not StatusChange.objects.filter(Q(at__gt=NOW) | Q(at__lt=start)).exists()
    assert not Comment.objects.filter(created_at__gt=NOW).exists()
    assert not Update.objects.filter(created_at__gt=NOW).exists()
