"""Board notices through a real SMTP server that loses its reply: stored once,
never sent again, counted as fate unknown in the tick report, on the moderation
page and in /healthz. And a notice's claim is a lease only its holder hands over."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from core.delivery import CLAIM_LEASE, SendState, Sent
from feedback.models import Notice
from feedback.scheduler import feedback_tick
from feedback.selectors import notices_fate_unknown
from feedback.services.outbox import _NoticeEmail, notice_send, notices_to_send
from feedback.tasks import send_notice
from org.roles import Role
from tests.core.smtp_sink import Sink, free_port, running, use_sink
from tests.feedback.factories import NoticeFactory
from tests.org.factories import PersonFactory

pytestmark = pytest.mark.django_db

NOON = dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def sink(settings):
    port = free_port()
    use_sink(settings, port, timeout=1)
    with running(Sink(), port) as server:
        yield server


def _notice_to(address: str, **fields) -> Notice:
    return NoticeFactory(person=PersonFactory(user__email=address), **fields)


@pytest.mark.parametrize("after_body", ["drop", "stall"])
def test_a_notice_whose_reply_is_lost_is_stored_once_and_never_sent_again(
    sink, after_body, client, time_machine
):
    time_machine.move_to(NOON + dt.timedelta(hours=1), tick=False)
    notice = _notice_to("ana@example.org")
    sink.after_body, sink.stall_seconds = after_body, 3  # past EMAIL_TIMEOUT=1

    report = feedback_tick(now=NOON)
    sink.after_body = "reply"
    for minutes in (1, 20, 60):
        feedback_tick(now=NOON + dt.timedelta(minutes=minutes))
    retry = send_notice.apply(args=[notice.pk])

    assert (report.fate_unknown, report.sent, report.deferred) == (1, 0, 0)
    assert str(report) == "feedback: 1 fate unknown"
    assert retry.successful() and retry.result == Sent.SKIPPED
    assert sink.to() == ["ana@example.org"]
    notice.refresh_from_db()
    assert (notice.send_state, notice.sent_at) == (SendState.FATE_UNKNOWN, NOON)
    moderator = PersonFactory(roles={Role.HR})
    client.force_login(moderator.user)
    page = client.get(reverse("feedback:moderation")).content.decode()
    assert "1 board notice of the last 30 days may not have arrived" in page
    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.json()["mail_fate_unknown"] == {"invitations": 0, "notices": 1}


def test_a_notice_lost_before_the_body_is_retried_and_sent_once(sink):
    notice = _notice_to("ana@example.org")
    sink.drop_at_data = 1

    first = feedback_tick(now=NOON)
    second = feedback_tick(now=NOON + dt.timedelta(minutes=5))
    feedback_tick(now=NOON + dt.timedelta(minutes=30))

    assert (first.deferred, second.sent) == (1, 1)
    assert sink.to() == ["ana@example.org"]
    notice.refresh_from_db()
    assert notice.send_state == SendState.ACCEPTED


def test_a_stale_notice_claim_is_queued_again_and_taken_over_once(mailoutbox):
    notice = _notice_to("ana@example.org")
    dead = _NoticeEmail(notice, now=NOON)
    assert dead.claim()  # ...and its worker is killed before handing over

    soon = NOON + CLAIM_LEASE - dt.timedelta(seconds=1)
    later = NOON + CLAIM_LEASE + dt.timedelta(seconds=1)
    assert not notices_to_send(now=soon).exists()
    assert notice_send(notice.pk, now=soon) == Sent.SKIPPED
    assert list(notices_to_send(now=later)) == [notice]
    assert notice_send(notice.pk, now=later) == Sent.SENT
    assert notice_send(notice.pk, now=later + CLAIM_LEASE * 2) == Sent.SKIPPED

    assert not dead.hand()  # the first holder can no longer hand it over
    assert [m.to for m in mailoutbox] == [["ana@example.org"]]
    notice.refresh_from_db()
    assert (notice.sent_at, notice.send_state) == (later, SendState.ACCEPTED)


def test_a_notice_handed_over_by_a_killed_worker_is_never_sent_again_and_counted():
    notice = _notice_to("ana@example.org")
    dying = _NoticeEmail(notice, now=NOON)
    assert dying.claim() and dying.hand()

    much_later = NOON + CLAIM_LEASE * 10
    assert not notices_to_send(now=much_later).exists()
    assert notice_send(notice.pk, now=much_later) == Sent.SKIPPED
    assert notices_fate_unknown(since=NOON - dt.timedelta(days=7), now=much_later) == 1
    # While its SMTP conversation may still be going on, it is not counted.
    assert notices_fate_unknown(since=NOON, now=NOON + dt.timedelta(seconds=5)) == 0
