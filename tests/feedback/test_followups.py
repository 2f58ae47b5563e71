"""Follow-up on concerns, run the way beat and `scheduler_tick` run it: every hour,
twice, on two workers at once. The owner is reminded once the first response is
late, the manager and HR are told after the escalation period (in working days),
and a quiet concern in progress nudges its owner once between two activities."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter

import pytest
from django.core.management import call_command

from config.scheduler import tick_all
from feedback.models import Category, CategoryPolicy, Concern, Notice, Status
from feedback.scheduler import feedback_tick
from feedback.services import followups
from feedback.services.concerns import concern_set_status
from feedback.services.followups import escalation_recipients, followups_run
from feedback.services.notify import concern_url
from feedback.services.thread import comment_post
from org.roles import Role
from tests.conftest import at_once
from tests.feedback.factories import ConcernFactory
from tests.org.factories import PersonFactory, TeamFactory

pytestmark = pytest.mark.django_db

HOUR = dt.timedelta(hours=1)
# Friday 6 March 2026, 10:00 UTC: the concern is raised just before a weekend.
FRIDAY_10 = dt.datetime(2026, 3, 6, 10, 0, tzinfo=dt.UTC)
# Three working days later: Wednesday (three calendar days would be Monday).
DUE = dt.datetime(2026, 3, 11, 10, 0, tzinfo=dt.UTC)
# Three working days after that: Monday 16th (calendar days would give Saturday).
ESCALATE = dt.datetime(2026, 3, 16, 10, 0, tzinfo=dt.UTC)


def at(day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _utc(settings):
    settings.TIME_ZONE = "UTC"  # working days are counted in the org's zone


@pytest.fixture
def org(db):
    hr = PersonFactory(roles={Role.HR}, name="Hana HR")
    manager = PersonFactory(roles={Role.LEADER}, name="Max Manager")
    owner = PersonFactory(
        roles={Role.LEADER}, name="Olga Owner", team=TeamFactory(manager=manager)
    )
    CategoryPolicy.objects.create(
        category=Category.OTHER, response_days=3, escalation_days=3, nudge_days=7
    )
    return {"hr": hr, "manager": manager, "owner": owner}


def _concern(org, **fields) -> Concern:
    return ConcernFactory(owner=org["owner"], **{"created_at": FRIDAY_10, **fields})


def _run_hourly(start, end, mailoutbox, *, tick=followups_run, between=None):
    """Tick every hour from `start` until `end`, each instant twice, then call
    `between(now)`; returns (instant, recipient, subject) of every email sent."""
    sent, now = [], start
    while now < end:
        for _ in range(2):
            before = len(mailoutbox)
            tick(now=now)
            sent += [(now, m.to[0], m.subject) for m in mailoutbox[before:]]
        if between:
            between(now)
        now += HOUR
    return sent


def _scheduler_tick(*, now):
    tick_all(now=now, inline=True)  # what `manage.py scheduler_tick` runs


def _kind(sent, prefix):
    return [(when, to) for when, to, subject in sent if subject.startswith(prefix)]


def _respond(org, concern, now):
    comment_post(
        concern=concern, by=org["owner"], body="We are on it.", official=True, now=now
    )


def test_over_a_month_a_late_concern_is_reminded_then_escalated_once_each(
    org, mailoutbox
):
    late = _concern(org, title="Who reads the copilot's logs?")
    responded_before_due = _concern(org, title="Answered on Monday")
    responded_after_reminder = _concern(org, title="Answered on Thursday")
    answers = {at(9): responded_before_due, at(12): responded_after_reminder}
    assert late.first_response_due_at == DUE

    sent = _run_hourly(
        FRIDAY_10,
        FRIDAY_10 + dt.timedelta(days=31),
        mailoutbox,
        tick=_scheduler_tick,
        between=lambda now: now in answers and _respond(org, answers[now], now),
    )

    owner, manager, hr = org["owner"].email, org["manager"].email, org["hr"].email
    assert _kind(sent, "Reminder") == [(DUE, owner), (DUE, owner)]
    assert sorted(_kind(sent, "Escalation")) == [(ESCALATE, hr), (ESCALATE, manager)]
    steps = Counter(
        Notice.objects.filter(
            kind__in=[Notice.Kind.REMINDER, Notice.Kind.ESCALATION]
        ).values_list("kind", "concern_id", "person_id")
    )
    assert steps == {
        (Notice.Kind.REMINDER, late.pk, org["owner"].pk): 1,
        (Notice.Kind.REMINDER, responded_after_reminder.pk, org["owner"].pk): 1,
        (Notice.Kind.ESCALATION, late.pk, org["manager"].pk): 1,
        (Notice.Kind.ESCALATION, late.pk, org["hr"].pk): 1,
    }
    late.refresh_from_db()
    assert (late.reminded_at, late.escalated_at) == (DUE, ESCALATE)
    responded_before_due.refresh_from_db()
    assert responded_before_due.reminded_at is None
    assert not Notice.objects.filter(sent_at=None).exists()


@pytest.mark.parametrize(
    "fields",
    [
        {"status": Status.RESOLVED, "outcome": "We changed the retention to 30 days."},
        {"status": Status.DECLINED, "outcome": "Out of scope for this rollout."},
        {"merged_into": "other"},
        {"hidden_at": FRIDAY_10 + HOUR},
        {"first_responded_at": FRIDAY_10 + HOUR},
    ],
    ids=["resolved", "declined", "merged", "hidden", "responded"],
)
def test_closed_merged_hidden_or_answered_concerns_get_no_follow_up(
    org, mailoutbox, fields
):
    if fields.get("merged_into") == "other":
        fields = {"merged_into": _concern(org, first_responded_at=FRIDAY_10)}
    concern = _concern(org, **fields)

    sent = _run_hourly(at(11, 8), at(17), mailoutbox)

    assert sent == []
    concern.refresh_from_db()
    assert (concern.reminded_at, concern.escalated_at) == (None, None)
    assert not Notice.objects.exists()


def test_the_reminder_waits_for_the_due_time_and_then_the_escalation_period(org):
    concern = _concern(org)

    counts = [followups_run(now=now) for now in (DUE - dt.timedelta(minutes=1), DUE)]
    assert [(c.reminded, c.escalated) for c in counts] == [(0, 0), (1, 0)]
    # Saturday 14th is three calendar days after the due time, not three working.
    assert followups_run(now=at(14)).escalated == 0
    assert followups_run(now=ESCALATE - dt.timedelta(minutes=1)).escalated == 0
    assert followups_run(now=ESCALATE).escalated == 1
    concern.refresh_from_db()
    assert (concern.reminded_at, concern.escalated_at) == (DUE, ESCALATE)


def test_the_command_runs_the_follow_ups_and_sends_their_emails(org, mailoutbox):
    concern = _concern(org)

    def command_at(instant: str) -> str:
        out = io.StringIO()
        call_command("scheduler_tick", "--now", instant, stdout=out)
        return out.getvalue()

    assert "feedback: nothing due" in command_at("2026-03-11T09:59")
    output = command_at("2026-03-11T10:00")
    assert "surveys: nothing due" in output
    assert "feedback: 1 reminded, 1 sent" in output
    assert "feedback: nothing due" in command_at("2026-03-11T10:00")
    assert "feedback: 1 escalated, 2 sent" in command_at("2026-03-16T10:00")
    assert Concern.objects.get(pk=concern.pk).escalated_at == ESCALATE
    assert len(mailoutbox) == 3


def test_the_emails_name_the_concern_its_owner_how_late_and_the_link(org):
    concern = _concern(org, title="Is the meeting summariser recording us?")

    followups_run(now=DUE + dt.timedelta(hours=3))
    followups_run(now=ESCALATE + dt.timedelta(hours=2))

    reminder = Notice.objects.get(kind=Notice.Kind.REMINDER)
    assert reminder.person == org["owner"]
    assert reminder.subject == (
        f"Reminder: #{concern.pk} is waiting for a first response: {concern.title}"
    )
    for text in [
        concern.title,
        "Owner: Olga Owner",
        "It was due on Wednesday 11 March, 10:00 UTC, 3 hours ago.",
        "by Monday 16 March, 10:00 UTC",
        concern_url(concern),
    ]:
        assert text in reminder.body
    escalations = {n.person: n for n in Notice.objects.filter(kind="escalation")}
    assert set(escalations) == {org["manager"], org["hr"]}
    to_manager = escalations[org["manager"]].body
    assert "5 days and 2 hours overdue" in escalations[org["hr"]].subject
    for text in [concern.title, "Owner: Olga Owner", "Olga Owner's manager"]:
        assert text in to_manager
    assert concern_url(concern) in to_manager
    assert "You are told as HR" in escalations[org["hr"]].body
    assert "<" not in to_manager  # plain text, nothing escaped or marked up


def test_an_escalation_reaches_manager_and_hr_once_each_and_never_the_owner(org):
    manager_in_hr = PersonFactory(roles={Role.LEADER, Role.HR})
    hr_owner = PersonFactory(roles={Role.HR}, team=TeamFactory(manager=manager_in_hr))
    gone = PersonFactory(roles={Role.HR})
    gone.user.is_active = False
    gone.user.save()

    recipients = escalation_recipients(hr_owner)

    assert recipients == [(manager_in_hr, "manager"), (org["hr"], "hr")]
    # An HR owner without a manager: the rest of HR, never themselves.
    assert escalation_recipients(org["hr"]) == [
        (manager_in_hr, "hr"),
        (hr_owner, "hr"),
    ]


def test_a_concern_whose_owner_left_and_nobody_can_take_asks_for_a_new_owner(db):
    # No HR, and the owner's manager left too: nobody to hand it over to
    # (tests/feedback/test_deactivated.py has the handover itself).
    manager = PersonFactory(roles={Role.LEADER})
    owner = PersonFactory(roles={Role.LEADER}, team=TeamFactory(manager=manager))
    admin = PersonFactory(roles={Role.LEADER})
    admin.user.is_superuser = True
    admin.user.save()
    concern = ConcernFactory(owner=owner, created_at=FRIDAY_10)
    for gone in (owner, manager):
        gone.user.is_active = False
        gone.user.save()

    followups_run(now=DUE)
    followups_run(now=ESCALATE)

    concern.refresh_from_db()
    assert concern.owner == owner
    assert (concern.reminded_at, concern.escalated_at) == (DUE, ESCALATE)
    notice = Notice.objects.get()
    assert (notice.kind, notice.person) == (Notice.Kind.ESCALATION, admin)
    assert "needs a new\nowner" in notice.body


def test_a_step_whose_notice_cannot_be_written_is_not_taken(org, monkeypatch):
    concern = _concern(org)

    def broken(**kwargs):
        raise RuntimeError("template missing")

    monkeypatch.setattr(followups, "notice_create", broken)
    with pytest.raises(RuntimeError):
        followups_run(now=DUE)
    concern.refresh_from_db()
    assert concern.reminded_at is None

    monkeypatch.undo()
    assert followups_run(now=DUE + HOUR).reminded == 1
    assert Notice.objects.get().kind == Notice.Kind.REMINDER


def test_a_quiet_concern_in_progress_nudges_its_owner_once_until_new_activity(
    org, mailoutbox
):
    monday_9 = at(2, 9)
    quiet = _concern(
        org,
        created_at=monday_9,
        status=Status.IN_PROGRESS,
        first_responded_at=monday_9,
    )
    # Acknowledged but not in progress: not the nudge's business.
    _concern(
        org,
        created_at=monday_9,
        status=Status.ACKNOWLEDGED,
        first_responded_at=monday_9,
    )
    update_at = at(12, 15)  # Thursday: the owner posts an update

    sent = _run_hourly(
        monday_9,
        at(28),  # past a second "week of quiet" after the last nudge
        mailoutbox,
        tick=feedback_tick,
        between=lambda now: now == update_at and _respond(org, quiet, now),
    )

    nudges = [when for when, to, subject in sent if "no update for" in subject]
    assert nudges == [at(9, 9), update_at + dt.timedelta(days=7)]
    assert Notice.objects.filter(kind=Notice.Kind.NUDGE, concern=quiet).count() == 2
    assert f"#{quiet.pk} has had no update for 7 days: {quiet.title}" in [
        subject for _, _, subject in sent
    ]
    quiet.refresh_from_db()
    assert quiet.nudged_at == update_at + dt.timedelta(days=7)


def test_a_status_change_counts_as_activity_for_the_nudge(org):
    concern = _concern(org, status=Status.IN_PROGRESS, first_responded_at=FRIDAY_10)
    followups_run(now=at(13))
    assert Notice.objects.filter(kind=Notice.Kind.NUDGE).count() == 1

    concern_set_status(
        concern=concern,
        by=org["owner"],
        to_status=Status.RESOLVED,
        note="We turned the feature off.",
        now=at(14),
    )
    followups_run(now=at(30))

    assert Notice.objects.filter(kind=Notice.Kind.NUDGE).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_workers_ticking_at_the_same_instant_take_each_step_once(mailoutbox):
    hr = PersonFactory(roles={Role.HR})
    manager = PersonFactory(roles={Role.LEADER})
    owners = [
        PersonFactory(team=TeamFactory(manager=manager), roles={Role.LEADER})
        for _ in range(4)
    ]
    long_ago = FRIDAY_10 - dt.timedelta(days=30)
    concerns = [
        ConcernFactory(
            owner=owners[n % 4],
            created_at=long_ago,
            status=Status.IN_PROGRESS if n % 2 else Status.NEW,
        )
        for n in range(20)
    ]
    results = at_once(lambda: feedback_tick(now=FRIDAY_10))

    assert not [r for r in results if isinstance(r, Exception)]
    steps = Counter(Notice.objects.values_list("kind", "concern_id", "person_id"))
    assert set(steps.values()) == {1}
    kinds = Counter(kind for kind, _, _ in steps)
    assert kinds == {"reminder": 20, "escalation": 40, "nudge": 10}
    assert len(mailoutbox) == 70
    assert Counter((m.to[0], m.subject) for m in mailoutbox).most_common(1)[0][1] == 1
    assert not Concern.objects.filter(
        pk__in=[c.pk for c in concerns], escalated_at=None
    ).exists()
    assert hr.pk in {person for _, _, person in steps}
