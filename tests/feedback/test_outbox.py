"""The board's outbox: every notice emailed at most once, through a real SMTP
server where refusals matter; "try later" is retried, a permanent refusal is not,
and a broker outage only delays notices."""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import smtplib
import socket

import pytest
from aiosmtpd.controller import Controller
from django.core.mail import EmailMessage

from config.celery import app
from core.delivery import Sent, TemporaryDeliveryError
from feedback.models import Notice
from feedback.scheduler import feedback_tick
from feedback.services.outbox import notice_send, notices_to_send
from feedback.tasks import enqueue_notices, send_notice
from tests.feedback.factories import NoticeFactory
from tests.org.factories import PersonFactory

pytestmark = pytest.mark.django_db

NOON = dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.UTC)


class MailServer:
    """An SMTP server that refuses `bounce@` for good and defers `later@`."""

    def __init__(self):
        self.messages: list[email.message.Message] = []
        self.attempts: list[str] = []
        self.deferring = True

    async def handle_RCPT(self, server, session, envelope, address, options):
        self.attempts.append(address)
        if address.startswith("bounce@"):
            return "550 5.1.1 No such mailbox"
        if address.startswith("later@") and self.deferring:
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 Message accepted"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_backend(settings):
    settings.EMAIL_BACKEND = "core.smtp.EmailBackend"  # as EMAIL_URL=smtp:// sets
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", _free_port()
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    return settings


@pytest.fixture
def smtp(smtp_backend):
    handler = MailServer()
    controller = Controller(handler, hostname="127.0.0.1", port=smtp_backend.EMAIL_PORT)
    controller.start()
    yield handler
    controller.stop()
    asyncio.set_event_loop(asyncio.new_event_loop())


def _notice_to(address: str, **fields) -> Notice:
    return NoticeFactory(person=PersonFactory(user__email=address), **fields)


def test_each_notice_is_emailed_once_as_plain_text_even_when_two_ticks_run(
    mailoutbox, settings
):
    notices = [_notice_to(f"p{n}@example.org") for n in range(3)]

    first = feedback_tick(now=NOON)
    second = feedback_tick(now=NOON + dt.timedelta(minutes=1))

    assert str(first) == "feedback: 3 sent"
    assert str(second) == "feedback: nothing due"
    assert sorted(m.to[0] for m in mailoutbox) == [
        f"p{n}@example.org" for n in range(3)
    ]
    message = next(m for m in mailoutbox if m.to == ["p0@example.org"])
    assert message.subject == notices[0].subject
    assert message.body == notices[0].body
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    assert message.content_subtype == "plain"
    assert message.message().get_content_type() == "text/plain"
    assert set(Notice.objects.values_list("sent_at", "queued_at")) == {(NOON, None)}


def test_a_notice_already_sent_or_claimed_by_another_worker_is_skipped(mailoutbox):
    notice = _notice_to("ana@example.org", sent_at=NOON)

    assert notice_send(notice.pk, now=NOON + dt.timedelta(minutes=1)) == Sent.SKIPPED
    assert mailoutbox == []
    assert Notice.objects.get().sent_at == NOON


def test_notices_go_through_a_real_smtp_server(smtp):
    _notice_to("ana@example.org", subject="Concern #4 has a new owner")

    report = feedback_tick(now=NOON)

    assert report.sent == 1
    [message] = smtp.messages
    assert message["To"] == "ana@example.org"
    assert message["Subject"] == "Concern #4 has a new owner"
    assert message.get_content_type() == "text/plain"


def test_a_temporary_refusal_is_undone_and_sent_on_the_next_tick(smtp):
    notice = _notice_to("later@example.org")

    report = feedback_tick(now=NOON)
    notice.refresh_from_db()
    assert report.deferred == 1 and "451" in report.notes[0]
    assert notice.sent_at is None and notice.failed_at is None
    assert notice.queued_at == NOON  # the task's own retry comes back for it

    smtp.deferring = False
    report = feedback_tick(now=NOON + dt.timedelta(minutes=5))
    feedback_tick(now=NOON + dt.timedelta(minutes=6))

    assert report.sent == 1
    assert [m["To"] for m in smtp.messages] == ["later@example.org"]
    notice.refresh_from_db()
    assert notice.sent_at == NOON + dt.timedelta(minutes=5)


def test_a_permanent_refusal_marks_the_notice_failed_and_never_retries(smtp):
    _notice_to("ana@example.org")
    bounced = _notice_to("bounce@example.org")

    report = feedback_tick(now=NOON)
    feedback_tick(now=NOON + dt.timedelta(minutes=1))
    feedback_tick(now=NOON + dt.timedelta(hours=1))

    assert (report.sent, report.failed) == (1, 1)
    assert smtp.attempts.count("bounce@example.org") == 1
    assert [m["To"] for m in smtp.messages] == ["ana@example.org"]
    bounced.refresh_from_db()
    assert (bounced.sent_at, bounced.failed_at) == (None, NOON)
    assert not notices_to_send().exists()


def test_a_refused_connection_is_temporary(smtp_backend):
    notice = _notice_to("ana@example.org")  # nobody listens on EMAIL_PORT

    with pytest.raises(TemporaryDeliveryError):
        notice_send(notice.pk, now=NOON)

    notice.refresh_from_db()
    assert (notice.sent_at, notice.failed_at, notice.queued_at) == (None, None, NOON)


@pytest.mark.parametrize(
    "error",
    [
        smtplib.SMTPServerDisconnected("Connection unexpectedly closed"),
        TimeoutError("timed out"),
        smtplib.SMTPResponseException(421, b"Service not available"),
        smtplib.SMTPRecipientsRefused({"a@example.org": (452, b"Mailbox full")}),
    ],
    ids=["disconnected", "timeout", "421", "452-recipient"],
)
def test_disconnects_timeouts_and_4xx_answers_are_retried(monkeypatch, error):
    notice = _notice_to("ana@example.org")

    def fails(self, fail_silently=False):
        raise error

    monkeypatch.setattr(EmailMessage, "send", fails)
    assert feedback_tick(now=NOON).deferred == 1
    monkeypatch.undo()

    assert feedback_tick(now=NOON + dt.timedelta(minutes=1)).sent == 1
    notice.refresh_from_db()
    assert notice.sent_at == NOON + dt.timedelta(minutes=1)


def test_a_notice_to_someone_who_has_left_is_skipped(mailoutbox):
    stays = _notice_to("stays@example.org")
    left = _notice_to("left@example.org", queued_at=NOON)
    left.person.user.is_active = False
    left.person.user.save()

    assert list(notices_to_send()) == [stays]
    assert notice_send(left.pk, now=NOON) == Sent.SKIPPED
    feedback_tick(now=NOON)

    assert [m.to for m in mailoutbox] == [["stays@example.org"]]
    left.refresh_from_db()
    assert (left.sent_at, left.failed_at, left.queued_at) == (None, None, None)


def test_a_notice_to_someone_without_an_address_fails_without_a_send(mailoutbox):
    notice = _notice_to("")

    report = feedback_tick(now=NOON)

    assert report.failed == 1 and mailoutbox == []
    notice.refresh_from_db()
    assert notice.failed_at == NOON


def test_the_dispatcher_queues_each_notice_once_until_its_mark_goes_stale(
    django_capture_on_commit_callbacks,
):
    notices = [_notice_to(f"p{n}@example.org") for n in range(3)]
    queued: list[tuple[int, int]] = []

    with django_capture_on_commit_callbacks(execute=True):
        report = feedback_tick(now=NOON, enqueue=queued.extend)
    assert report.queued == 3
    assert sorted(queued) == sorted((n.pk, 0) for n in notices)
    with django_capture_on_commit_callbacks(execute=True):
        feedback_tick(now=NOON + dt.timedelta(minutes=1), enqueue=queued.extend)
    assert len(queued) == 3  # still marked queued: not handed over twice
    with django_capture_on_commit_callbacks(execute=True):
        feedback_tick(now=NOON + dt.timedelta(minutes=20), enqueue=queued.extend)
    assert len(queued) == 6  # the broker lost them? queued again
    assert Notice.objects.filter(sent_at=None).count() == 3


def test_each_dispatcher_pass_queues_a_bounded_batch(
    monkeypatch, django_capture_on_commit_callbacks
):
    from feedback import scheduler

    monkeypatch.setattr(scheduler, "QUEUE_PER_PASS", 2)
    for n in range(5):
        _notice_to(f"p{n}@example.org")
    sizes = []
    for minute in range(4):
        batch: list[tuple[int, int]] = []
        with django_capture_on_commit_callbacks(execute=True):
            feedback_tick(now=NOON + dt.timedelta(minutes=minute), enqueue=batch.extend)
        sizes.append(len(batch))

    assert sizes == [2, 2, 1, 0]
    assert not Notice.objects.filter(queued_at=None).exists()


def test_when_the_broker_refuses_notices_stay_unqueued_and_an_inline_tick_sends_them(
    django_capture_on_commit_callbacks, mailoutbox
):
    _notice_to("ana@example.org")
    _notice_to("ben@example.org")

    def broker_down(batch):
        raise ConnectionRefusedError("broker down")

    with django_capture_on_commit_callbacks(execute=True):
        report = feedback_tick(now=NOON, enqueue=broker_down)
    assert report.queued == 2
    assert not Notice.objects.exclude(queued_at=None).exists()
    assert Notice.objects.filter(sent_at=None).count() == 2
    assert mailoutbox == []

    feedback_tick(now=NOON + dt.timedelta(minutes=1))

    assert sorted(m.to[0] for m in mailoutbox) == ["ana@example.org", "ben@example.org"]
    assert not Notice.objects.filter(sent_at=None).exists()


def test_with_a_real_publish_to_a_dead_broker_nothing_is_lost(
    django_capture_on_commit_callbacks, mailoutbox
):
    notice = _notice_to("ana@example.org")
    previous = app.conf.broker_url
    app.conf.broker_url = f"redis://127.0.0.1:{_free_port()}/0"
    app.pool.force_close_all()
    app._pool = None
    try:
        with django_capture_on_commit_callbacks(execute=True):
            report = feedback_tick(now=NOON, enqueue=enqueue_notices)
    finally:
        app.conf.broker_url = previous
        app.pool.force_close_all()
        app._pool = None

    assert report.queued == 1
    notice.refresh_from_db()
    assert (notice.queued_at, notice.sent_at) == (None, None)
    feedback_tick(now=NOON + dt.timedelta(minutes=1))
    assert [m.to for m in mailoutbox] == [["ana@example.org"]]


def test_enqueue_notices_hands_each_notice_to_the_send_task(monkeypatch):
    delayed: list[int] = []
    monkeypatch.setattr(send_notice, "delay", delayed.append)

    enqueue_notices([(7, 0), (9, 0)])

    assert delayed == [7, 9]


def test_the_send_task_retries_a_temporary_error_and_sends_once(
    monkeypatch, mailoutbox, time_machine
):
    time_machine.move_to(NOON, tick=False)
    notice = _notice_to("ana@example.org")
    real_send, attempts = EmailMessage.send, []

    def second_time_lucky(self, fail_silently=False):
        attempts.append(self.to)
        if len(attempts) == 1:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return real_send(self, fail_silently)

    monkeypatch.setattr(EmailMessage, "send", second_time_lucky)
    assert send_notice.retry_backoff and send_notice.retry_jitter

    result = send_notice.apply(args=[notice.pk])

    assert result.successful(), result.traceback
    assert len(attempts) == 2 and len(mailoutbox) == 1
    notice.refresh_from_db()
    assert notice.sent_at == NOON
