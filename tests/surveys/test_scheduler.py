"""The survey scheduler: opening, fan-out, sending, reminders and closing, run the
way beat and `scheduler_tick` run them, twice, at once and after a crash."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter

import pytest
from django.core.management import call_command

from core.delivery import CLAIM_LEASE
from surveys.models import Invitation, InvitationToken, Round
from surveys.scheduler import survey_tick
from surveys.services import rounds as rounds_service
from surveys.services.delivery import reminder_due_at
from tests.conftest import at_once
from tests.surveys.helpers import MONDAY_9, at, weekly_pulse

pytestmark = pytest.mark.django_db


def test_a_tick_at_the_start_opens_the_round_and_invites_everyone_once(mailoutbox):
    survey, staff = weekly_pulse(people=6)

    report = survey_tick(now=MONDAY_9)

    round_ = Round.objects.get(survey=survey)
    assert round_.starts_at == MONDAY_9
    assert round_.closes_at == at(7)  # Saturday 09:00, five days later
    assert (report.opened, report.invited, report.sent) == (1, 6, 6)
    assert sorted(m.to[0] for m in mailoutbox) == sorted(p.email for p in staff)
    assert InvitationToken.objects.count() == 6


def test_a_second_tick_at_the_same_instant_creates_and_sends_nothing(mailoutbox):
    survey, _ = weekly_pulse(people=5)
    survey_tick(now=MONDAY_9)
    rows = (Round.objects.count(), Invitation.objects.count(), len(mailoutbox))

    report = survey_tick(now=MONDAY_9)

    assert (Round.objects.count(), Invitation.objects.count(), len(mailoutbox)) == rows
    assert str(report) == "surveys: nothing due"


def test_nothing_opens_before_the_first_start_or_after_a_window_was_missed(mailoutbox):
    weekly_pulse(people=3)
    survey_tick(now=MONDAY_9 - dt.timedelta(minutes=1))
    assert not Round.objects.exists()
    # The scheduler was down all week: Monday's round is not opened on Saturday.
    survey_tick(now=at(7, 10))
    assert not Round.objects.exists()
    assert mailoutbox == []


@pytest.mark.parametrize("status", ["draft", "paused", "archived"])
def test_a_survey_that_is_not_scheduled_opens_no_round(mailoutbox, status):
    weekly_pulse(people=3, status=status)
    survey_tick(now=MONDAY_9)
    assert not Round.objects.exists()
    assert mailoutbox == []


def test_the_round_closes_at_the_end_of_its_window_and_the_next_one_opens():
    survey, _ = weekly_pulse(people=3)
    survey_tick(now=MONDAY_9)
    survey_tick(now=at(7, 9))
    first = Round.objects.get(survey=survey)
    assert first.closed_at == at(7, 9)

    survey_tick(now=at(9, 9))

    assert Round.objects.filter(survey=survey).count() == 2
    assert Round.objects.get(starts_at=at(9, 9)).closed_at is None


def test_departed_people_are_not_invited_and_not_emailed(mailoutbox):
    survey, staff = weekly_pulse(people=4)
    staff[0].user.is_active = False
    staff[0].user.save()
    survey_tick(now=MONDAY_9)
    assert Invitation.objects.count() == 3
    assert staff[0].email not in [m.to[0] for m in mailoutbox]


def test_someone_deactivated_before_their_invitation_went_is_never_queued_for_it(
    django_capture_on_commit_callbacks,
):
    survey, staff = weekly_pulse(people=3)
    survey_tick(now=MONDAY_9, enqueue=lambda batch: None)  # invited, queued, lost
    staff[0].user.is_active = False
    staff[0].user.save()
    Invitation.objects.update(queued_at=None)
    queued = []

    with django_capture_on_commit_callbacks(execute=True):
        survey_tick(now=MONDAY_9 + dt.timedelta(minutes=1), enqueue=queued.extend)

    assert sorted(pk for pk, _ in queued) == sorted(
        Invitation.objects.exclude(person=staff[0]).values_list("pk", flat=True)
    )


def test_a_fan_out_killed_halfway_and_rerun_invites_everyone_exactly_once(
    monkeypatch, mailoutbox
):
    survey, staff = weekly_pulse(people=7)
    monkeypatch.setattr(rounds_service, "FANOUT_BATCH", 3)
    real_insert = rounds_service._invitations_insert
    calls = []

    def dies_on_second_batch(round_, batch):
        calls.append(1)
        if len(calls) == 2:
            raise SystemExit("worker killed")
        return real_insert(round_, batch)

    monkeypatch.setattr(rounds_service, "_invitations_insert", dies_on_second_batch)
    with pytest.raises(SystemExit):
        survey_tick(now=MONDAY_9)
    assert Invitation.objects.count() == 3
    assert mailoutbox == []

    monkeypatch.setattr(rounds_service, "_invitations_insert", real_insert)
    survey_tick(now=MONDAY_9 + dt.timedelta(minutes=1))
    survey_tick(now=MONDAY_9 + dt.timedelta(minutes=2))

    invited = Counter(Invitation.objects.values_list("person_id", flat=True))
    assert invited == Counter({p.pk: 1 for p in staff})
    assert Counter(m.to[0] for m in mailoutbox) == Counter({p.email: 1 for p in staff})


def test_a_worker_killed_before_handing_over_sends_that_invitation_once_its_lease_ends(
    monkeypatch, mailoutbox
):
    weekly_pulse(people=3)
    from surveys.services import delivery

    real = delivery.survey_message
    calls = []

    def dies_once(invitation, token, **kwargs):
        calls.append(invitation.pk)
        if len(calls) == 2:
            raise SystemExit("worker killed mid-send")
        return real(invitation, token, **kwargs)

    monkeypatch.setattr(delivery, "survey_message", dies_once)
    with pytest.raises(SystemExit):
        survey_tick(now=MONDAY_9)
    survey_tick(now=MONDAY_9 + dt.timedelta(minutes=1))
    assert len(mailoutbox) == 2  # the claim is still its holder's: not doubled

    survey_tick(now=MONDAY_9 + CLAIM_LEASE + dt.timedelta(minutes=1))
    survey_tick(now=MONDAY_9 + CLAIM_LEASE + dt.timedelta(minutes=2))

    assert len(mailoutbox) == 3  # the lease ran out: taken over, sent once
    assert len(set(m.to[0] for m in mailoutbox)) == 3
    # ...and every recipient hears from the first reminder.
    survey_tick(now=at(4, 9, 1))
    assert len(mailoutbox) == 6


def test_reminder_steps_fall_from_the_midpoint_and_never_at_or_after_closing():
    survey, _ = weekly_pulse(people=1, reminder_count=3, reminder_interval_days=2)
    survey_tick(now=MONDAY_9)
    round_ = Round.objects.get()
    # The midpoint is Wednesday 21:00: reminders go at the survey's 09:00.
    assert reminder_due_at(round_, 1) == at(4, 9)
    assert reminder_due_at(round_, 2) == at(6, 9)
    assert reminder_due_at(round_, 3) is None  # Sunday, after Saturday's close
    assert reminder_due_at(round_, 4) is None


def test_two_weeks_of_hourly_ticks_each_run_twice(mailoutbox):
    """Reminders over a simulated two-week window: only to those who have not
    answered, never two on a step, never at weekends, never after closing."""
    survey, staff = weekly_pulse(people=4, reminder_count=3, reminder_interval_days=2)
    answered_early = staff[0]
    now = MONDAY_9
    sent_log: list[tuple[dt.datetime, str, str]] = []
    while now < MONDAY_9 + dt.timedelta(days=14):
        for _ in range(2):
            before = len(mailoutbox)
            survey_tick(now=now)
            sent_log += [(now, m.to[0], m.subject) for m in mailoutbox[before:]]
        if now == at(3, 12):  # Tuesday: one person answers
            Invitation.objects.filter(person=answered_early).update(answered=True)
        now += dt.timedelta(hours=1)

    assert Round.objects.count() == 2
    rounds = list(Round.objects.order_by("starts_at"))
    for when, _, _ in sent_log:
        assert when.weekday() < 5 or when in (r.starts_at for r in rounds)
        assert any(r.starts_at <= when < r.closes_at for r in rounds)
    per_person = Counter((to, subj.startswith("Reminder")) for _, to, subj in sent_log)
    for person in staff:
        assert per_person[(person.email, False)] == 2  # one invitation per round
    # Week 1: the early answerer gets no reminder; the others get steps 1 and 2.
    # Week 2: everyone unanswered gets steps 1 and 2 (step 3 would fall after close).
    assert per_person[(answered_early.email, True)] == 2
    for person in staff[1:]:
        assert per_person[(person.email, True)] == 4
    reminders = [when for when, _, subj in sent_log if subj.startswith("Reminder")]
    assert min(reminders) == at(4, 9)
    assert all(when.hour >= 9 for when in reminders)
    assert Invitation.objects.filter(reminders_sent__gt=2).count() == 0


def test_a_step_held_over_the_weekend_arrives_monday_morning_and_alone(mailoutbox):
    # A Thursday survey open 5 days: step 1 falls on Saturday, step 2 on Sunday.
    survey, staff = weekly_pulse(people=2, reminder_interval_days=1)
    survey.weekday = 3
    survey.first_date = dt.date(2026, 3, 5)
    survey.save()
    now = at(5, 9)
    reminded: list[dt.datetime] = []
    while now < at(11, 9):
        before = len(mailoutbox)
        survey_tick(now=now)
        reminded += [now for m in mailoutbox[before:] if "Reminder" in m.subject]
        now += dt.timedelta(minutes=30)
    # Both people: step 1 on Monday 09:00, step 2 a day later (not beside step 1);
    # the round closes on Tuesday 09:00, so step 2 never comes.
    assert reminded == [at(9, 9), at(9, 9)]
    assert set(Invitation.objects.values_list("reminders_sent", flat=True)) == {1}


def test_the_dispatcher_queues_each_send_once_until_its_mark_goes_stale(
    django_capture_on_commit_callbacks,
):
    weekly_pulse(people=4)
    queued: list[tuple[int, int]] = []
    with django_capture_on_commit_callbacks(execute=True):
        report = survey_tick(now=MONDAY_9, enqueue=queued.extend)
    assert report.queued == 4 and len(queued) == 4
    with django_capture_on_commit_callbacks(execute=True):
        survey_tick(now=MONDAY_9 + dt.timedelta(minutes=1), enqueue=queued.extend)
    assert len(queued) == 4  # still marked queued: not handed over twice
    with django_capture_on_commit_callbacks(execute=True):
        survey_tick(now=MONDAY_9 + dt.timedelta(minutes=20), enqueue=queued.extend)
    assert len(queued) == 8  # the broker lost them? queued again


def test_when_the_broker_refuses_the_invitations_go_out_on_the_next_tick(
    django_capture_on_commit_callbacks, mailoutbox
):
    weekly_pulse(people=3)

    def broker_down(batch):
        raise ConnectionRefusedError("broker down")

    with django_capture_on_commit_callbacks(execute=True):
        survey_tick(now=MONDAY_9, enqueue=broker_down)
    assert Invitation.objects.exclude(queued_at=None).count() == 0
    assert Invitation.objects.filter(sent_at=None).count() == 3

    survey_tick(now=MONDAY_9 + dt.timedelta(minutes=1))
    assert len(mailoutbox) == 3


def test_scheduler_tick_command_reads_a_local_time_and_refuses_nonsense(
    settings, mailoutbox
):
    from django.core.management.base import CommandError

    settings.TIME_ZONE = "Europe/London"
    weekly_pulse(people=2)
    call_command("scheduler_tick", "--now", "2026-03-02T09:00")
    assert Round.objects.get().starts_at == MONDAY_9  # London is on GMT in March
    assert len(mailoutbox) == 2
    with pytest.raises(CommandError, match="not an ISO 8601"):
        call_command("scheduler_tick", "--now", "next monday")


@pytest.mark.django_db(transaction=True)
def test_two_dispatchers_at_once_send_each_invitation_once(mailoutbox):
    weekly_pulse(people=30)

    results = at_once(lambda: survey_tick(now=MONDAY_9))

    assert not [r for r in results if isinstance(r, Exception)]
    assert Round.objects.count() == 1
    assert Invitation.objects.count() == 30
    assert Counter(m.to[0] for m in mailoutbox).most_common(1)[0][1] == 1
    assert len(mailoutbox) == 30


@pytest.mark.django_db(transaction=True)
def test_two_dispatchers_queueing_at_once_queue_each_invitation_once():
    weekly_pulse(people=40)
    survey_tick(now=MONDAY_9, enqueue=lambda batch: None)  # opened, fanned out
    Invitation.objects.update(queued_at=None)  # as if the broker lost them all
    queued: list[tuple[int, int]] = []
    lock = threading.Lock()

    def collect(batch):
        with lock:
            queued.extend(batch)

    results = at_once(
        lambda: survey_tick(now=MONDAY_9 + dt.timedelta(minutes=1), enqueue=collect)
    )

    assert not [r for r in results if isinstance(r, Exception)]

    assert sorted(queued) == sorted(
        (pk, 0) for pk in Invitation.objects.values_list("pk", flat=True)
    )


def test_each_dispatcher_pass_queues_a_bounded_batch_and_moves_on(
    monkeypatch, django_capture_on_commit_callbacks
):
    from surveys import scheduler

    monkeypatch.setattr(scheduler, "QUEUE_PER_PASS", 3)
    weekly_pulse(people=7)
    passes: list[list[int]] = []
    for minute in range(4):
        batch: list[tuple[int, int]] = []
        with django_capture_on_commit_callbacks(execute=True):
            survey_tick(
                now=MONDAY_9 + dt.timedelta(minutes=minute), enqueue=batch.extend
            )
        passes.append([pk for pk, _ in batch])
    assert [len(p) for p in passes] == [3, 3, 1, 0]
    queued = [pk for p in passes for pk in p]
    assert sorted(queued) == sorted(Invitation.objects.values_list("pk", flat=True))


def test_a_pass_only_tops_up_what_already_waits_in_the_broker(
    monkeypatch, django_capture_on_commit_callbacks
):
    from surveys import scheduler

    monkeypatch.setattr(scheduler, "QUEUE_PER_PASS", 3)
    weekly_pulse(people=7)
    passes = []
    # The workers fall behind: two, then all three, then none of the last pass's
    # sends still wait when the next pass comes.
    for minute, waiting in enumerate((0, 2, 3, 0)):
        batch: list[tuple[int, int]] = []
        with django_capture_on_commit_callbacks(execute=True):
            report = survey_tick(
                now=MONDAY_9 + dt.timedelta(minutes=minute),
                enqueue=batch.extend,
                waiting=waiting,
            )
        passes.append((report.queued, len(batch)))

    assert passes == [(3, 3), (1, 1), (0, 0), (3, 3)]
    assert Invitation.objects.filter(queued_at=None).count() == 0
