"""Invitations and reminders through a real SMTP server that loses its reply:
stored once at the server, never sent again, counted as fate unknown in the tick
report, on HR's survey page and in /healthz. Lost before the body: retried, sent
once. And the claim's lease: taken over only when stale and never handed over;
only the current claim hands over; reminders skip people no longer active."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from core.delivery import CLAIM_LEASE, SendState, Sent, TemporaryDeliveryError
from org.roles import Role
from surveys.models import Invitation
from surveys.scheduler import survey_tick
from surveys.services.delivery import (
    _InvitationEmail,
    _ReminderEmail,
    invitation_send,
    invitations_to_send,
    reminder_send,
    reminders_due,
)
from surveys.tasks import send_invitation
from tests.core.smtp_sink import Sink, free_port, running, use_sink
from tests.org.factories import PersonFactory
from tests.surveys.helpers import MONDAY_9, at, weekly_pulse

pytestmark = pytest.mark.django_db

WEDNESDAY_9 = at(4, 9)  # the first reminder of the pulse's first round


@pytest.fixture
def sink(settings):
    port = free_port()
    use_sink(settings, port, timeout=1)
    with running(Sink(), port) as server:
        yield server


def _pulse(*addresses: str, **fields):
    survey, staff = weekly_pulse(people=len(addresses), **fields)
    for person, address in zip(staff, addresses, strict=True):
        person.user.email = address
        person.user.save()
    return survey, staff


def _fanned_out() -> None:
    """The round opens and invitations are written, none sent yet."""
    survey_tick(now=MONDAY_9, enqueue=lambda batch: None)


@pytest.mark.parametrize("after_body", ["drop", "stall"])
def test_an_invitation_whose_reply_is_lost_is_stored_once_and_never_sent_again(
    sink, after_body, client, time_machine
):
    time_machine.move_to(MONDAY_9 + dt.timedelta(hours=4), tick=False)
    survey, _ = _pulse("ana@example.org", "ben@example.org")
    sink.after_body, sink.stall_seconds = after_body, 3  # past EMAIL_TIMEOUT=1

    report = survey_tick(now=MONDAY_9)
    sink.after_body = "reply"
    for minutes in (1, 20, 60 * 3):  # later ticks, past the lease and the queue
        survey_tick(now=MONDAY_9 + dt.timedelta(minutes=minutes))

    assert report.fate_unknown == 2 and report.sent == 0
    assert "2 fate unknown" in str(report)
    assert sorted(sink.to()) == ["ana@example.org", "ben@example.org"]
    assert set(Invitation.objects.values_list("send_state", "fate_unknown_sends")) == {
        (SendState.FATE_UNKNOWN, 1)
    }
    assert not invitations_to_send(now=MONDAY_9 + dt.timedelta(hours=4)).exists()
    client.force_login(PersonFactory(roles={Role.HR}).user)  # not invited
    page = client.get(reverse("surveys:survey_detail", args=[survey.pk]))
    shown = "2 emails may not have arrived: the mail server took them but its reply"
    assert shown in page.content.decode()
    health = client.get("/healthz")
    assert health.json()["mail_fate_unknown"] == {"invitations": 2, "notices": 0}
    assert health.status_code == 200


def test_a_reminder_whose_reply_is_lost_is_counted_and_never_sent_again(sink):
    survey, _ = _pulse("ana@example.org", reminder_count=2, reminder_interval_days=1)
    survey_tick(now=MONDAY_9)
    sink.after_body = "drop"

    report = survey_tick(now=WEDNESDAY_9)
    sink.after_body = "reply"
    survey_tick(now=WEDNESDAY_9 + dt.timedelta(minutes=10))
    survey_tick(now=WEDNESDAY_9 + dt.timedelta(hours=2))
    retry = reminder_send(Invitation.objects.get().pk, 1, now=at(4, 12))

    assert retry == Sent.SKIPPED and report.fate_unknown == 1
    subjects = [m["Subject"] for m in sink.messages]
    assert len(subjects) == 2 and subjects[1].startswith("Reminder")
    invitation = Invitation.objects.get()
    assert (invitation.reminders_sent, invitation.fate_unknown_sends) == (1, 1)
    assert invitation.fate_unknown_at == WEDNESDAY_9
    # The next step still goes, once, and the count stays.
    survey_tick(now=at(5, 9))
    invitation.refresh_from_db()
    assert len(sink.messages) == 3 and invitation.reminders_sent == 2
    assert invitation.send_state == SendState.ACCEPTED
    assert invitation.fate_unknown_sends == 1


def test_the_send_task_never_retries_a_fate_unknown(sink, time_machine):
    time_machine.move_to(MONDAY_9, tick=False)
    _pulse("ana@example.org")
    _fanned_out()
    sink.after_body = "drop"

    result = send_invitation.apply(args=[Invitation.objects.get().pk])

    assert result.successful(), result.traceback
    assert result.result == Sent.FATE_UNKNOWN
    assert sink.to() == ["ana@example.org"]


@pytest.mark.parametrize("where", ["drop_at_rcpt", "drop_at_data"])
def test_a_send_lost_before_the_body_is_retried_and_sent_once(sink, where):
    _pulse("ana@example.org")
    setattr(sink, where, 1)

    first = survey_tick(now=MONDAY_9)
    second = survey_tick(now=MONDAY_9 + dt.timedelta(minutes=5))
    survey_tick(now=MONDAY_9 + dt.timedelta(minutes=30))

    assert (first.deferred, second.sent) == (1, 1)
    assert sink.to() == ["ana@example.org"]
    invitation = Invitation.objects.get()
    assert invitation.send_state == SendState.ACCEPTED
    assert invitation.fate_unknown_sends == 0
    assert invitation.tokens.count() == 1  # the lost attempt's link is gone


def test_a_refused_connection_is_retried_and_sent_once(settings):
    _pulse("ana@example.org")
    port = free_port()  # nobody listens yet
    use_sink(settings, port, timeout=1)

    first = survey_tick(now=MONDAY_9)
    with running(Sink(), port) as sink:
        second = survey_tick(now=MONDAY_9 + dt.timedelta(minutes=5))
        survey_tick(now=MONDAY_9 + dt.timedelta(minutes=30))

    assert (first.deferred, second.sent) == (1, 1)
    assert sink.to() == ["ana@example.org"]


# The lease, mostly with locmem mail (which never calls back).


def test_a_fresh_claim_is_not_taken_over_and_a_stale_one_is(mailoutbox):
    _pulse("ana@example.org")
    _fanned_out()
    invitation = Invitation.objects.get()
    dead = _InvitationEmail(invitation, now=MONDAY_9)
    assert dead.claim()  # ...and its worker is killed before handing over

    too_soon = MONDAY_9 + CLAIM_LEASE - dt.timedelta(seconds=1)
    assert invitation_send(invitation.pk, now=too_soon) == Sent.SKIPPED
    assert not invitations_to_send(now=too_soon).exists()
    after = MONDAY_9 + CLAIM_LEASE + dt.timedelta(seconds=1)
    assert list(invitations_to_send(now=after)) == [invitation]
    assert invitation_send(invitation.pk, now=after) == Sent.SENT

    assert [m.to for m in mailoutbox] == [["ana@example.org"]]
    invitation.refresh_from_db()
    assert (invitation.claimed_at, invitation.send_state) == (after, "accepted")


def test_only_the_current_claim_can_hand_over():
    _pulse("ana@example.org")
    _fanned_out()
    invitation = Invitation.objects.get()
    first = _InvitationEmail(invitation, now=MONDAY_9)
    assert first.claim()
    taker = _InvitationEmail(invitation, now=MONDAY_9 + CLAIM_LEASE * 2)
    assert taker.claim()

    assert not first.hand()  # its lease was taken over: it sends nothing
    first.release()  # ...and cannot undo the new claim either
    assert taker.hand()
    invitation.refresh_from_db()
    assert invitation.send_state == SendState.HANDED
    assert invitation.claimed_at == taker.now


def test_a_claim_handed_over_is_never_taken_over():
    _pulse("ana@example.org")
    _fanned_out()
    invitation = Invitation.objects.get()
    dying = _InvitationEmail(invitation, now=MONDAY_9)
    assert dying.claim() and dying.hand()  # ...then its worker is killed

    much_later = MONDAY_9 + CLAIM_LEASE * 10
    assert not invitations_to_send(now=much_later).exists()
    assert not _InvitationEmail(invitation, now=much_later).claim()


def test_a_stale_reminder_claim_is_due_again_and_taken_over(mailoutbox):
    _pulse("ana@example.org")
    survey_tick(now=MONDAY_9)
    invitation = Invitation.objects.get()
    assert _ReminderEmail(invitation, now=WEDNESDAY_9, step=1).claim()

    soon = WEDNESDAY_9 + dt.timedelta(minutes=1)
    later = WEDNESDAY_9 + CLAIM_LEASE + dt.timedelta(minutes=1)
    assert reminders_due(now=soon) == []
    assert reminders_due(now=later) == [(invitation.pk, 1)]
    assert reminder_send(invitation.pk, 1, now=later) == Sent.SENT
    assert reminders_due(now=later) == []

    assert [m.subject.startswith("Reminder") for m in mailoutbox] == [False, True]
    invitation.refresh_from_db()
    assert (invitation.reminders_sent, invitation.send_state) == (1, "accepted")


def test_a_reminder_released_after_a_takeover_frees_its_step(sink):
    _pulse("ana@example.org")
    survey_tick(now=MONDAY_9)
    invitation = Invitation.objects.get()
    assert _ReminderEmail(invitation, now=WEDNESDAY_9, step=1).claim()
    sink.drop_at_rcpt = 1
    later = WEDNESDAY_9 + CLAIM_LEASE + dt.timedelta(minutes=1)

    with pytest.raises(TemporaryDeliveryError):
        reminder_send(invitation.pk, 1, now=later)

    # The step stays claimed, its lease already out, for the task's retry.
    retry = later + dt.timedelta(minutes=5)
    assert reminders_due(now=retry) == [(invitation.pk, 1)]
    assert reminder_send(invitation.pk, 1, now=retry) == Sent.SENT
    assert len(sink.messages) == 2


def test_reminders_skip_people_no_longer_active(mailoutbox):
    _, staff = _pulse("ana@example.org", "ben@example.org")
    survey_tick(now=MONDAY_9)
    leaver = Invitation.objects.get(person=staff[1])
    staff[1].user.is_active = False
    staff[1].user.save()

    assert reminders_due(now=WEDNESDAY_9) == [
        (Invitation.objects.get(person=staff[0]).pk, 1)
    ]
    assert reminder_send(leaver.pk, 1, now=WEDNESDAY_9) == Sent.SKIPPED
    survey_tick(now=WEDNESDAY_9)

    reminded = [m.to for m in mailoutbox if m.subject.startswith("Reminder")]
    assert reminded == [["ana@example.org"]]
    leaver.refresh_from_db()
    assert leaver.reminders_sent == 0
